"""How fast the app's controls answer while one run of 10,000 students plays (issue 19, item 4; target 300 ms).

Run from the repository root (needs the app extra)::

    .venv/bin/python benchmarks/app_responsiveness.py            # 20 presses of each control
    .venv/bin/python benchmarks/app_responsiveness.py --presses 50

The watch panel of the page (``sim.app.page.WatchView``) is rendered with Solara's own
renderer (no browser: what is timed is the server's work, which is what a slow page
waits for) on the baseline at 3,334 students a cohort (10,002 students). The run plays
at 60 to 100 weeks a second (its thread steps the model all the time, and the charts are
sent ten times a second); then each control is pressed many times: the speed slider,
Pause, and Play again (a run that reached its horizon is restarted). A press's time runs
from the event to the end of the re-render it causes;
the figures printed are the median and the worst press. Not a test: how fast a machine is
is not a property of the code (a busy machine prints larger figures).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import ipyvuetify as v
import solara

from sim.app.page import WatchView
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
COHORT_SIZE = 3334  # three cohorts: 10,002 students


def _button(rc, label: str):
    """The button labelled ``label``, waiting up to a second while the stepping thread's re-render lands."""
    for _ in range(100):
        found = rc.find(v.Btn, children=[label]).widgets
        if found:
            return found[0]
        time.sleep(0.01)
    raise LookupError(label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", {"intake.cohort_size": COHORT_SIZE})
    _box, rc = solara.render(WatchView([scenario], 1, "en"), handle_error=False)
    times: dict[str, list[float]] = {"pause": [], "play": [], "speed": []}
    def ensure_playing() -> None:
        if rc.find(v.Btn, children=["Play"]).widgets:  # paused, or the run reached its horizon
            if rc.find(v.Btn, children=["Step one week"]).widget.disabled is False:
                _button(rc, "Restart").click()
            _button(rc, "Play").click()
            time.sleep(0.3)

    for press in range(args.presses):
        ensure_playing()
        started = time.perf_counter()
        rc.find(v.Slider).widget.v_model = 60 + press % 40  # weeks per second: the stepping thread is busy
        times["speed"].append(time.perf_counter() - started)
        ensure_playing()
        if not rc.find(v.Btn, children=["Pause"]).widgets:
            continue  # the run reached its horizon just now: this press is not timed
        pause = _button(rc, "Pause")
        started = time.perf_counter()
        pause.click()
        times["pause"].append(time.perf_counter() - started)
        play = _button(rc, "Play")
        started = time.perf_counter()
        play.click()
        times["play"].append(time.perf_counter() - started)
        time.sleep(0.3)
    _button(rc, "Pause").click()
    rc.close()
    print(f"talentsim app, one run of {scenario.n_students:,} students playing; {args.presses} presses each")
    for control, seconds in times.items():
        ms = [s * 1000 for s in seconds]
        print(f"  {control:6s} median {statistics.median(ms):6.1f} ms, worst {max(ms):6.1f} ms "
              f"(target {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
