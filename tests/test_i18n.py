"""The planners' language: ``--lang zh|en``, the message catalogue, and Chinese that leaves no English behind.

* The catalogue (``sim/locale/zh/LC_MESSAGES/talentsim.po``) translates every message id the
  code uses (``sim/locale/extract.py`` gathers them: templates, registry labels and units,
  parameter labels and descriptions, report, chart and table text), keeps each id's
  ``{placeholders}``, and the checked-in ``.pot`` is up to date.
* Rendered in Chinese — a run, a comparison and two sweeps made with the command line in a
  temporary folder (tiny scenarios), their reports and every chart, the printed tables,
  ``talentsim params`` and every kind of validation error — no Latin word is left outside an
  allowlist of what stays as written (keys, file and scenario names, units such as ``%``,
  acronyms such as YAML, method names such as Sobol').
* ``--lang`` changes nothing a program reads: the comparison's CSV, Parquet and JSON files
  are the same in both languages, and an experiment started in English resumes in Chinese.
"""

from __future__ import annotations

import json
import os
import re
import string
import tomllib
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.text import Text

from sim.cli import COMMANDS, build_parser, main
from sim.errors import UserError
from sim.i18n import (
    LANG_ENV,
    LanguageError,
    current_language,
    format_number,
    format_percent,
    format_yuan,
    resolve_language,
    translate,
    unit_text,
    use_language,
    yuan_scale,
)
from sim.locale import extract
from sim.messages import TEMPLATES, text
from sim.outcomes import OUTCOMES
from sim.report.charts import figures_for
from sim.report.data import load_folder
from sim.scenario import list_params
from sim.scenario.params import format_value, param_index

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "intake.cohort_size=40", "--set", "intake.n_cohorts=1", "--set", "simulation.horizon_years=4",
        "--set", "enterprises.count=6"]
BASE_YAML = """\
# 小规模基准情景（测试用）。
name: base
question: 小规模的现代学徒制项目能带来什么成效？
"""
GROUPS_YAML = """\
# 更小的导师组：每名校内导师 10 名学生。
name: groups
question: 更小的导师组能否提高技能？
school_mentors:
  students_per_mentor: 10
"""
GRID_YAML = """\
name: ratio_grid
description: 校内导师生师比与学校专项资金的组合。
base: base.yaml
design: grid
parameters:
  school_mentors.students_per_mentor:
    levels: [10, 30]
  funding.school_special_fund_yuan_per_year:
    levels: [700000, 2100000]
reps: 1
seed: 3
"""
MORRIS_YAML = """\
name: toy_morris
description: 玩具模型的 Morris 筛选。
design: morris
samples: 4
parameters:
  x1: {bounds: [-3.14159, 3.14159]}
  x2: {bounds: [-3.14159, 3.14159]}
  x3: {bounds: [-3.14159, 3.14159]}
reps: 1
seed: 0
"""


# ---------------------------------------------------------------------------- what may stay Latin


def _schema_words() -> set[str]:
    """Every word a scenario, city or sweep file is written in: key parts, choices, sweep keys and designs."""
    from sim.experiments.spec import ParameterSpec, SweepSpec

    words: set[str] = set()
    for row in list_params():
        words.update(re.split(r"[.\[\]_]+", row.key))
        words.update(re.split(r"[\s|+_]+", row.allowed))
    models: list[type] = [SweepSpec, ParameterSpec]
    try:  # the calibration file's keys, where the calibration layer exists
        from sim.calibration import spec as calibration

        models += [v for v in vars(calibration).values() if isinstance(v, type) and hasattr(v, "model_fields")]
    except ImportError:  # pragma: no cover
        pass
    for model in models:
        for name in getattr(model, "model_fields", {}):
            words.update(name.split("_"))
    from sim.scenario.city import city_keys  # a city file's keys (schools, programmes, ...) are written as typed

    for key in city_keys():
        words.update(re.split(r"[.\[\]_]+", key))
    return {w for w in words if w}


ALLOWED = {
    # the program, its commands, and words of a scenario or sweep file written as they are typed
    "talentsim", "run", "compare", "sweep", "report", "validate", "params", "phases",
    "grid", "lhs", "sobol", "morris", "unif", "norm", "triang", "lognorm", "true", "false", "null", "inf",
    "low", "high", "extends", "error",
    # acronyms, file formats, units and names of methods or tools, as Chinese texts write them
    "YAML", "UTF", "NUL", "GiB", "CSV", "KEY", "VALUE", "MODULE", "FUNCTION", "ADDRESS", "Dask", "dask",
    "scheduler", "worker", "local", "spawn", "SALib", "Sobol", "Saltelli", "Morris", "Spearman", "BIBB", "ST",
    "UTC", "sha", "True", "False", "if", "name", "main", "python", "object", "Beta",
    "calibrate", "ABC", "SMC", "abc", "smc", "Optuna", "optuna", "se",
    # authors cited by author and year, as the References of docs/model.md list them (Li (2026) §6.3)
    "Li",
    # software versions in the provenance
    "distributed", "mesa", "numpy", "pandas", "platform", "pydantic", "scipy", "matplotlib",
}
"""Latin words a Chinese text may hold, besides the schema's own words and a test's names."""

