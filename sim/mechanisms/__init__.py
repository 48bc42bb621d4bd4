"""One small module per mechanism of the model (see docs/model.md for each).

Each module exposes functions over the ``World``; ``sim.phases`` lists which
runs when, in one place.
"""
