"""The page of ``talentsim app`` (Solara): levers, run and compare, watch one run, take it away.

Every tab of the browser is its own Solara session: its reference, variants, results
and watched run live in the components' state, never in module globals. What tabs share
is the app's configuration (:mod:`sim.app.config`): the pool of worker processes and the
cache. Long work runs off the page's thread (``solara.use_thread``): a comparison waits
on the shared pool, a watched run steps in the tab's own thread, so a control always
answers. Every string is a message id of the catalogue, shown with
:func:`sim.i18n.translate` in the tab's language.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import solara

from sim.app.config import DEFAULT_REPS, MAX_VARIANTS, AppConfig, app_config
from sim.app.controls import (
    LeverControl,
    check_value,
    label_with_unit,
    lever_controls,
    parse_typed_value,
    search_params,
)
from sim.app.export import changed_keys, csv_bytes, save_variant, variant_yaml
from sim.app.pool import Cancelled
from sim.app.results import (
    ComparisonResult,
    OutcomeRow,
    chart_files,
    comparison_warnings,
    draw_language,
    outcome_rows,
    outcome_table,
    report_path,
)
from sim.app.server import FONT_FAMILY, FONT_URL
from sim.app.watch import CHARTS, WatchedRun
from sim.errors import UserError
from sim.i18n import LANGUAGES, N_, translate, use_language
from sim.outcomes import SERIES_BY_NAME
from sim.scenario import Scenario, ScenarioError, load_scenario, with_overrides
from sim.scenario.params import ParamInfo, format_value

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
"""Each language as the switch shows it (in its own language)."""

UPDATE_EVERY_S = 0.1
"""How often a playing run sends its charts to the page, seconds (the model may step faster)."""


@dataclass(frozen=True)
class Variant:
    """A variant of the reference: its name and the changed values by dotted key."""

    name: str
    changes: dict[str, Any] = field(default_factory=dict)


def variant_scenario(reference: Scenario, variant: Variant) -> Scenario:
    """The variant as a scenario: the reference with the variant's changes, under the variant's name."""
    return with_overrides(reference, variant.changes, variant.name).model_copy(update={"name": variant.name})


def field_class(key: str) -> str:
    """The CSS class of a parameter's field (the browser test finds the field by it)."""
    return "talentsim-field-" + key.replace(".", "--")


def value_of(scenario: Scenario, key: str) -> Any:
    """A scenario's value at a dotted key."""
    value: Any = scenario
    for part in key.split("."):
        value = getattr(value, part)
    return value


def font_stack(lang: str) -> str:
    """The page's fonts: the shipped CJK font first on a Chinese page, after Roboto on an English one.

    Chromium draws a character the first *installed* font of a stack lacks as an empty box
    without looking further down the stack (see :mod:`sim.report.fonts`), so a Chinese page
    leads with the shipped font; it has Latin letters too.
    """
    if lang == "zh":
        return f'"{FONT_FAMILY}", Roboto, sans-serif'
    return f'Roboto, "{FONT_FAMILY}", sans-serif'


def page_css(lang: str) -> str:
    """The page's style sheet: the shipped CJK font for every text, and the outcome table."""
    return f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_URL}") format("opentype"); font-display: block; }}
.v-application, .v-application * {{ font-family: {font_stack(lang)} !important; }}
table.talentsim-outcomes {{ border-collapse: collapse; font-size: 14px; }}
table.talentsim-outcomes th, table.talentsim-outcomes td {{ border-bottom: 1px solid #ddd; padding: 4px 8px;
  text-align: right; }}