ASCII_TOKEN = re.compile(r"[\x21-\x7e]+")
TECHNICAL = re.compile(r"[\d_./\\:=\[\]{}@#<>$]|^--?[A-Za-z]")
"""A token with a digit, an underscore, a dot, a slash ... is a key, a path, a number or an option: as written."""


def latin_words(shown: str, allowed: Iterable[str] = ()) -> list[str]:
    """The Latin words of ``shown`` that are neither technical tokens nor allowed (as written)."""
    allow = ALLOWED | _schema_words() | set(allowed)
    found = []
    for token in ASCII_TOKEN.findall(shown):
        token = token.strip("'\"()[],;:!?*|`~")
        if not token or TECHNICAL.search(token):
            continue
        for word in re.split(r"[-'+&%^]+", token):
            if len(word) >= 2 and word.isalpha() and word not in allow:
                found.append(word)
    return found


def assert_chinese(where: str, shown: str, allowed: Iterable[str] = ()) -> None:
    words = latin_words(shown, allowed)
    assert not words, f"{where}: untranslated Latin words {sorted(set(words))} in:\n{shown[:3000]}"


class _Visible(HTMLParser):
    """The text a reader sees on a page (and its alt, title and aria-label attributes), without CSS."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in ("alt", "title", "aria-label") and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def chart_texts(folder: Path) -> Iterator[tuple[str, str]]:
    """(chart name, every text drawn on it) for each chart of a folder, drawn in Chinese."""
    for name, fig in figures_for(load_folder(folder, resimulate=True), lang="zh").items():
        fig.draw_without_rendering()  # tick labels exist only once drawn
        yield name, "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text())


# ---------------------------------------------------------------------------- folders made with the CLI in Chinese


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, object]:
    """A run, a comparison, a grid sweep and a Morris sweep, each made by the CLI with --lang zh."""
    root = tmp_path_factory.mktemp("zh")
    (root / "base.yaml").write_text(BASE_YAML, encoding="utf-8")
    (root / "groups.yaml").write_text(GROUPS_YAML, encoding="utf-8")
    (root / "grid.yaml").write_text(GRID_YAML, encoding="utf-8")
    (root / "morris.yaml").write_text(MORRIS_YAML, encoding="utf-8")
    printed: dict[str, tuple[int, str, str]] = {}
    quick = ["--quiet", "--no-charts"]  # the report draws every chart once (embedded); no PNG/SVG files
    commands = {
        "run": ["run", str(root / "base.yaml"), "--reps", "2", "--workers", "1", "--out", str(root / "run"), *quick,
                *TINY],
        "compare": ["compare", str(root / "base.yaml"), str(root / "groups.yaml"), "--reps", "2",
                    "--out", str(root / "compare"), "--workers", "1", *quick, *TINY],
        "grid": ["sweep", str(root / "grid.yaml"), "--out", str(root / "grid"), "--workers", "1", *quick, *TINY],
        "morris": ["sweep", str(root / "morris.yaml"), "--out", str(root / "morris"), "--workers", "1", *quick,
                   "--model", "sim.experiments.models:ishigami"],
        **{f"report {kind}": ["report", str(root / kind)] for kind in ("run", "compare", "grid", "morris")},
    }
    import contextlib
    import io

    for kind, argv in commands.items():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--lang", "zh"])
        printed[kind] = (code, out.getvalue(), err.getvalue())
    return {"root": root, "printed": printed}


def _names(root: Path) -> set[str]:
    """What a test's texts may show as written: its scenario and sweep names, folders and files."""
    return {"base", "groups", "baseline", "ratio_grid", "toy_morris", "run", "compare", "grid", "morris", "zh",
            root.name, *root.parts}


