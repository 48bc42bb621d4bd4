"""Every message talentsim shows a user, worded once, as whole-sentence templates.

Why one place: a message assembled from fragments in the code that raises it cannot be
translated (word order differs between languages) and drifts in tone. Each template is
a whole sentence or paragraph with named placeholders (``{path}``, ``{key}``,
``{expected}``); the English text is also the message id a translation catalogue will
key on. ``text(template_id, **fields)`` fills one in; a placeholder left unfilled is a
bug and raises ``KeyError`` at once.

Translations: ``text`` looks the English template up in the catalogue of the current
language (``sim.i18n``: ``--lang zh``); a translation keeps every placeholder of its
template, and ``sim/locale/extract.py`` checks that it does.

This module is at the bottom of the layer order: every layer may import it, and it
imports only ``sim.i18n`` (the same layer).
"""

from __future__ import annotations

from typing import Any

from sim.i18n import translate

TEMPLATES: dict[str, str] = {
    # Sections are added by the layer that raises the message (scenario, experiments,
    # writing outputs, command line). Keep each entry a whole sentence with named
    # placeholders; never build a message by joining fragments.

    # ------------------------------------------------------------ values in files (sim.scenario.explain)
    # Shared by scenario files and sweep files. {file}: the file (or --set, or another
    # source); {key}: the dotted key; {found}: the value as the user wrote it (YAML);
    # {unit}: the parameter's unit; {allowed}: its allowed values, e.g. [0, 1];
    # {limit}: one bound. {where} is "{file}: {key}", or "{file}" when no key applies.
    "value.where": "{file}: {key}",
    "value.top_level": "(top level)",
    "value.also": "{message}; also {key}: {problem}",
    "value.problem": "{file}: {key}: {problem}",
    "value.problem_no_key": "{file}: {problem}",
    "value.shown_null": "nothing (null)",
    "value.shown_mapping": "a mapping",
    "value.shown_empty_mapping": "an empty mapping",
    "value.missing": "{file}: {key}: is required but missing",
    "value.invalid_key": "{file}: {key}: keys must be text, found the key {found}",
    "value.refused": "{file}: {key}: {reason}",
    "value.invalid": "{file}: {key}: the value {found} is not valid here: {reason}",
    "value.whole_number": "{file}: {key}: expected a whole number, found {found}",
    "value.whole_number_unit": "{file}: {key}: expected a whole number ({unit}), found {found}",
    "value.whole_number_quoted": (
        "{file}: {key}: expected a whole number, found {found} (write numbers without quotes)"),
    "value.whole_number_quoted_unit": (
        "{file}: {key}: expected a whole number ({unit}), found {found} (write numbers without quotes)"),
    "value.number": "{file}: {key}: expected a number, found {found}",
    "value.number_unit": "{file}: {key}: expected a number ({unit}), found {found}",
    "value.number_quoted": "{file}: {key}: expected a number, found {found} (write numbers without quotes)",
    "value.number_quoted_unit": (
        "{file}: {key}: expected a number ({unit}), found {found} (write numbers without quotes)"),
    "value.finite_number": "{file}: {key}: expected a finite number, found {found}",
    "value.finite_number_unit": "{file}: {key}: expected a finite number ({unit}), found {found}",
    "value.true_or_false": "{file}: {key}: expected true or false, found {found}",
    "value.text": "{file}: {key}: expected text, found {found}",
    "value.text_unquoted": (
        "{file}: {key}: expected text, found {found} (put quotes around text that YAML would read as a "
        "number, date or true/false)"),
    "value.list": "{file}: {key}: expected a list, found {found}",
    "value.list_too_short": "{file}: {key}: expected a list of at least {min_length} item(s), found {found}",
    "value.list_too_long": "{file}: {key}: expected a list of at most {max_length} item(s), found {found}",
    "value.mapping": "{file}: {key}: expected a mapping of keys under it, found {found}",
    "value.choice": "{file}: {key}: expected one of {choices}, found {found}",
    "value.whole_number_in": "{file}: {key}: expected a whole number in {allowed}, found {found}",
    "value.whole_number_in_unit": "{file}: {key}: expected a whole number in {allowed} ({unit}), found {found}",
    "value.whole_number_gt": "{file}: {key}: expected a whole number greater than {limit}, found {found}",
    "value.whole_number_gt_unit": (
        "{file}: {key}: expected a whole number greater than {limit} ({unit}), found {found}"),
    "value.whole_number_ge": "{file}: {key}: expected a whole number of at least {limit}, found {found}",
    "value.whole_number_ge_unit": (
        "{file}: {key}: expected a whole number of at least {limit} ({unit}), found {found}"),
    "value.whole_number_lt": "{file}: {key}: expected a whole number less than {limit}, found {found}",
    "value.whole_number_lt_unit": (
        "{file}: {key}: expected a whole number less than {limit} ({unit}), found {found}"),
    "value.whole_number_le": "{file}: {key}: expected a whole number of at most {limit}, found {found}",
    "value.whole_number_le_unit": (
        "{file}: {key}: expected a whole number of at most {limit} ({unit}), found {found}"),
    "value.number_in": "{file}: {key}: expected a number in {allowed}, found {found}",
    "value.number_in_unit": "{file}: {key}: expected a number in {allowed} ({unit}), found {found}",
    "value.number_gt": "{file}: {key}: expected a number greater than {limit}, found {found}",
    "value.number_gt_unit": "{file}: {key}: expected a number greater than {limit} ({unit}), found {found}",
    "value.number_ge": "{file}: {key}: expected a number of at least {limit}, found {found}",
    "value.number_ge_unit": "{file}: {key}: expected a number of at least {limit} ({unit}), found {found}",
    "value.number_lt": "{file}: {key}: expected a number less than {limit}, found {found}",
    "value.number_lt_unit": "{file}: {key}: expected a number less than {limit} ({unit}), found {found}",
    "value.number_le": "{file}: {key}: expected a number of at most {limit}, found {found}",
    "value.number_le_unit": "{file}: {key}: expected a number of at most {limit} ({unit}), found {found}",

    # ------------------------------------------------------------ scenario files (sim.scenario)
    # {file}, {key}, {where}, {found} as for values above.
    "scenario.set_in_file": "{message} (set in {origin})",
    "scenario.set_by_overrides": "{message} (set by {origin})",
    "scenario.no_such_file": "{file}: no such file",
    "scenario.is_a_directory": "{file}: is a directory, expected a YAML scenario file",
    "scenario.cannot_read": "{file}: cannot be read: {reason}",
    "scenario.too_large": (
        "{file}: is larger than {limit:,} bytes; a scenario file holds a few hundred values at most"),
    "scenario.binary": "{file}: is a binary file (it contains NUL bytes), expected YAML text",
    "scenario.not_utf8": "{file}: is not UTF-8 text (byte 0x{byte:02x} at offset {offset}); save it as UTF-8",
    "scenario.empty": (
        "{file}: is empty; expected YAML with at least one key, for example 'intake: {{cohort_size: 500}}'"),
    "scenario.only_comments": (
        "{file}: is empty (only comments); expected at least one key, for example "
        "'intake: {{cohort_size: 500}}'"),
    "scenario.top_level_not_a_mapping": (
        "{file}: expected a mapping of sections at the top level (such as 'intake:' with keys under it), "
        "found {found}"),
    "scenario.not_a_mapping": "{file}: expected a mapping of scenario sections, found {found}",
    "scenario.extends_not_a_path": (
        "{file}: {key}: expected the path of a parent scenario file, relative to this file's folder, "
        "found {found}"),
    "scenario.extends_cycle": (
        "{file}: {key}: makes a cycle of extends: {cycle}; a file cannot extend itself, directly or "
        "through others"),
    "scenario.extends_missing": (
        "{file}: {key}: names {reference!r}, but {parent} does not exist or is not a file (the path is "
        "relative to the folder of the extending file)"),
    "scenario.yaml_syntax": (
        "{where}: YAML syntax error at line {line}, column {column}: {problem}; the line reads {source!r}"),
    "scenario.yaml_syntax_no_source": "{where}: YAML syntax error at line {line}, column {column}: {problem}",
    "scenario.yaml_syntax_in_context": (
        "{where}: YAML syntax error at line {line}, column {column}: {problem} ({context} at line "
        "{context_line}); the line reads {source!r}"),
    "scenario.yaml_syntax_in_context_no_source": (
        "{where}: YAML syntax error at line {line}, column {column}: {problem} ({context} at line "
        "{context_line})"),
    "scenario.yaml_invalid": "{where}: is not valid YAML: {problem}",
    "scenario.yaml_bad_character": (
        "{where}: is not valid YAML: the character {character:#06x} at line {line}, column {column} is not "
        "allowed in YAML text"),
    "scenario.yaml_tag_value": "{where}: holds a value that cannot be read as its tag says: {reason}",
    "scenario.yaml_too_deep": "{where}: is nested too deeply to be a scenario",
    "scenario.yaml_alias_bomb": (
        "{where}: holds more than {limit:,} values, counting each alias (*name) as a full copy; a scenario "
        "needs a few hundred, so the file is refused (aliases that multiply like this are an 'alias bomb')"),
    "scenario.yaml_tag": (
        "{where}: uses the YAML tag {tag!r} (line {line}); scenario files hold only plain values (numbers, "
        "text, true/false, lists, mappings), and tags such as !!python/object that would build program "
        "objects are refused"),
    "scenario.duplicate_key": (
        "{file}: {key}: is given twice, on lines {first} and {second}; YAML would silently keep only the "
        "last one, so remove one"),
    "scenario.set_not_key_value": (
        "{file}: expected KEY=VALUE, for example school_mentors.students_per_mentor=10, found {found!r}"),
    "scenario.set_bad_key": (
        "{file}: {key}: expected a dotted key of letters, digits and underscores, for example "
        "intake.cohort_size"),
    "scenario.set_twice": "{file}: {key}: is given more than once; give each key once",
    "scenario.override_twice": "{file}: {key}: is given twice (as {first!r} and {second!r})",
    "scenario.override_not_a_section": (
        "{file}: {key}: cannot be set because {section} is {found}, not a mapping of keys"),
    "scenario.unknown_parameter": (
        "{file}: {key}: is not a parameter of the scenario (talentsim params lists every key)"),
    "scenario.unknown_parameter_suggest": (
        "{file}: {key}: is not a parameter of the scenario; did you mean {suggestion}? (talentsim params "
        "lists every key)"),
    # A key of an older model (sim.scenario.renamed.RENAMED_KEYS), in a scenario, --set,
    # sweep or calibration file. {new_key}: the dotted key to write instead; {reason}:
    # why it changed, a clause from the table.
    "scenario.renamed_key": (
        "{file}: {key}: was renamed to {new_key} ({reason}); write {new_key} instead (talentsim params --match "
        "{new_key} describes it)"),
    "scenario.removed_key": (
        "{file}: {key}: was removed from the model ({reason}); delete it"),
    # {section}: the dotted section; {valid}: its keys, comma-separated; {suggestion}: close
    # matches joined with "or"; {name}: the unknown key's last part; {sections}: the
    # sections that do have it, joined with "and".
    "scenario.unknown_key": "{file}: {key}: is not a parameter of the {section} section (valid keys here: {valid})",
    "scenario.unknown_key_suggest": (
        "{file}: {key}: is not a parameter of the {section} section; did you mean {suggestion}? (valid keys "
        "here: {valid})"),
    "scenario.unknown_key_elsewhere": (
        "{file}: {key}: is not a parameter of the {section} section; {name} is a parameter of {sections} "
        "(valid keys here: {valid})"),
    "scenario.unknown_top_level_key": (
        "{file}: {key}: is not a parameter of a scenario (top level) (valid keys here: {valid})"),
    "scenario.unknown_top_level_key_suggest": (
        "{file}: {key}: is not a parameter of a scenario (top level); did you mean {suggestion}? (valid keys "
        "here: {valid})"),
    "scenario.unknown_top_level_key_elsewhere": (
        "{file}: {key}: is not a parameter of a scenario (top level); {name} is a parameter of {sections} "
        "(valid keys here: {valid})"),
    # Checks across several values of a section (sim.scenario.schema); the reader puts
    # "{file}: {key}: " before them. {total}: the sum found; {weeks}: programme_years x
    # {weeks_per_year}.
    "scenario.custom_without_blocks": "schedule 'custom' needs calendar.custom_blocks (a list of blocks)",
    "scenario.custom_blocks_too_long": (
        "calendar.custom_blocks last {total} weeks, longer than programme_years x {weeks_per_year} = {weeks}"),
    "scenario.cohort_sizes_length": (
        "intake.cohort_sizes gives {found} cohort sizes; expected one for each of the intake.n_cohorts = {n_cohorts} "
        "cohorts, the first first (or none: every cohort intake.cohort_size)"),
    "scenario.weights_not_one": "evaluation weights must add up to 1, they add up to {total:g}",
    "scenario.host_weights_zero": "the four weights of a host's satisfaction (evaluation.host_*_weight) are all 0; "
                                  "at least one must be positive",
    # {students}: cohort size x cohorts; {estimate}, {limit}: GiB.
    "scenario.too_many_students": (
        "{file}: {key}: {cohort_size:,} students a year x {n_cohorts} cohorts = {students:,} students need "
        "about {estimate:,.1f} GiB of memory, more than {limit:,.1f} GiB (75% of this machine's memory); use "
        "fewer students (intake.cohort_size or intake.n_cohorts) or, if the machine has the memory, raise "
        "the limit with --max-memory GiB"),
    "scenario.too_many_students_for_limit": (
        "{file}: {key}: {cohort_size:,} students a year x {n_cohorts} cohorts = {students:,} students need "
        "about {estimate:,.1f} GiB of memory, more than {limit:,.1f} GiB (the limit given); use fewer "
        "students (intake.cohort_size or intake.n_cohorts) or, if the machine has the memory, raise the "
        "limit with --max-memory GiB"),
    # the same, for cohorts of different sizes (intake.cohort_sizes); {sizes}: "700, 1,400, 1,400"
    "scenario.too_many_students_by_cohort": (
        "{file}: {key}: cohorts of {sizes} students = {students:,} students need about {estimate:,.1f} GiB of "
        "memory, more than {limit:,.1f} GiB (75% of this machine's memory); use fewer students "
        "(intake.cohort_sizes) or, if the machine has the memory, raise the limit with --max-memory GiB"),
    "scenario.too_many_students_by_cohort_for_limit": (
        "{file}: {key}: cohorts of {sizes} students = {students:,} students need about {estimate:,.1f} GiB of "
        "memory, more than {limit:,.1f} GiB (the limit given); use fewer students (intake.cohort_sizes) or, if "
        "the machine has the memory, raise the limit with --max-memory GiB"),

    # ------------------------------------------------------------ city files (sim.scenario.city, city_loading)
    # {file}, {key}, {found} as for values above. {sector}: a sector's id; {sectors}: the
    # city's sectors, comma-separated; {ids}: the catalogue's ids; {names}: the names in a list.
    # Reasons a value is refused (the reader puts "{file}: {key}: " before them):
    "city.bad_name": "expected a name without dots, '=' or spaces at either end (a dotted key addresses it), "
                     "found {found}",
    "city.unknown_sector": (
        "{found} is not a major group (专业大类) of the Ministry of Education's 2021 vocational major catalogue; "
        "write its id ({ids}), its code (such as 46 or 66) or its Chinese name (such as 装备制造大类)"),
    "city.sector_twice": "the sector {sector} is named twice, as item {first} and as item {second} (counting from 0)",
    "city.cohort_year_out_of_range": "expected years of the run from 0 to {last}, found the year {year}",
    "city.cohort_size_not_positive": "the cohort size from year {year} must be at least 1 student, found {found}",
    "city.vacancies_negative": "the vacancies of year {year} must be at least 0, found {found}",
    "city.none": "none",
    # Messages about a place in a city file or an override:
    "city.unknown_key": "{file}: {key}: is not a key of the city file's {section} (valid keys here: {valid})",
    "city.unknown_key_suggest": (
        "{file}: {key}: is not a key of the city file's {section}; did you mean {suggestion}? (valid keys here: "
        "{valid})"),
    "city.unknown_top_level_key": "{file}: {key}: is not a key of a city file (valid keys here: {valid})",
    "city.unknown_top_level_key_suggest": (
        "{file}: {key}: is not a key of a city file; did you mean {suggestion}? (valid keys here: {valid})"),
    "city.name_twice": (
        "{file}: {key}: {name} is used twice, here and in {first}; give each entry its own name (a dotted key "
        "addresses an entry by it)"),
    "city.unknown_school": (
        "{file}: {key}: names the school {school}, which is not one of the city's schools ({schools}); add it "
        "under schools or correct the name"),
    "city.programme_sector_not_in_city": (
        "{file}: {key}: the programme's sector maps to {sector}, which is not one of the city's sectors "
        "({sectors}); add {sector} to sectors or map the programme's sector onto one of them"),
    "city.sector_not_in_city": (
        "{file}: {key}: {sector} is not one of the city's sectors ({sectors}); add it to sectors or correct it"),
    "city.base_unknown_programme": (
        "{file}: {key}: names the programme {programme}, which is not one of the city's programmes "
        "({programmes})"),
    "city.level_differs": (
        "{file}: {key}: the programme {programme} belongs to the school {school}, a {school_level} school, but "
        "its scenario {scenario} has programme.level {level}; set programme.level: {school_level} in the "
        "scenario, or correct the school"),
    "city.sector_map_length": (
        "{file}: {key}: gives {given} city sector(s), but the programme's scenario {scenario} has {expected} "
        "sector(s) (intake.n_sectors); give one city sector for each of the programme's sectors, in order"),
    "city.replication_failed": (
        "{file}: the city's replication with seed {seed} failed: {message}; no comparison was written. To see the "
        "whole error, run that replication alone: sim.run_city(sim.load_city('{file}'), {seed})"),
    "city.firm_key_differs": (
        "{file}: {key}: programme {programme} gives the city's shared firms {firm_key} = {value}, but programme "
        "{first} gives {first_value}; the programmes of a city share one pool of firms and mentors, so they must "
        "agree on every key the firms act on (the enterprises, enterprise_mentors and participation sections, and "
        "the firm-facing incentives): set the same value in both programme files, or override it for every programme"),
    "city.committed_places": (
        "{file}: {key}: a city's programmes share one pool of firms, so a programme cannot enrol to the places the "
        "firms commit to it; set intake.enrol_to_committed_places to false in the city's programme files"),
    "city.no_pool": (
        "{file}: {key}: a city of several programmes needs its enterprise pool: list the city's enterprises by "
        "sector (enterprises: [{{sector: ..., count: ...}}])"),
    "city.cohort_year_beyond": (
        "{file}: {key}: changes the cohort size from year {year}, but the programme enrols only {n_cohorts} "
        "cohort(s) (intake.n_cohorts: years 0 to {last}); raise intake.n_cohorts or remove the year"),
    "city.horizons_differ": (
        "{file}: {key}: the programme {programme} runs {years} years (simulation.horizon_years) and the "
        "programme {first} {first_years}; the programmes of a city share one clock, so give them the same "
        "horizon"),
    "city.in_programme": "{message} (the scenario of the programme {programme} in {file})",
    "city.set_not_key_value": (
        "{file}: expected KEY=VALUE with a dotted key, for example programmes.mechatronics.intake.cohort_size=900, "
        "found {found!r}"),
    "city.no_such_programme": (
        "{file}: {key}: the city has no programme named {name} (its programmes: {names})"),
    "city.no_such_entry": "{file}: {key}: {section} has no entry named {name} (its entries: {names})",
    "city.set_whole_item": (
        "{file}: {key}: names a whole entry; set one of its keys, for example "
        "programmes.mechatronics.intake.cohort_size=900"),
    # {students}: over every programme and cohort; {estimate}, {limit}: GiB.
    "city.too_many_students": (
        "{file}: {key}: the city's {n_programmes} programme(s) enrol {students:,} students, who need about "
        "{estimate:,.1f} GiB of memory, more than {limit:,.1f} GiB (75% of this machine's memory); use fewer "
        "students or, if the machine has the memory, raise the limit with --max-memory GiB"),
    "city.too_many_students_for_limit": (
        "{file}: {key}: the city's {n_programmes} programme(s) enrol {students:,} students, who need about "
        "{estimate:,.1f} GiB of memory, more than {limit:,.1f} GiB (the limit given); use fewer students or, if "
        "the machine has the memory, raise the limit with --max-memory GiB"),

    # ------------------------------------------------------------ sweep files (sim.experiments.spec)
    # {file}: the sweep file; {key}: where in it, e.g. parameters[intake.cohort_size].bounds.
    "sweep.not_a_mapping": (
        "{file}: expected a mapping with keys such as design, parameters, reps, seed; found {found}"),
    "sweep.unknown_key": "{file}: {key}: is not a key of a sweep file here (valid keys: {valid})",
    "sweep.unknown_key_suggest": (
        "{file}: {key}: is not a key of a sweep file here; did you mean {suggestion}? (valid keys: {valid})"),
    "sweep.base_missing": (
        "{file}: {key}: names {base!r}, but {path} does not exist or is not a file (the path is relative to "
        "the sweep file's folder)"),
    "sweep.not_variable": "{file}: {key}: is a {kind} and cannot be varied by a sweep",
    "sweep.grid_needs_levels": "{file}: {key}: a grid needs 'levels: [...]' for every parameter",
    "sweep.grid_takes_levels_only": (
        "{file}: {key}: a grid takes levels only; bounds and distribution are for lhs, sobol and morris "
        "designs"),
    "sweep.repeated_level": "{file}: {key}: repeats a level: {levels}",
    "sweep.levels_need_a_grid": (
        "{file}: {key}: a {design} design samples values within 'bounds: [low, high]'; levels are for a "
        "grid design"),
    "sweep.needs_bounds": "{file}: {key}: a {design} design needs 'bounds: [low, high]' for every parameter",
    "sweep.not_a_number": (
        "{file}: {key}: is a {kind} parameter, not a number; vary it in a grid with levels"),
    # {shape}: what the values mean, e.g. [low, high] or [mean, sd].
    "sweep.bounds_count": "{file}: {key}: a {distribution} distribution takes {count} values {shape}, found {bounds}",
    "sweep.bounds_reversed": (
        "{file}: {key}: are reversed: low {low:g} is above high {high:g}; write [{high:g}, {low:g}]"),
    "sweep.bounds_equal": (
        "{file}: {key}: low and high are both {low:g}; a parameter that does not vary belongs in the base "
        "scenario, not in the sweep"),
    "sweep.bounds_one_whole_number": "{file}: {key}: [{low:g}, {high:g}] holds a single whole number once rounded",
    "sweep.peak_not_a_share": "{file}: {key}: the peak {peak:g} must be a share of the width, in [0, 1)",
    "sweep.sd_not_positive": "{file}: {key}: the standard deviation {sd:g} must be above 0",
    "sweep.grid_has_no_samples": (
        "{file}: {key}: a grid has one point per combination of levels; remove samples (use lhs or sobol to "
        "choose the number of points)"),
    "sweep.needs_samples": "{file}: {key}: a {design} design needs 'samples: N'",
    "sweep.sobol_power_of_two": (
        "{file}: {key}: sobol (Saltelli) needs samples to be a power of 2 for its Sobol' sequence to keep its "
        "properties; found {samples}, use {lower} or {higher}"),
    "sweep.sobol_two_parameters": "{file}: {key}: a sobol design needs at least 2 parameters",
    "sweep.morris_trajectories": "{file}: {key}: a morris design needs at least 2 trajectories, found {samples}",
    "sweep.morris_levels_odd": "{file}: {key}: must be even (SALib's Morris grid), found {levels}",
    # Running a sweep (sim.experiments.sweep). {problem}: the scenario's own message
    # after its key; {unknown}, {outcomes}: outcome names, comma-separated.
    "sweep.value_refused": (
        "{file}: {key}: the design gives it the value {value!r}, which the scenario refuses: {problem}"),
    "sweep.unknown_outcomes": (
        "{file}: {key}: lists outcomes the model does not produce: {unknown} (its outcomes are {outcomes}); "
        "the runs are stored, so fix the list and rerun"),

    # ------------------------------------------------------------ what a run's horizon leaves out (sim.results)
    # {scenario}: the scenario's name; {horizon_years}: simulation.horizon_years;
    # {cohorts}, {n_cohorts}: cohorts concerned, cohorts in all; {needed_years}: the
    # shortest horizon that avoids it. Printed after "{prog}: warning: " and kept in manifest.json.
    "horizon.cohorts_unfinished": (
        "{scenario}: the horizon of {horizon_years} years ends before {cohorts} of the {n_cohorts} cohorts "
        "finish the programme; their completion, dropout, certificate, score and employment figures are not "
        "counted (the rates cover finished cohorts only, and are empty when none finished), and "
        "n_still_enrolled and n_dropped_out say who was still enrolled and who left; set "
        "simulation.horizon_years to at least {needed_years} to see every cohort finish"),
    "horizon.follow_up_cut": (
        "{scenario}: the horizon of {horizon_years} years ends before the 12-month follow-up of {cohorts} of "
        "the {n_cohorts} cohorts; employment 6 and 12 months after graduation counts only the graduates "
        "followed that long; set simulation.horizon_years to at least {needed_years} to follow every cohort"),

    # ------------------------------------------------------------ calibration files (sim.calibration.spec)
    # {file}: the calibration file; {key}: where in it, e.g. parameters[attrition.x].bounds, targets[0].se.
    "calibration.not_a_mapping": (
        "{file}: expected a mapping with keys such as method, seed, budget, scenarios, parameters, targets; "
        "found {found}"),
    "calibration.unknown_key": "{file}: {key}: is not a key of a calibration file here (valid keys: {valid})",
    "calibration.unknown_key_suggest": (
        "{file}: {key}: is not a key of a calibration file here; did you mean {suggestion}? (valid keys: {valid})"),
    "calibration.not_a_number": (
        "{file}: {key}: is a {kind} parameter, not a number; only numeric parameters can be calibrated"),
    "calibration.unknown_scenario": (
        "{file}: {key}: names the scenario {name!r}, which is not under 'scenarios:' (named there: {names})"),
    "calibration.unknown_outcome": (
        "{file}: {key}: is not an outcome of the model (the outcome registry, sim.outcomes, lists every one)"),
    "calibration.unknown_outcome_suggest": (
        "{file}: {key}: is not an outcome of the model; did you mean {suggestion}? (the outcome registry, "
        "sim.outcomes, lists every one)"),
    "calibration.target_twice": (
        "{file}: {key}: repeats the scenario and outcome of targets[{first}]; give each figure once (as a band "
        "if two sources differ)"),
    "calibration.budget_missing": (
        "{file}: {key}: needs 'simulations: N' (talentsim runs for the fit) or 'wall_time_minutes: M', or both"),
    "calibration.budget_too_small": (
        "{file}: {key}: {simulations} simulations cannot fit: one evaluation runs every scenario reps times "
        "({per_evaluation} runs) and the method needs at least {needed}"),
    "calibration.budget_spent_early": (
        "{file}: {key}: the budget ran out after {simulations} simulations, before the first generation of "
        "{population} particles was complete, so there is no posterior; raise budget.simulations or "
        "budget.wall_time_minutes"),
    "calibration.bounds_not_finite": "{file}: {key}: expected two finite numbers [low, high], found [{low}, {high}]",
    "calibration.bounds_reversed": (
        "{file}: {key}: are reversed: low {low:g} is above high {high:g}; write [{high:g}, {low:g}]"),
    "calibration.bounds_equal": (
        "{file}: {key}: low and high are both {low:g}; a parameter that is not uncertain belongs in the "
        "scenario, not among the free parameters"),
    "calibration.bounds_one_whole_number": (
        "{file}: {key}: [{low:g}, {high:g}] holds fewer than two whole numbers, and the parameter takes whole "
        "numbers"),
    "calibration.normal_needs_mean_sd": "{file}: {key}: a normal prior needs 'mean' and 'sd' (and its 'bounds')",
    "calibration.sd_not_positive": "{file}: {key}: the standard deviation {sd:g} must be above 0",
    "calibration.mean_outside_bounds": "{file}: {key}: the mean {mean:g} lies outside the bounds [{low:g}, {high:g}]",
    "calibration.mean_sd_only_normal": (
        "{file}: {key}: 'mean' and 'sd' belong to a normal prior; a {prior} prior takes only 'bounds'"),
    "calibration.log_uniform_not_positive": (
        "{file}: {key}: a log-uniform prior needs bounds above 0, found low {low:g}"),
    "calibration.value_or_band": (
        "{file}: {key}: give either 'value' with its standard error 'se', or 'band: [low, high]', not both "
        "and not neither"),
    "calibration.band_empty": (
        "{file}: {key}: low and high are both {low:g}; give a single figure as 'value' with its 'se'"),
    "calibration.value_needs_se": (
        "{file}: {key}: a 'value' needs its standard error 'se' (how far the observed figure may be from the "
        "truth); without one, give a 'band'"),
    "calibration.value_not_finite": "{file}: {key}: expected a finite number, found {value}",
    "calibration.se_not_positive": "{file}: {key}: the standard error must be a finite number above 0, found {se}",
    "calibration.scenario_missing": (
        "{file}: {key}: names {scenario!r}, but {path} does not exist or is not a file (the path is relative "
        "to the calibration file's folder)"),
    "calibration.bound_refused": (
        "{file}: {key}: the bound {value!r} is refused by the scenario {scenario}: {problem}"),
    # Running a calibration (sim.calibration). {values}: parameter values by key; {seed}: the run's seed.
    "calibration.run_failed": (
        "a model run failed at the parameter values {values} with seed {seed}: {exception}: {message}"),
    "calibration.optuna_local_only": (
        "the optuna point fit runs on this machine only: use --workers N instead of --scheduler, or method "
        "abc-smc for a Dask cluster"),
    # Progress on stderr. {simulations}: talentsim runs so far; {seconds}: since this session started.
    "calibration.progress_prior": (
        "prior sample: {evaluations} evaluations ({simulations:,} simulations), {seconds:.0f} s"),
    "calibration.progress_generation": (
        "generation {generation} of at most {generations}: temperature {temperature:.3g} (1 gives the exact "
        "posterior), {accepted} accepted of {evaluations} evaluated ({rate:.0%}); {simulations:,} simulations "
        "so far, {seconds:.0f} s"),
    "calibration.progress_cut": (
        "generation {generation} stopped unfinished: the budget ran out after {evaluations} evaluations "
        "({accepted} accepted); the posterior is the previous generation's"),
    "calibration.resuming": (
        "resuming the ABC-SMC history in {db}: {generations} generation(s) stored, {simulations:,} simulations "
        "so far"),
    "calibration.already_done": (
        "the ABC-SMC history in {db} is finished ({generations} generation(s), {simulations:,} simulations); "
        "writing the outputs again"),
    "calibration.resuming_trials": (
        "resuming the Optuna study in {db}: {trials} trial(s) stored, {simulations:,} simulations so far"),
    "calibration.progress_trial": "trial {trial} of {trials}: score {score:.4g} (best {best:.4g}), {seconds:.0f} s",
    "calibration.progress_checks": (
        "checks: {draws} posterior draws x {reps} replication(s), each draw on its own seeds, and a pilot of {pilot} "
        "replications of the fitted point on seeds the fit did not use ({runs} runs)"),
    "calibration.progress_verdict": (
        "verdict at the fitted point: {reps} replications in all, so that each target's Monte Carlo standard error "
        "is at most {share:.0%} of its width ({runs} more runs)"),
    # The fitted scenario file's opening comment (lines of '# ...').
    "calibration.fitted_header": (
        "Fitted by talentsim calibrate {calibration} ({method}, master seed {seed}) on {date}.\n"
        "The values below are the {point} of the parameters the targets identify; parameters they do not\n"
        "identify keep the value of the scenario this file extends. Targets, posterior and checks: {folder}"),
    # The printed summary.
    "calibration.summary_abc": (
        "ABC-SMC: {generations} generation(s), {evaluations:,} evaluations = {simulations:,} simulations in "
        "{minutes:.1f} min on {sampler}; final temperature 1 (the exact posterior); effective sample size "
        "{ess:.0f} of {particles} particles"),
    "calibration.summary_abc_tempered": (
        "ABC-SMC: {generations} generation(s), {evaluations:,} evaluations = {simulations:,} simulations in "
        "{minutes:.1f} min on {sampler}; the budget ran out at temperature {temperature:.3g}, above 1, so the "
        "posterior is wider than the exact one (raise the budget and rerun with the same --out to continue); "
        "effective sample size {ess:.0f} of {particles} particles"),
    "calibration.summary_point": (
        "Optuna point fit: {evaluations:,} trials = {simulations:,} simulations in {minutes:.1f} min (a point, "
        "no posterior)"),
    "calibration.summary_targets_header": (
        "targets at the fitted point ({point}): the mean of {reps} replications on seeds the fit did not use, ± its "
        "Monte Carlo standard error; the 90% posterior predictive band of {draws} posterior draws, each on its own "
        "seeds:"),
    "calibration.summary_targets_header_point": (
        "targets at the fitted point ({point}): the mean of {reps} replications on seeds the fit did not use, ± its "
        "Monte Carlo standard error:"),
    "calibration.target_value_met": (
        "  met      {outcome} @ {scenario}: simulated {simulated} ± {mcse} (90% predictive {low} to {high}); "
        "observed {value} ± {se} (z = {z})"),
    "calibration.target_value_below": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse} (90% predictive {low} to {high}); "
        "observed {value} ± {se}: {gap} below it, {ses} standard errors"),
    "calibration.target_value_above": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse} (90% predictive {low} to {high}); "
        "observed {value} ± {se}: {gap} above it, {ses} standard errors"),
    "calibration.target_band_met": (
        "  met      {outcome} @ {scenario}: simulated {simulated} ± {mcse} (90% predictive {low} to {high}); "
        "observed band {band_low} to {band_high}"),
    "calibration.target_band_below": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse} (90% predictive {low} to {high}); "
        "observed band {band_low} to {band_high}: {gap} below the band ({widths} band widths)"),
    "calibration.target_band_above": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse} (90% predictive {low} to {high}); "
        "observed band {band_low} to {band_high}: {gap} above the band ({widths} band widths)"),
    # The same for a point fit, which has no posterior draws. {mcse}: the simulated mean's Monte Carlo error.
    "calibration.point_value_met": (
        "  met      {outcome} @ {scenario}: simulated {simulated} ± {mcse}; observed {value} ± {se} "
        "(z = {z})"),
    "calibration.point_value_below": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse}; observed {value} ± {se}: "
        "{gap} below it, {ses} standard errors"),
    "calibration.point_value_above": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse}; observed {value} ± {se}: "
        "{gap} above it, {ses} standard errors"),
    "calibration.point_band_met": (
        "  met      {outcome} @ {scenario}: simulated {simulated} ± {mcse}; observed band {band_low} "
        "to {band_high}"),
    "calibration.point_band_below": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse}; observed band {band_low} "
        "to {band_high}: {gap} below the band ({widths} band widths)"),
    "calibration.point_band_above": (
        "  NOT MET  {outcome} @ {scenario}: simulated {simulated} ± {mcse}; observed band {band_low} "
        "to {band_high}: {gap} above the band ({widths} band widths)"),
    "calibration.summary_parameters_header": "parameters:",
    "calibration.parameter_identified": (
        "  {key}: median {median} (90% credible {low} to {high}); posterior sd {ratio} of the prior's: "
        "identified"),
    "calibration.parameter_not_identified": (
        "  {key}: median {median} (90% credible {low} to {high}); posterior sd {ratio} of the prior's: not "
        "identified by these targets (keeps its assumption)"),
    "calibration.parameter_point": "  {key}: {value} (point fit: identification not assessed)",
    "calibration.summary_fitted_file": "fitted scenario: {path}",
    "calibration.verdict_se_above": (
        "after {reps} replications, the most the verdict runs, the Monte Carlo standard error of {targets} is still "
        "above {share:.0%} of the target's width: its verdict is less sure than the rule asks"),
    "calibration.verdict_fitted": "fitted: all {met} targets met",
    "calibration.verdict_not_fitted": "did not fit: {unmet} of {total} targets not met ({targets})",
    # compare --posterior (sim.calibration.posterior). {folder}: the --posterior folder.
    "calibration.posterior_not_a_calibration": (
        "--posterior {folder}: is not the folder of a finished talentsim calibrate (its manifest.json is "
        "missing or of another kind)"),
    "calibration.posterior_point_fit": (
        "--posterior {folder}: holds an optuna point fit, which has no posterior to draw from; calibrate with "
        "method abc-smc"),
    "calibration.posterior_unreadable": "--posterior: {path} cannot be read ({reason})",
    # {manifest}: the folder's manifest.json; {found}: the model version recorded there;
    # {current}: this talentsim's (sim.model_version.MODEL_VERSION).
    "calibration.posterior_other_model": (
        "--posterior {folder}: this posterior was made with model version {found} (recorded in {manifest}), but "
        "this talentsim is model version {current}; the model's mechanisms have changed since, so the posterior "
        "no longer describes its parameters. Rerun talentsim calibrate with the same calibration file and a new "
        "--out, and pass that folder to --posterior"),
    "calibration.posterior_unversioned": (
        "--posterior {folder}: this posterior was made by an older model with no version stamp ({manifest} "
        "records none), and this talentsim is model version {current}; the model's mechanisms have changed "
        "since, so the posterior no longer describes its parameters. Rerun talentsim calibrate with the same "
        "calibration file and a new --out, and pass that folder to --posterior"),
    "calibration.posterior_lever": (
        "--posterior: the scenario {scenario} sets {key} to {value!r} and {reference} to {reference_value!r}, "
        "but the calibration fits {key}, and its posterior draws would replace both; compare scenarios that "
        "differ in other parameters"),
    "calibration.posterior_table_header": (
        "paired difference over posterior draws (replication k uses draw k in every scenario): median [5%, 95% "
        "quantiles]"),
    "calibration.posterior_table_row": (
        "{scenario} - {baseline}  {outcome}: {median} [{low}, {high}] over {n} draws"),
    # The command line (sim.cli.calibrate). {folder}: the calibration folder.
    "cli.calibrate_done": "calibration folder: {folder} (manifest.json, targets.csv, parameters.csv)",
    "cli.calibrate_not_fitted": (
        "{prog}: did not fit: {unmet} of {total} targets are not met at the fitted point (see {folder}/targets.csv); "
        "the model may not reach them with these parameters and priors"),
    "cli.compare_posterior_done": "posterior quantiles in {path}",

    # ------------------------------------------------------------ command line (sim.cli)
    # {prog}: the program's name, talentsim.
    "cli.error": "{prog}: error: {message}",
    "cli.warning": "{prog}: warning: {message}",
    "cli.interrupted": "{prog}: interrupted",
    "cli.interrupted_resumable": (
        "{prog}: interrupted; the finished runs are stored in {folder}: rerun with --out {folder} to finish "
        "the rest"),
    "cli.runs_failed": (
        "{prog}: {failed} of {total} runs failed; their errors are in the 'error' column of {table} and "
        "their tracebacks in {tracebacks}"),
    "cli.max_memory_not_a_number": "expected a number of GiB such as 16 or 0.5, found {found!r}",
    "cli.max_memory_not_positive": "expected a positive number of GiB, found {found!r}",
    "cli.no_parameter_matches": "--match {match!r}: no parameter key contains it; 'talentsim params' lists every key",
    "cli.reps_too_few": "--reps {reps}: expected a whole number of replications, at least 1",
    "cli.seed_negative": "--seed {seed}: expected a whole number of at least 0",
    "cli.model_not_module_function": (
        "--model expects MODULE:FUNCTION, e.g. sim.experiments.models:ishigami; found {found!r}"),
    "cli.model_cannot_import": "--model {model}: cannot import module {module!r} ({reason})",
    "cli.model_no_function": "--model {model}: module {module!r} has no function {function!r}",
    # What the commands print when they succeed.
    "cli.file_valid": "ok  {file}",
    "cli.city_run_done": (
        "{prog} run: city {city}, {programmes} programmes together, {reps} replication(s) from seed {seed}, "
        "in {seconds:.1f} s. The city's outcomes (programmes' counts summed, rates over all their students "
        "together; the firms' are the pool's):"),
    "cli.compare_cities_model": (
        "compare: --model {model} runs a model function on scenarios, not city files: a city runs the talent "
        "model (leave out --model, or compare programme scenarios)"),
    "cli.compare_cities_only": (
        "compare: city files can be compared only with city files, but these are programme scenarios: {files}; "
        "compare the cities, or run the programme as a city of one (a city file listing it alone)"),
    "cli.run_done": "{prog} run: {scenario} (seed {seed}), {seconds:.1f} s",
    "cli.run_done_replications": (
        "{prog} run: {scenario} ({reps} replications, master seed {seed}), {seconds:.1f} s"),
    "cli.output_folder": "output folder: {folder}",
    "cli.compare_done": "results in {folder} (comparison.csv and differences.csv hold every outcome)",
    "cli.sweep_done": "{points} points x {reps} replications = {runs} runs; results in {folder}",
    "cli.charts_and_report": "charts in {charts}, report {report}",

    # ------------------------------------------------------------ writing outputs (sim.atomic and its callers)
    # {path}: the file or folder that could not be written; {reason}: the operating
    # system's words for the cause (strerror), e.g. "No space left on device".
    "output.no_space": (
        "Cannot write {path}: {reason}. Free some space on that disk, or choose an output folder (--out) on "
        "another disk, and run the command again; nothing was left half-written."),
    "output.not_permitted": (
        "Cannot write {path}: {reason}. Choose an output folder (--out) you are allowed to write to, or change "
        "the folder's permissions, and run the command again; nothing was left half-written."),
    "output.not_a_folder": (
        "Cannot write {path}: {folder} is a file, not a folder. Choose another output folder (--out), or move "
        "that file away, and run the command again; nothing was left half-written."),
    "output.out_is_a_file": (
        "--out {path} is an existing file, not a folder: talentsim writes its results into a folder. Choose a "
        "folder that does not exist yet (talentsim creates it) or an empty one; the file was left untouched."),
    "output.folder_not_empty": (
        "--out {path}: the folder already holds files; talentsim never overwrites an earlier run. Choose a new "
        "folder, or leave --out out for a fresh one under outputs/."),
    "output.os_error": (
        "Cannot write {path}: {reason}. Fix the cause or choose another output folder (--out), and run the "
        "command again; nothing was left half-written."),
    "output.store_kept": (
        "Cannot write {path}: {reason}. The runs already stored in {folder} are kept and nothing was left "
        "half-written: fix the cause (free some space, or allow writing there), then run the same command "
        "with --out {folder} again to finish the rest."),
    # {attempts}: how many names were tried (sim.experiments.manifest.new_output_dir).
    "output.no_fresh_folder": (
        "Cannot create a new output folder next to {path}: the names {path}, {path}-2 ... {path}-{attempts} "
        "are all taken. Move old output folders away, or choose a folder with --out, and run the command "
        "again."),

    # ------------------------------------------------------------ experiment folders (sim.experiments.store, .runner)
    # {folder}: the experiment folder (--out); {path}: a file in it; {reason}: why it could
    # not be read; {kind}, {found}, {expected}: experiment kinds (sweep, compare).
    "store.in_use": (
        "{folder} is in use by another talentsim process; wait for it to finish or choose another --out"),
    "store.not_an_experiment": (
        "{folder} already exists and holds files that are not a talentsim experiment ({spec_file} is "
        "missing); choose a new --out"),
    "store.unreadable_definition": "{path} cannot be read ({reason}); choose a new --out",
    "store.other_kind": "{folder} holds a {found} experiment, not a {expected}; choose a new --out",
    # {changed}: the definition's keys that differ, comma-separated.
    "store.different_definition": (
        "{folder} holds runs of a different {kind} (changed since it was started: {changed}); mixing them "
        "would corrupt the results. Choose a new --out, or restore the original definition to resume"),
    "store.different_definition_unnamed": (
        "{folder} holds runs of a different {kind} (its definition changed since it was started); mixing "
        "them would corrupt the results. Choose a new --out, or restore the original definition to resume"),
    "store.unreadable_run": (
        "{path} is not a readable run file ({reason}); remove it to rerun that run, or choose a new --out"),
    # {point}, {rep}: the run; {stored_params}, {stored_seed}: what the folder holds;
    # {params}, {seed}: what this experiment gives the run.
    "store.run_mismatch": (
        "{folder} holds run (point {point}, replication {rep}) with other parameter values or another seed "
        "than this experiment gives it (stored {stored_params}, seed {stored_seed}; now {params}, seed "
        "{seed}); choose a new --out"),
    "store.run_mismatch_unnamed": (
        "A stored run (point {point}, replication {rep}) has other parameter values or another seed than "
        "this experiment gives it (stored {stored_params}, seed {stored_seed}; now {params}, seed {seed}); "
        "choose a new --out"),

    # ------------------------------------------------------------ where runs execute (sim.experiments.backends)
    # Failed runs' messages go into the 'error' column of the results. {exception}: the
    # exception's class name; {message}, {reason}: its text; {signal}: the signal's name
    # (SIGKILL) or number; {status}: a process's exit status.
    "backends.raised": "{exception}: {message}",
    "backends.function_not_loaded": "the run's function could not be loaded earlier",
    "backends.cannot_load_run": "the worker could not load the run: {exception}: {message}",
    "backends.result_not_sent": "the run's result could not be sent back: {reason}",
    "backends.lost_killed": "the worker process running this run was killed by signal {signal}, on both attempts",
    "backends.lost_killed_out_of_memory": (
        "the worker process running this run was killed by signal {signal} (out of memory?), on both attempts"),
    "backends.lost_exited": "the worker process running this run exited with status {status}, on both attempts",
    "backends.retry_killed": "a worker process was killed by signal {signal}; retrying its run once",
    "backends.retry_killed_out_of_memory": (
        "a worker process was killed by signal {signal} (out of memory?); retrying its run once"),
    "backends.retry_exited": "a worker process exited with status {status}; retrying its run once",
    "backends.start_killed": (
        "a worker process was killed by signal {signal} while starting (before running anything). If a "
        "script starts the experiment, put the call under 'if __name__ == \"__main__\":' (worker processes "
        "are started with the spawn method, which imports the main module again)"),
    "backends.start_killed_out_of_memory": (
        "a worker process was killed by signal {signal} (out of memory?) while starting (before running "
        "anything). If a script starts the experiment, put the call under 'if __name__ == \"__main__\":' "
        "(worker processes are started with the spawn method, which imports the main module again)"),
    "backends.start_exited": (
        "a worker process exited with status {status} while starting (before running anything). If a "
        "script starts the experiment, put the call under 'if __name__ == \"__main__\":' (worker processes "
        "are started with the spawn method, which imports the main module again)"),
    "backends.start_not_ready": (
        "a worker process was still not ready {seconds:g} s after it was started (before running anything). "
        "If a script starts the experiment, put the call under 'if __name__ == \"__main__\":' (worker "
        "processes are started with the spawn method, which imports the main module again)"),
    # {address}: the --scheduler address; {seconds}: how long it was tried.
    "backends.scheduler_unreachable": (
        "no Dask scheduler answered at '{address}' within {seconds:g} s ({exception}: {reason}); start one "
        "with 'dask scheduler' and 'dask worker ADDRESS', check the address, or use '--scheduler local' or "
        "'--workers N'"),
    "backends.workers_too_few": "--workers {workers}: expected a whole number of worker processes, at least 1",
    "backends.batch_too_small": "--batch {batch}: expected a whole number of runs to simulate together, at least 1",
    "backends.workers_with_scheduler": (
        "--workers {workers} cannot size the cluster at {scheduler}: its size is the number of 'dask worker' "
        "processes started for it; drop --workers (or use --scheduler local)"),

    # ------------------------------------------------------------ progress of runs (sim.experiments.progress)
    # The closing line on stderr. {finished}, {failed}: runs of this session; {skipped}:
    # runs stored before it; {to_go}: runs not done when Ctrl-C stopped it.
    "progress.done": "{finished} runs done, {failed} failed, in {seconds:.1f} s",
    "progress.done_resumed": "{finished} runs done, {failed} failed, in {seconds:.1f} s ({skipped} already stored)",
    "progress.interrupted": (
        "{finished} runs done, {failed} failed, in {seconds:.1f} s; interrupted with {to_go} runs to go"),
    "progress.interrupted_resumed": (
        "{finished} runs done, {failed} failed, in {seconds:.1f} s ({skipped} already stored); interrupted "
        "with {to_go} runs to go"),

    # ------------------------------------------------------------ charts and reports (sim.report)
    # {folder}: the output folder given; {path}: a file in it; {expected}: the files that
    # mark an output folder, with their kind; {found}, {expected} in wrong_kind: commands.
    "reporting.no_such_folder": (
        "{folder} does not exist; give the output folder of talentsim run, compare or sweep"),
    "reporting.not_a_folder": (
        "{folder} is a file, not a folder; give the output folder of talentsim run, compare or sweep"),
    "reporting.empty_folder": "{folder} is empty; give the output folder of talentsim run, compare or sweep",
    "reporting.not_an_output_folder": (
        "{folder} is not a talentsim output folder: it has none of {expected}; an interrupted experiment "
        "writes them only when it finishes - rerun it with --out {folder}"),
    "reporting.unreadable_file": "{path} cannot be read ({reason})",
    "reporting.unreadable_table": "{path} cannot be read as a table ({exception}: {reason})",
    "reporting.wrong_kind": "{folder} holds the output of talentsim {found}, not {expected}",
    # Notes shown in the report: why a part of it is missing. {name}: a file;
    # {scenario}: a scenario's label.
    "reporting.manifest_missing": "{name} is missing: scenarios, seeds and versions are not recorded.",
    "reporting.table_missing": "{name} is missing: the charts that need it are left out.",
    "reporting.no_common_random_numbers": (
        "Common random numbers were off: differences include noise between runs."),
    "reporting.scenario_no_longer_loads": (
        "{scenario}: the recorded scenario no longer loads ({reason}); its time series and distributions are "
        "left out."),
    "reporting.not_reproduced": (
        "{scenario}: re-running replication 0 no longer reproduces the stored outcomes (the model changed "
        "since the comparison ran); its time series and distributions are left out."),

    # ------------------------------------------------------------ Mesa agent views (sim.model._ArrayAgent)
    # {agent}: the agent class; {population}: where its arrays live, e.g. "model.world.enterprises";
    # {names}: the attributes that can be set, comma-separated.
    "agents.unknown_attribute": (
        "{agent} has no attribute {name!r} to set. An agent's attributes are its row of the arrays in "
        "{population}: {names}."),
    "agents.derived_attribute": (
        "{agent}.{name} is computed from the attributes {population} stores and cannot be set; set those "
        "instead: {names}."),
    "agents.not_a_whole_number": (
        "{agent}.{name} holds whole numbers ({dtype}) and cannot hold {value!r} unchanged; give a whole number "
        "in its range."),
    "agents.not_true_or_false": (
        "{agent}.{name} holds True or False and cannot hold {value!r} unchanged; give True or False."),
}


def text(template_id: str, lang: str | None = None, /, **fields: Any) -> str:
    """The message ``template_id`` in ``lang`` with its placeholders filled in.

    Args:
        template_id: the template's id, e.g. ``value.number_unit``.
        lang: the language (None: the current language of ``sim.i18n``); the English
            template is the message id of its translations. ``text(id, "en", ...)`` is for
            text stored with results (a failed run's ``error``), the same in every language.
        **fields: the placeholders' values.

    Raises:
        KeyError: ``template_id`` is not a template, or a placeholder has no value.
    """
    return translate(TEMPLATES[template_id], lang).format(**fields)