table.talentsim-outcomes th:first-child, table.talentsim-outcomes td:first-child {{ text-align: left; }}
table.talentsim-outcomes td.up {{ background: #d6e6fa; }}
table.talentsim-outcomes td.down {{ background: #fbe3cc; }}
table.talentsim-outcomes .ci {{ color: #666; font-size: 12px; display: block; }}
"""


def outcome_table_html(rows: list[OutcomeRow], labels: list[str], lang: str) -> str:
    """The headline outcomes as an HTML table; a difference whose 95% CI excludes zero is coloured."""
    e = html.escape
    head = [translate("Outcome", lang), *labels,
            *(translate("{variant} minus {reference}", lang).format(variant=label, reference=labels[0])
              for label in labels[1:])]
    out = ['<table class="talentsim-outcomes"><thead><tr>', *(f"<th>{e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append(f"<tr><td>{e(row.label)} <span class='ci'>{e(row.unit)}</span></td>")
        for cell in row.means:
            out.append(f"<td>{e(cell.value)}<span class='ci'>{e(cell.ci)}</span></td>")
        for cell in row.differences:
            css = {1: " class='up'", -1: " class='down'"}.get(cell.sign, "")
            out.append(f"<td{css}>{e(cell.value)}<span class='ci'>{e(cell.ci)}</span></td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


@solara.component
def ParameterControl(param: ParamInfo, control: LeverControl | None, reference: Scenario, changes: dict[str, Any],
                     on_change: Callable[[str, Any], None], lang: str) -> None:
    """One parameter: a slider (or a select for yes/no), a field for any value the schema allows, its error."""
    key = param.key
    current = changes.get(key, value_of(reference, key))
    error, set_error = solara.use_state(cast(str | None, None))
    with use_language(lang):
        title = label_with_unit(param)

    def accept(value: Any) -> None:
        message = check_value(reference, {k: v for k, v in changes.items() if k != key}, key, value)
        set_error(message)
        if message is None:
            on_change(key, value)

    def accept_typed(typed: str | None) -> None:
        try:
            value = parse_typed_value(key, typed or "")
        except ScenarioError as err:
            set_error(err.problem)
            return
        accept(value)

    with solara.Column(gap="0px", classes=["talentsim-control"]):
        if param.type == "bool":
            shown = {True: translate("yes", lang), False: translate("no", lang)}
            solara.Select(title, values=list(shown.values()), value=shown[bool(current)],
                          on_value=lambda chosen: accept(chosen == shown[True]))
            if error:
                solara.Error(error)
            return
        if control is not None and control.slider is not None:
            slider = control.slider
            shown_value = min(max(float(current), slider.low), slider.high)
            if control.is_whole_number:
                solara.SliderInt(title, value=int(shown_value), min=int(slider.low), max=int(slider.high),
                                 step=max(1, int(slider.step)), on_value=accept, thumb_label=True)
            else:
                solara.SliderFloat(title, value=shown_value, min=slider.low, max=slider.high, step=slider.step,
                                   on_value=accept, thumb_label=True)
            field_label = translate("value", lang)
        else:
            field_label = title
        solara.InputText(field_label, value=format_value(current), on_value=accept_typed,
                         error=error or False, style={"max-width": "14em" if control else "30em"},
                         classes=[field_class(key)])


@solara.component
def LeverPanel(reference: Scenario, variant: Variant, on_variant: Callable[[Variant], None], lang: str) -> None:
    """The levers of the lever table up front, and every other parameter by search, for one variant."""
    query, set_query = solara.use_state("")

    def change(key: str, value: Any) -> None:
        on_variant(replace(variant, changes={**variant.changes, key: value}))

    controls = solara.use_memo(lever_controls, [])
    solara.HTML(tag="h3", unsafe_innerHTML=html.escape(translate("Policy levers", lang)))
    with solara.ColumnsResponsive(12, large=6):
        for control in controls:
            ParameterControl(control.param, control, reference, variant.changes, change, lang).key(
                f"{variant.name}:{control.key}")
    solara.HTML(tag="h3", unsafe_innerHTML=html.escape(translate("Any other parameter", lang)))
    solara.InputText(translate("Search the parameters (key or label)", lang), value=query, on_value=set_query,
                     continuous_update=True)
    lever_keys = {control.key for control in controls}
    with use_language(lang):
        found = [param for param in search_params(query) if param.key not in lever_keys]
    for param in found:
        with solara.Row():
            ParameterControl(param, None, reference, variant.changes, change, lang).key(
                f"{variant.name}:{param.key}")
            solara.Text(param.key, style={"font-family": "monospace", "font-size": "12px"})
    if query.strip() and not found:
        solara.Text(translate("No parameter matches.", lang))


@solara.component
def ResultsView(result: ComparisonResult, scenarios: list[Scenario], lang: str, config: AppConfig) -> None:
    """The outcome table with CIs and coloured differences, the warnings, the report's charts and the downloads."""
    rows = outcome_rows(result, lang)
    if result.from_cache:
        solara.Info(translate("Found in the cache: these inputs were run before.", lang))
    if result.n_failed:
        solara.Error(translate("{failed} runs failed; the figures use the others. Each failed run's error is in "
                               "{path}.", lang).format(failed=result.n_failed, path=result.folder / "runs.parquet"))
    for warning in comparison_warnings(scenarios, result, lang):
        solara.Warning(warning)
    solara.HTML(tag="div", unsafe_innerHTML=outcome_table_html(rows, result.labels, lang),
                attributes={"class": "talentsim-results", "data-key": result.key})
    solara.Text(translate("Each cell: the mean over the replications and its 95% confidence interval. A difference "
                          "is paired by replication (common random numbers) and coloured where its interval "
                          "excludes zero: blue above zero, orange below (whether that is good depends on the "
                          "outcome).", lang), style={"font-size": "12px"})

    def draw(cancel: threading.Event) -> list[Path]:
        if not report_path(result.folder, lang).is_file():
            config.pool.call(cancel, draw_language, str(result.folder), lang)
        return chart_files(result.folder, lang)

    drawn = solara.use_thread(draw, dependencies=[result.key, lang], intrusive_cancel=False)
    report = report_path(result.folder, lang)
    drawn_here = report.is_file()  # this language is drawn (the thread's state may still be another language's)
    with solara.Row():
        solara.FileDownload(csv_bytes(outcome_table(result, lang)), filename=f"outcomes.{lang}.csv",
                            label=translate("Outcome table (CSV)", lang), mime_type="text/csv")
        # files are read when their button is pressed, not at every redraw of the page
        solara.FileDownload((result.folder / "comparison.csv").read_bytes, filename="comparison.csv",
                            label=translate("All outcomes (CSV)", lang), mime_type="text/csv")
        solara.FileDownload((result.folder / "differences.csv").read_bytes, filename="differences.csv",
                            label=translate("All differences (CSV)", lang), mime_type="text/csv")
        if drawn_here:
            solara.FileDownload(report.read_bytes, filename=f"report.{lang}.html",
                                label=translate("Report (HTML)", lang), mime_type="text/html")
    if drawn_here:
        with solara.ColumnsResponsive(12, large=6):
            for chart in chart_files(result.folder, lang):
                solara.Image(chart, width="100%")
    elif drawn.state == solara.ResultState.ERROR:
        solara.Error(str(drawn.error))
    else:
        solara.Text(translate("Drawing the report's charts…", lang))


def _line_chart(run: dict[str, list[float]], names: tuple[str, ...], lang: str) -> dict[str, Any]:
    """An ECharts line chart of time-series columns against the week (labels in ``lang``)."""
    labels = [translate(SERIES_BY_NAME[name].label, lang) for name in names]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "textStyle": {"fontFamily": font_stack(lang)},
        "legend": {"data": labels},
        "grid": {"left": 70, "right": 20, "top": 50, "bottom": 40},
        "xAxis": {"type": "value", "name": translate("week", lang), "min": 0, "nameLocation": "middle",
                  "nameGap": 22},
        "yAxis": {"type": "value"},
        "series": [{"name": label, "type": "line", "showSymbol": False,
                    "data": [[w, v] for w, v in zip(run.get("week", []), run.get(name, []), strict=False)]}
                   for name, label in zip(names, labels, strict=True)],
    }


CHART_TITLES = {"stages": N_("Students by stage"), "workload": N_("Mentor workload"),
                "enterprises": N_("Participating firms"), "funds": N_("Programme funds (yuan)")}
"""The live charts' titles (message ids)."""


@solara.component
def WatchView(scenarios: list[Scenario], seed: int, lang: str) -> None:
    """One run of a chosen scenario, week by week: step, play, pause, speed, live charts."""
    which, set_which = solara.use_state(0)
    generation, set_generation = solara.use_state(0)
    playing, set_playing = solara.use_state(False)
    weeks_per_second, set_weeks_per_second = solara.use_state(20)
    series, set_series = solara.use_state(dict[str, list[float]]())
    run_ref = solara.use_ref(cast(WatchedRun | None, None))
    names = [scenario.name for scenario in scenarios]
    chosen = scenarios[min(which, len(scenarios) - 1)]

    def fresh_run() -> WatchedRun:
        run = WatchedRun(chosen, seed)
        run_ref.current = run
        return run

    def current_run() -> WatchedRun:
        run = run_ref.current
        return run if isinstance(run, WatchedRun) and run.model.scenario is chosen else fresh_run()

    def play(cancel: threading.Event) -> None:
        if not playing:
            return
        run = current_run()
        last = 0.0
        while not cancel.is_set() and run.step():
            now = time.monotonic()
            if now - last >= UPDATE_EVERY_S:
                set_series(run.chart_series())
                last = now
            time.sleep(1.0 / weeks_per_second)
        set_series(run.chart_series())
        if run.finished:
            set_playing(False)

    solara.use_thread(play, dependencies=[playing, weeks_per_second, generation, which], intrusive_cancel=False)

    def step_once() -> None:
        run = current_run()
        run.step()
        set_series(run.chart_series())

    def restart() -> None:
        set_playing(False)
        fresh_run()
        set_series({})
        set_generation(generation + 1)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        def choose(name: str | None) -> None:
            set_playing(False)
            set_series({})
            set_which(names.index(name) if name in names else 0)

        solara.Select(translate("Scenario", lang), values=names, value=chosen.name, on_value=choose)
        solara.Button(translate("Step one week", lang), on_click=step_once, disabled=playing)
        if playing:
            solara.Button(translate("Pause", lang), on_click=lambda: set_playing(False), color="primary")
        else:
            solara.Button(translate("Play", lang), on_click=lambda: set_playing(True), color="primary")
        solara.Button(translate("Restart", lang), on_click=restart)
        with solara.Column(style={"min-width": "320px"}):
            solara.SliderInt(translate("Speed (weeks per second)", lang), value=weeks_per_second, min=1, max=200,
                             on_value=set_weeks_per_second, thumb_label=True)
    run = run_ref.current
    if isinstance(run, WatchedRun):
        solara.Text(translate("Week {week} of {weeks}", lang).format(week=run.week, weeks=run.horizon_weeks)
                    + " · " + translate("{students} students", lang).format(students=run.model.scenario.n_students))
    with solara.ColumnsResponsive(12, large=6):
        for chart, columns in CHARTS.items():
            with solara.Column():
                solara.Text(translate(CHART_TITLES[chart], lang), style={"font-weight": "bold"})
                solara.FigureEcharts(option=_line_chart(series, columns, lang), attributes={"style": "height: 260px;"})


@solara.component
def SaveView(reference_file: Path, reference: Scenario, variant: Variant, config: AppConfig, lang: str) -> None:
    """Save the variant as a scenario file that extends the reference file and sets only the changed keys."""
    default_path = str(config.save_folder / f"{variant.name}.yaml")
    path, set_path = solara.use_state(default_path)
    question, set_question = solara.use_state("")
    question_zh, set_question_zh = solara.use_state("")
    message, set_message = solara.use_state(("", ""))
    changes = changed_keys(reference, variant.changes)

    def save() -> None:
        try:
            save_variant(reference_file, path, changes, name=variant.name, question=question,
                         question_zh=question_zh)
        except UserError as err:
            set_message(("error", str(err)))
            return
        set_message(("saved", translate("Saved {path}: it validates; run it with: talentsim run {path}",
                                        lang).format(path=path)))

    solara.HTML(tag="h3", unsafe_innerHTML=html.escape(translate("Save the variant as a scenario file", lang)))
    solara.InputText(translate("File", lang), value=path, on_value=set_path)
    solara.InputText(translate("Policy question (English)", lang), value=question, on_value=set_question)
    solara.InputText(translate("Policy question (Chinese)", lang), value=question_zh, on_value=set_question_zh)
    solara.HTML(tag="pre", unsafe_innerHTML=html.escape(variant_yaml(reference_file, path, changes, name=variant.name,
                                                                     question=question, question_zh=question_zh)))
    solara.Button(translate("Save", lang), on_click=save, color="primary")
    if message[0] == "error":
        solara.Error(message[1])
    elif message[0] == "saved":
        solara.Success(message[1])


@solara.component
def Page() -> None:
    """The whole page of one browser tab."""
    config = app_config()
    lang, set_lang = solara.use_state(config.lang)
    reference_index, set_reference_index = solara.use_state(0)
    variants, set_variants = solara.use_state([Variant("variant_1")])
    active, set_active = solara.use_state(0)
    reps, set_reps = solara.use_state(DEFAULT_REPS)
    seed, set_seed = solara.use_state(1)
    run_request, set_run_request = solara.use_state(0)
    progress, set_progress = solara.use_state((0, 0))
    cancel_ref = solara.use_ref(cast(threading.Event | None, None))
    tab, set_tab = solara.use_state(0)

    reference_file = config.references[reference_index]
    reference = solara.use_memo(lambda: load_scenario(reference_file), [str(reference_file)])
    variant = variants[min(active, len(variants) - 1)]
    try:
        scenarios = [reference, *(variant_scenario(reference, v) for v in variants)]
        invalid = ""
    except ScenarioError as err:  # a variant's change that the newly chosen reference does not allow
        scenarios, invalid = [reference], str(err)

    def run_comparison_job(cancel: threading.Event) -> tuple[ComparisonResult, list[Scenario]] | str | None:
        from sim.app.results import run_comparison

        if run_request == 0:
            return None
        cancel_ref.current = cancel
        total = len(scenarios) * reps
        done = [0]
        set_progress((0, total))

        def on_run(failed: bool) -> None:
            done[0] += 1
            set_progress((done[0], total))

        try:
            return run_comparison(config.pool, config.cache, scenarios, reps, seed, cancel, on_run), scenarios
        except Cancelled:
            return "cancelled"

    job = solara.use_thread(run_comparison_job, dependencies=[run_request], intrusive_cancel=False)
    running = job.state in (solara.ResultState.STARTING, solara.ResultState.WAITING, solara.ResultState.RUNNING)

    def cancel() -> None:
        event = cancel_ref.current
        if isinstance(event, threading.Event):
            event.set()

    def set_variant(changed: Variant) -> None:
        set_variants([changed if i == active else v for i, v in enumerate(variants)])

    def add_variant() -> None:
        taken = {v.name for v in variants}
        number = next(n for n in range(1, MAX_VARIANTS + 2) if f"variant_{n}" not in taken)
        set_variants([*variants, Variant(f"variant_{number}", dict(variant.changes))])
        set_active(len(variants))

    def remove_variant() -> None:
        set_variants([v for i, v in enumerate(variants) if i != active])
        set_active(0)

    def rename(name: str | None) -> None:
        name = (name or "").strip()
        if name and name not in {v.name for v in variants} and name != reference.name:
            set_variant(replace(variant, name=name))

    solara.Style(page_css(lang))
    solara.Title("talentsim")
    with solara.AppBar():
        solara.Text(translate("talentsim: explore a programme", lang))
        names = [LANGUAGE_NAMES[code] for code in LANGUAGES]
        solara.ToggleButtonsSingle(value=LANGUAGE_NAMES[lang], values=names,
                                   on_value=lambda name: set_lang(LANGUAGES[names.index(name)]) if name in names
                                   else None,  # pressing the chosen language again keeps it
                                   classes=["talentsim-language"])
    with solara.Sidebar():
        solara.Select(translate("Reference scenario", lang), values=[str(path) for path in config.references],
                      value=str(reference_file),
                      on_value=lambda chosen: set_reference_index([str(p) for p in config.references].index(chosen)))
        if reference.question or reference.question_zh:
            solara.Text((reference.question_zh if lang == "zh" and reference.question_zh else reference.question)
                        or "", style={"font-size": "13px"})
        solara.InputInt(translate("Replications per scenario", lang), value=reps,
                        on_value=lambda r: set_reps(max(2, min(int(r or 2), 200))))
        solara.InputInt(translate("Master seed", lang), value=seed, on_value=lambda s: set_seed(max(0, int(s or 0))))
        with solara.Row():
            solara.Button(translate("Run", lang), on_click=lambda: (set_run_request(run_request + 1), set_tab(1)),
                          color="primary", disabled=running or bool(invalid))
            solara.Button(translate("Cancel", lang), on_click=cancel, disabled=not running)
        if invalid:
            solara.Error(invalid)
        if running:
            done, total = progress
            solara.ProgressLinear(100.0 * done / total if total else True)
            solara.Text(translate("{done} of {total} runs", lang).format(done=done, total=total))
        elif job.state == solara.ResultState.ERROR:
            solara.Error(str(job.error))
        elif job.value == "cancelled":
            solara.Warning(translate("Cancelled. The runs already finished are kept: running the same setting "
                                     "again goes on from them.", lang))
        solara.Text(translate("Variants", lang), style={"font-weight": "bold"})
        variant_names = [v.name for v in variants]
        solara.ToggleButtonsSingle(value=variant.name, values=variant_names,
                                   on_value=lambda name: set_active(variant_names.index(name))
                                   if name in variant_names else None)
        solara.InputText(translate("Variant name", lang), value=variant.name, on_value=rename)
        with solara.Row():
            solara.Button(translate("Add a variant", lang), on_click=add_variant,
                          disabled=len(variants) >= MAX_VARIANTS)
            solara.Button(translate("Remove", lang), on_click=remove_variant, disabled=len(variants) <= 1)
        changes = changed_keys(reference, variant.changes)
        if changes:
            solara.Text(translate("Changed:", lang) + " " + ", ".join(f"{k} = {format_value(v)}"
                                                                       for k, v in changes.items()),
                        style={"font-size": "12px"})
    with solara.lab.Tabs(value=tab, on_value=set_tab):
        with solara.lab.Tab(translate("Levers", lang)):
            LeverPanel(reference, variant, set_variant, lang).key(f"levers:{reference_file}")
        with solara.lab.Tab(translate("Results", lang)):
            if isinstance(job.value, tuple) and not running:
                ResultsView(job.value[0], job.value[1], lang, config)
            elif running:
                solara.Text(translate("Running…", lang))
            else:
                solara.Text(translate("Move a lever, then press Run.", lang))
        with solara.lab.Tab(translate("Watch one run", lang)):
            WatchView(scenarios, seed, lang)
        with solara.lab.Tab(translate("Save", lang)):
            SaveView(reference_file, reference, variant, config, lang)