@pytest.mark.parametrize("kind", ["run", "compare", "grid", "morris"])
def test_every_report_and_chart_of_every_kind_is_in_chinese(made, kind):
    root = made["root"]
    code, out, err = made["printed"][f"report {kind}"]
    assert code == 0, err
    assert out.strip() == str(root / kind / "report.html")
    html = (root / kind / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert_chinese(f"{kind}/report.html", visible_text(html), _names(root))
    charts = dict(chart_texts(root / kind))
    assert charts, f"{kind}: no charts"
    for name, shown in charts.items():
        assert_chinese(f"{kind}: chart {name}", shown, _names(root))


@pytest.mark.parametrize("kind", ["run", "compare", "grid", "morris", "report run"])
def test_the_printed_tables_and_messages_are_in_chinese(made, kind):
    root = made["root"]
    code, out, err = made["printed"][kind]
    assert code == 0, err
    assert_chinese(f"talentsim {kind} --lang zh (stdout)", out, _names(root))
    assert_chinese(f"talentsim {kind} --lang zh (stderr)", err, _names(root))
    assert kind.startswith("report") or re.search(r"[\u4e00-\u9fff]", out + err), (out, err)


def test_the_printed_tables_show_labels_percent_and_wan_yuan(made):
    _code, out, _err = made["printed"]["run"]
    assert "毕业时就业率" in out and "employment_rate_at_graduation" not in out
    assert re.search(r"项目总支出\s+[\d,.]+ 万元", out), out
    assert re.search(r"\d+\.\d%", out) and "95% 置信区间" in out
    _code, table, _err = made["printed"]["compare"]
    assert "结果指标" in table and "毕业时就业率（%）" in table and "groups - base" in table
    _code, sensitivity, _err = made["printed"]["morris"]
    assert "参数" in sensitivity and "μ*" in sensitivity


def test_english_stays_as_it_was(made, capsys):
    root = made["root"]
    assert main(["validate", str(root / "base.yaml")]) == 0
    assert capsys.readouterr().out.startswith("ok  ")
    html = (root / "compare" / "report.html").read_text(encoding="utf-8")
    assert "结果" in html
    from sim.report.html import render_report

    english = render_report(load_folder(root / "compare", resimulate=False), {}, lang="en")
    assert '<html lang="en">' in english and "Key outcomes" in english and "主要结果" not in english


def test_talentsim_params_in_chinese(capsys):
    assert main(["params", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split() == ["键", "类型", "默认值", "单位", "取值范围", "名称", "说明"]
    assert len(rows) == len(list_params())
    row = next(r for r in rows if r.startswith("school_mentors.students_per_mentor "))
    assert "人/导师" in row and "校内导师生师比" in row and "20.0" in row
    index = param_index()
    for line in rows:  # the key, the default and the choices are written as in a scenario file
        key = line.split()[0]
        default = format_value(index[key].default)
        assert_chinese(f"params row {key}", line.removeprefix(key).replace(default, "", 1))
    assert main(["params", "--lang", "zh", "--format", "csv"]) == 0
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert list(table.columns) == ["key", "type", "default", "unit", "allowed", "label", "description"]
    assert "校内导师生师比" in set(table["label"])


# ---------------------------------------------------------------------------- validation errors


def _sample_fields(template: str) -> dict[str, object]:
    """A value for every placeholder of a template (numbers where its format spec needs one)."""
    fields: dict[str, object] = {}
    for _text, field, spec, _conversion in string.Formatter().parse(template):
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        fields[name] = 1234 if spec else {"file": "scenarios/a.yaml", "key": "intake.cohort_size",
                                          "where": "scenarios/a.yaml: intake", "prog": "talentsim",
                                          "folder": "outputs/x", "path": "outputs/x/a.csv"}.get(name, "«x»")
    return fields


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_message_template_reads_in_chinese(template_id):
    template = TEMPLATES[template_id]
    with use_language("zh"):
        shown = text(template_id, **_sample_fields(template))
    words = re.sub(r"\{[^{}]*\}", "", template)  # the template's own words, not its placeholders
    assert shown != template.format(**_sample_fields(template)) or not re.search("[A-Za-z]{3}", words)
    assert_chinese(template_id, shown.replace("«x»", ""))


BAD_FILES = {
    "unknown_key.yaml": "intake:\n  cohort_sise: 10\n",
    "unknown_section.yaml": "intak:\n  cohort_size: 10\n",
    "bound.yaml": "intake:\n  cohort_size: -5\n",
    "type.yaml": "intake:\n  cohort_size: many\n",
    "quoted.yaml": "school_mentors:\n  students_per_mentor: '12'\n",
    "choice.yaml": "calendar:\n  schedule: 3+0\n",
    "bool.yaml": "programme:\n  dual_mentor: maybe\n",
    "weights.yaml": "evaluation:\n  theory_weight: 0.9\n",
    "custom.yaml": "calendar:\n  schedule: custom\n",
    "syntax.yaml": "intake:\n  cohort_size: [10\n",
    "duplicate.yaml": "intake:\n  cohort_size: 10\n  cohort_size: 20\n",
    "empty.yaml": "",
    "extends.yaml": "extends: nowhere.yaml\n",
    "list.yaml": "funding:\n  earmarks:\n    exam_fees: [government, government, government, government]\n",
}


def test_every_kind_of_validation_error_is_in_chinese(tmp_path, capsys):
    for name, content in BAD_FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    files = [str(tmp_path / name) for name in BAD_FILES] + [str(tmp_path / "missing.yaml")]
    assert main(["validate", *files, "--lang", "zh"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(files), err
    for line in err:
        assert line.startswith("talentsim: 错误："), line
        assert_chinese("validate --lang zh", line, {tmp_path.name, *tmp_path.parts, "cohort", "sise", "intak",
                                                    "many", "maybe", "nowhere"})
    assert main(["validate", str(tmp_path / "bound.yaml"), "--lang", "zh", "--set", "intake.cohort_sise=3"]) == 2
    assert "您是否想写 intake.cohort_size" in capsys.readouterr().err


def test_a_sweep_file_error_is_in_chinese(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("design: grid\nparameters:\n  calendar.schedule:\n    bounds: [1, 2]\n",
                                       encoding="utf-8")
    assert main(["sweep", str(tmp_path / "bad.yaml"), "--lang", "zh", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "错误" in err
    assert_chinese("sweep --lang zh", err, {tmp_path.name, *tmp_path.parts})


# ---------------------------------------------------------------------------- machine-readable outputs


def _machine_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
            if p.is_file() and p.name != "report.html" and "charts" not in p.relative_to(folder).parts}


def test_lang_changes_no_file_a_program_reads_and_resume_works_across_languages(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text(BASE_YAML, encoding="utf-8")
    (tmp_path / "groups.yaml").write_text(GROUPS_YAML, encoding="utf-8")
    args = ["compare", str(tmp_path / "base.yaml"), str(tmp_path / "groups.yaml"), "--reps", "2", "--workers", "1",
            "--quiet", "--no-charts", *TINY]
    assert main([*args, "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    assert main([*args, "--out", str(tmp_path / "zh"), "--lang", "zh"]) == 0
    en, zh = _machine_files(tmp_path / "en"), _machine_files(tmp_path / "zh")
    assert set(en) == set(zh)
    for name in sorted(en):
        if name.endswith(".csv"):
            assert en[name].read_bytes() == zh[name].read_bytes(), name
        elif name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(en[name]), pd.read_parquet(zh[name]))
        elif name.endswith(".json"):
            a, b = json.loads(en[name].read_text()), json.loads(zh[name].read_text())
            assert _keys(a) == _keys(b), name
            for key in ("spec_hash", "hash", "model_source_hash", "scenarios", "definition"):
                if isinstance(a, dict) and key in a:
                    assert a[key] == b[key], (name, key)
    capsys.readouterr()
    # an experiment started in English resumes in Chinese: every run is found stored
    assert main([*args, "--out", str(tmp_path / "en"), "--lang", "zh"]) == 0
    err = capsys.readouterr().err
    assert "4 次此前已保存" in err or "（4 次此前已保存）" in err, err


def _keys(value: object) -> object:
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(v) for v in value]
    return None


def test_summary_json_keys_are_the_same_in_both_languages(made):
    summary = json.loads((made["root"] / "run" / "summary.json").read_text())
    assert set(summary) >= {o.name for o in OUTCOMES if o.headline}


# ---------------------------------------------------------------------------- the catalogue and the API


def test_the_catalogue_translates_every_message_id_with_the_same_placeholders():
    problems = extract.problems("zh")
    assert not problems, ("run python -m sim.locale.extract, then translate in "
                          "sim/locale/zh/LC_MESSAGES/talentsim.po:\n" + "\n".join(problems[:40]))


def test_the_catalogue_template_is_up_to_date():
    assert extract.POT.read_bytes() == extract.render(extract.build_template()), (
        "sim/locale/talentsim.pot is out of date: run python -m sim.locale.extract")


def test_the_catalogue_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    po = extract.catalogue_path("zh").relative_to(ROOT / "sim")
    assert any(po.match(p) for p in patterns), patterns
    assert any(Path("locale/glossary.csv").match(p) for p in patterns), patterns
    dependencies = " ".join(config["project"]["dependencies"])
    assert "Babel>=" in dependencies


def test_the_glossary_gives_each_term_its_chinese_form_and_source_and_the_catalogue_uses_it():
    table = pd.read_csv(ROOT / "sim" / "locale" / "glossary.csv")
    assert list(table.columns)[:4] == ["term", "chinese", "source", "note"]
    assert table["chinese"].notna().all() and table["source"].notna().all()
    for term in ("现代学徒制", "双导师制", "校内导师", "企业导师", "双师型教师", "“1+X”证书", "产教融合型企业",
                 "示范单位", "就业率", "留用率", "升学（高职毕业生：专升本）", "万元", "亿元"):
        assert term in set(table["chinese"]), term
    catalogue = extract.read_catalogue("zh")
    for row in table[table["check"] == "yes"].itertuples():
        words = r"[ -]".join(re.escape(word) for word in re.split(r"[ -]", row.term))
        pattern = re.compile(rf"\b{words}", re.IGNORECASE)  # "school mentor", "school-mentor"
        for message in catalogue:
            if message.id and pattern.search(str(message.id)):
                assert str(row.check_zh) in str(message.string), (row.term, message.id, message.string)


def test_resolve_language_reads_the_option_then_the_environment(monkeypatch):
    monkeypatch.delenv(LANG_ENV, raising=False)
    assert resolve_language(None) == "en"
    monkeypatch.setenv(LANG_ENV, "zh")
    assert resolve_language(None) == "zh" and resolve_language("en") == "en"
    monkeypatch.setenv(LANG_ENV, "fr")
    with pytest.raises(LanguageError, match="TALENTSIM_LANG"):
        resolve_language(None)
    assert issubclass(LanguageError, UserError)


def test_the_environment_sets_the_language_of_a_command(monkeypatch, capsys, tmp_path):
    (tmp_path / "a.yaml").write_text("intake:\n  cohort_size: 10\n", encoding="utf-8")
    monkeypatch.setenv(LANG_ENV, "zh")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 0
    assert capsys.readouterr().out.startswith("通过  ")
    assert main(["validate", str(tmp_path / "a.yaml"), "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("ok  ")
    monkeypatch.setenv(LANG_ENV, "klingon")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 2
    assert "TALENTSIM_LANG" in capsys.readouterr().err
    assert current_language() == "en"  # nothing leaks out of a command


def test_lang_is_an_option_of_the_commands_that_show_text():
    parser = build_parser()
    commands = {"run", "compare", "sweep", "report", "validate", "params"}
    assert commands <= {c.__name__.rsplit(".", 1)[-1] for c in COMMANDS}
    for command in commands:
        args = ["x.yaml"] if command in ("run", "validate", "compare", "sweep") else ["d"]
        parsed = parser.parse_args([command, *([] if command == "params" else args), "--lang", "zh"])
        assert parsed.lang == "zh"


def test_numbers_and_money_through_the_locale():
    assert format_number(1234567.891, "zh", 2) == "1,234,567.89"
    assert format_number(-0.0004, "zh", 2) == "0.00"
    assert format_number(0.000123, "en", significant=3) == "0.000123"
    assert format_number(float("nan"), "zh") == "–"
    assert format_percent(0.625, "zh") == "62.5%"
    assert format_yuan(134_600, "zh") == "13.46 万元"
    assert format_yuan(99_999_999, "zh") == "10,000.00 万元"
    assert format_yuan(100_000_000, "zh") == "1.00 亿元"
    assert format_yuan(2.5e9, "zh", 1) == "25.0 亿元"
    assert format_yuan(134_600, "en") == "134,600 yuan"
    assert yuan_scale(5e8, "zh") == (1e8, "亿元") and yuan_scale(5e3, "zh") == (1e4, "万元")
    assert unit_text("percentage points", "zh") == "个百分点" and unit_text("%", "zh") == "%"
    assert translate("Outcomes", "zh") == "结果" and translate("Outcomes", "en") == "Outcomes"
    with use_language("zh"):
        assert translate("Outcomes", None) == "结果" and current_language() == "zh"
    assert current_language() == "en"


def test_a_runs_stored_error_is_english_whatever_the_language():
    from sim.experiments.backends import call_safely

    def fail(_task: object) -> None:
        raise UserError(text("cli.reps_too_few", reps=0))

    with use_language("zh"):
        result = call_safely(fail, None)
    assert result.message.startswith("UserError: --reps 0: expected"), result.message


def test_the_environment_variable_is_not_read_by_library_calls(monkeypatch):
    monkeypatch.setenv(LANG_ENV, "zh")
    assert current_language() == "en" and text("cli.interrupted", prog="talentsim") == "talentsim: interrupted"
    assert os.environ[LANG_ENV] == "zh"
