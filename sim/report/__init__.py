"""Charts and the self-contained HTML report of a ``run``, ``compare`` or ``sweep`` folder.

* ``sim.report.charts``: one function per chart, each taking results and returning a
  matplotlib ``Figure`` (no pyplot state); ``save_figure`` writes PNG and SVG atomically;
  ``charts_for_run``, ``charts_for_compare`` and ``charts_for_sweep`` read a folder and
  write ``DIR/charts/*.png|svg``.
* ``sim.report.html``: ``write_report(DIR)`` writes ``DIR/report.html`` (charts embedded,
  no scripts, no external URL); ``write_charts_and_report(DIR)`` does both, drawing once.
* ``sim.report.data``: reading a folder (``load_folder``), outcome labels and units,
  the sensitivity ranking of a sweep.
* ``sim.report.fonts``: the CJK font (Noto Sans SC, from the ``pylopdf-fonts-zh-cn``
  package) that Chinese charts draw with and whose subset a report embeds, so Chinese
  renders on a machine without CJK fonts.
"""
