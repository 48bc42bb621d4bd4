"""Charts and the self-contained HTML report of a ``run``, ``compare`` or ``sweep`` folder.

``charts_for_run``, ``charts_for_compare`` and ``charts_for_sweep`` (``sim.report.charts``)
write ``DIR/charts/*.png|svg``; ``write_report`` (``sim.report.html``) writes
``DIR/report.html``. Every chart function takes results and returns a matplotlib
``Figure`` without touching pyplot's global state.
"""
