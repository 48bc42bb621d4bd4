"""Run the command line: ``python -m sim COMMAND ...`` (the same as ``talentsim``)."""

from sim.cli import main

raise SystemExit(main())
