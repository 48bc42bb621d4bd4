"""One small module per mechanism of the model (see docs/model.md for each).

Each module exposes functions over the ``World``; ``sim.phases`` lists which
runs when, in one place. Two modules hold pure functions for the city (docs/city.md),
not yet called by a run: ``matching`` (the placement rounds' stable matching) and
``job_finding`` (the open market's matching function).
"""
