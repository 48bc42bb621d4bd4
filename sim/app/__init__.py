"""``talentsim app``: explore scenarios in the browser (Solara), thin over the public API.

Why a subpackage of its own: the model and the experiment machinery must never depend on
a web framework, so nothing outside ``sim.app`` (and the ``talentsim app`` command)
imports it, and its dependencies are an optional extra (``pip install -e ".[app]"``).

* ``sim.app.controls``: the policy levers as controls (one table of slider ranges) and the
  validation of a value by the scenario schema itself.
* ``sim.app.cache``: results kept by the inputs that decide them (resolved scenarios,
  model source, seed, replications) in ``outputs/app-cache/`` with a size limit.
* ``sim.app.export``: a variant as a scenario file that ``extends:`` its start; tables as
  Excel-friendly CSV.
* ``sim.app.pool``: one app-wide pool of worker processes with a queue, cancellable per tab.
* ``sim.app.results``: a tab's comparison through ``sim.compare`` on the pool, the tables it
  shows, its warnings, its charts and report in each language.
* ``sim.app.watch``: one run stepped week by week for the live charts.
* ``sim.app.config``: what the command started the app with (shared by every tab).
* ``sim.app.page``: the Solara page; ``sim.app.server``: the offline server.
"""
