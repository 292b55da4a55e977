"""Turn a spec into readable Python source: imports, data loading, one scikit-learn
``Pipeline`` per candidate with its parameter grid, the evaluation, and saving the best model.

Pure functions from a validated :class:`PipelineSpec` to text; nothing here runs anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..catalog.csvfiles import fixed_options
from ..catalog.sources import split_source
from ..catalog.targets import target_kind
from ..spec import PipelineSpec
from ..spec.pipeline import PREPROCESSING, candidate_grid, pipeline_steps, single_step
from ..spec.splitters import splitter_of, splitter_params
from .columns import WIDTH, preprocessing_code, preprocessing_entry
from .pyformat import Call, Raw, literal, prefixed, render, triple_quoted
from .searches import adaptive, adaptive_lines, drawn_by_halving, grid_nodes, search_override

_STDLIB = {"pathlib", "json", "os", "sys"}
_ALIASES = {"pandas": "import pandas as pd", "numpy": "import numpy as np"}


@dataclass(frozen=True)
class Section:
    """A piece of generated code: the imports it needs (module -> names; none for a plain
    ``import module``) and its body."""

    body: str
    imports: Mapping[str, Iterable[str]] = field(default_factory=dict)


def render_imports(*sections: Section) -> str:
    """One isort-ordered import block (standard library, then third party)."""
    merged: dict[str, set[str]] = {}
    for section in sections:
        for module, names in section.imports.items():
            merged.setdefault(module, set()).update(names)
    groups: dict[int, list[tuple[int, str, str]]] = {0: [], 1: []}
    for module, names in merged.items():
        top = module.split(".")[0]
        group = 0 if top in _STDLIB else 1  # stratum_jupyter is third party in user code
        if names:
            line = f"from {module} import {', '.join(sorted(names))}"
            if len(line) > 88:
                line = f"from {module} import (\n" + "".join(
                    f"    {n},\n" for n in sorted(names)) + ")"
            if module == "sklearn.experimental":  # imported for what it enables
                line += "  # noqa: F401"
            groups[group].append((1, module, line))
        else:
            groups[group].append((0, module, _ALIASES.get(module, f"import {module}")))
    blocks = ["\n".join(line for *_, line in sorted(g)) for g in groups.values() if g]
    return "\n\n".join(blocks)


def candidates_section(spec: PipelineSpec) -> Section:
    """``candidates = {name: (Pipeline([...]), {grid})}``."""
    imports: dict[str, set[str]] = {"sklearn.pipeline": {"Pipeline"}}
    lines = preprocessing_code(spec, imports)
    entries: dict[str, tuple[Call, dict[str, list]]] = {}
    for cand in spec.candidates:
        steps = pipeline_steps(cand, target_kind(spec.task))
        for step in steps:
            imports.setdefault(step.block.module, set()).add(step.block.name)
        calls: list[tuple[str, Any]] = [
            (step.name, Call(step.block.name, kwargs=step.params)) for step in steps]
        first, grid = preprocessing_entry(spec, cand, imports)
        if first is not None:
            calls.insert(0, (PREPROCESSING, first))
        entries[cand.name] = (Call("Pipeline", args=(calls,)),
                              grid_nodes({**grid, **candidate_grid(steps)}, imports))
    # On one line only when ``candidates = `` fits on it too.
    lines += ["# One scikit-learn Pipeline per candidate, with the grid of values to search.",
              prefixed("candidates = ", entries, 0, WIDTH)]
    return Section("\n".join(lines), imports)


def data_section(spec: PipelineSpec) -> Section:
    """Load ``X`` and ``y`` from the spec's data source, as the evaluation reads it: the same
    read options (what the spec leaves out detected by the same function), header names
    trimmed, the same roles."""
    if spec.data is None:
        return Section("# The spec names no data source: X and y must already be defined.\n"
                       "X, y = X, y  # noqa: F821, PLW0127")
    data = spec.data
    scheme, location = split_source(data.source)
    target = data.target or ("target" if scheme == "sklearn" else None)
    imports: dict[str, set[str]] = {}
    if scheme == "sklearn" and not (data.roles or data.groups or data.order_by):
        loader = f"load_{location}"
        lines = [f"X, y = {loader}(return_X_y=True, as_frame=True)"]
        imports["sklearn.datasets"] = {loader}
    else:
        lines = _read_lines(data, scheme, location, imports)
        if scheme != "sklearn":
            imports["stratum_jupyter.catalog.roles"] = {"apply_roles", "with_dates"}
            unread = list(dict.fromkeys(c for c in (target, *data.drop) if c))
            roles = Call("with_dates", args=(Raw("X"), dict(data.roles)),
                         kwargs={"skip": unread} if unread else {})
            lines += ["# Columns cast to the kind of data the spec's data.roles gives them;",
                      "# text columns of year-first dates (2024-03-31) are read as dates.",
                      f"X = apply_roles(X, {render(roles, width=WIDTH - 20)})"]
        elif data.roles:
            imports["stratum_jupyter.catalog.roles"] = {"apply_roles"}
            lines += ["# Columns cast to the kind of data the spec's data.roles gives them.",
                      f"X = apply_roles(X, {render(dict(data.roles), width=WIDTH - 20)})"]
        lines += rows_lines(data)
        lines.append(f"y = X.pop({literal(target)})" if target else "y = None")
    features = [c for c in data.features or [] if c != target]
    if features:
        lines.append(f"X = X[{render(features, width=80)}]")
    drop = [c for c in data.drop if c != target and (not features or c in features)]
    if drop:
        lines.append(f"X = X.drop(columns={render(drop, width=70)})")
    return Section("\n".join(lines), imports)


def rows_lines(data: Any) -> list[str]:
    """The rows in order of ``data.order_by`` and the group labels of ``data.groups`` taken
    out of the features, as the evaluation does (``catalog.rows``)."""
    lines = []
    if data.order_by:
        lines += ["# Rows in order of data.order_by (a stable sort) before the folds are made.",
                  f"X = X.sort_values({literal(data.order_by)}, kind=\"stable\", "
                  "na_position=\"last\")"]
    if data.groups:
        lines += ["# The group labels of the folds (data.groups): not a feature.",
                  f"groups = X.pop({literal(data.groups)})"]
    return lines


def _read_lines(data: Any, scheme: str, location: str,
                imports: dict[str, set[str]]) -> list[str]:
    """The table as ``X``: a scikit-learn data set's frame, a Parquet file, or a CSV file
    read with :func:`~stratum_jupyter.catalog.csvfiles.csv_options`' keyword arguments."""
    if scheme == "sklearn":
        imports["sklearn.datasets"] = {f"load_{location}"}
        return [f"X = load_{location}(as_frame=True).frame"]
    imports["pandas"] = set()
    if scheme != "csv":
        return _file_lines(data, scheme, imports)
    given = {key: getattr(data, key) for key in ("sep", "decimal", "encoding")}
    thousands = getattr(data, "thousands", None)
    if all(value is not None for value in given.values()):
        options: Any = fixed_options(**given, na_values=data.na_values, thousands=thousands)
        lines = []
    else:
        imports["stratum_jupyter.catalog.csvfiles"] = {"csv_options"}
        kwargs = {k: v for k, v in given.items() if v is not None}
        if data.na_values:
            kwargs["na_values"] = list(data.na_values)
        if thousands is not None:
            kwargs["thousands"] = thousands
        options = Call("csv_options", args=(Raw("data_path"),), kwargs=kwargs)
        lines = ["# Read as stratum reads it: what the spec's data leaves out (separator,",
                 "# decimal mark, encoding) is detected from the file."]
    return [*lines, f"read_options = {render(options, width=WIDTH - 15)}",
            "X = pd.read_csv(data_path, **read_options).rename(columns=str.strip)"]


def _file_lines(data: Any, scheme: str, imports: dict[str, set[str]]) -> list[str]:
    """A Parquet, Excel or JSON table as ``X``, read as :mod:`stratum_jupyter.catalog.tables`
    reads it (:mod:`stratum_jupyter.catalog.datafiles`), ``data.na_values`` marked missing."""
    if scheme == "excel":
        sheet = f", sheet_name={literal(data.sheet)}" if data.sheet is not None else ""
        lines = [f"X = pd.read_excel(data_path{sheet})",
                 "# Header cells may be numbers: columns are named by their text, as the spec",
                 "# names them.",
                 "X.columns = [str(c).strip() for c in X.columns]"]
    elif scheme == "json":
        imports["stratum_jupyter.catalog.datafiles"] = {"json_options"}
        lines = ["# One record per line (.jsonl) or an array of records; dates are found below.",
                 "X = pd.read_json(data_path, **json_options(data_path))"
                 ".rename(columns=str.strip)"]
    else:
        lines = ["X = pd.read_parquet(data_path)"]
    if data.na_values:
        imports.setdefault("stratum_jupyter.catalog.datafiles", set()).add("mark_missing")
        lines.append(f"X = mark_missing(X, {render(list(data.na_values), width=WIDTH - 20)})")
    return lines


def splitter_section(spec: PipelineSpec) -> Section:
    """The cross-validation splitter: the folds every candidate is scored on."""
    ev = spec.evaluation
    classification = spec.task == "classification"
    if ev.holdout is not None:
        cls = "StratifiedShuffleSplit" if classification else "ShuffleSplit"
        body = (f"folds = {cls}(n_splits=1, test_size={literal(ev.holdout)}, "
                "random_state=random_state)")
    elif (setting := splitter_of(ev.cv)) is not None:
        cls, params = setting
        kwargs = splitter_params(cls, params, random_state=Raw("random_state"))
        body = f"folds = {render(Call(cls, kwargs=kwargs), width=WIDTH - 8)}"
    else:
        cls = "StratifiedKFold" if classification else "KFold"
        body = (f"folds = {cls}(\n    n_splits=cv,\n    shuffle=random_state is not None,\n"
                "    random_state=random_state,\n)")
    imports = {"sklearn.model_selection": {cls}}
    if ev.test is not None:
        body = _held_out_code(spec, imports) + "\n" + body
    return Section(body, imports)


def _held_out_code(spec: PipelineSpec, imports: dict[str, set[str]]) -> str:
    """``held_out = split_test(...)``: the rows evaluation.test holds out, as the
    evaluation splits them (the same function), handed to ``evaluate(test=held_out)``."""
    imports["stratum_jupyter.evaluation.testsplit"] = {"split_test"}
    how = [f"task={literal(spec.task)}"]
    if spec.task == "classification":
        how.append("y=y")
    if spec.data is not None and spec.data.groups:
        how.append("groups=groups")
    setting = splitter_of(spec.evaluation.cv)
    if setting is not None and setting[0] == "TimeSeriesSplit":
        how.append("time_ordered=True")
    return "\n".join([
        "# The held-out test part (evaluation.test), taken out before the folds are",
        "# made and kept out of every choice: the best, refitted on the rest, is scored",
        "# once on it.",
        "held_out = split_test(",
        f"    len(X), test, {', '.join(how)},",
        "    random_state=random_state,",
        ")"])


def parameters_source(spec: PipelineSpec, out_dir: str) -> str:
    """The papermill ``parameters`` cell: what a batch run may override."""
    ev = spec.evaluation
    lines = ["# Parameters: papermill may override these (stratum run NB -o OUT -p cv 3)."]
    if ev.holdout is None and isinstance(ev.cv, int):
        lines.append(f"cv = {ev.cv}")
    lines.append(f"random_state = {literal(ev.random_state)}")
    if ev.test is not None:
        lines.append(f"test = {literal(ev.test)}")
    if spec.data is not None and split_source(spec.data.source)[0] != "sklearn":
        lines.append(f"data_path = {literal(split_source(spec.data.source)[1])}")
    if _random_candidates(spec) or drawn_by_halving(spec):
        lines.append(f"n_iter = {ev.n_iter or 10}")
    if adaptive(spec, "bayes"):
        lines += [f"n_trials = {ev.n_trials or 20}",
                  f"budget = {literal(ev.budget_seconds)}  # seconds (evaluation.budget)"]
    lines.append(f"out_dir = {literal(out_dir)}")
    return "\n".join(lines)


def _random_candidates(spec: PipelineSpec) -> list[str]:
    return [c.name for c in spec.candidates if spec.search_for(c)[0] == "random"]


def evaluation_section(spec: PipelineSpec) -> Section:
    """Cross-validate every candidate on the same folds, on Dask, and rank them."""
    random = bool(_random_candidates(spec))
    imports: dict[str, set[str]] = {"stratum_jupyter": {"evaluate"}}
    lines = [
        f"metrics = {render(spec.metrics, width=78)}",
        f"select_by = {literal(spec.select_by)}",
        "",
        *adaptive_lines(spec, imports),
        "# Every candidate on the same folds, on a Dask cluster (the current Client,",
        "# STRATUM_SCHEDULER, or a local one started once): steps the candidates share are",
        "# fitted once per fold. The spec supplies the task and each candidate's search;",
        "# random_state seeds the folds and every estimator that leaves its own unset.",
        "result = evaluate(",
        "    candidates,",
        "    X,",
        "    y,",
        "    spec=spec,",
        "    metrics=metrics,",
        "    select_by=select_by,",
        "    cv=folds,",
        "    random_state=random_state,",
    ]
    if (search := search_override(spec)) is not None:
        lines.append(f"    search={search},")
    if random:
        lines.append("    n_iter=n_iter,")
    if spec.data is not None and spec.data.groups:
        lines.append("    groups=groups,")
    if spec.evaluation.test is not None:
        lines.append("    test=held_out,")
    if spec.evaluation.ensemble is not None:
        lines[3:3] = ensemble_lines(spec, imports)
        lines.append("    ensemble=ensemble,")
    lines += [")", "leaderboard = result.leaderboard"]
    return Section("\n".join(lines), imports)


def ensemble_lines(spec: PipelineSpec, imports: dict[str, set[str]]) -> list[str]:
    """``ensemble = VotingClassifier(...)`` (or Stacking..., ...Regressor): the spec's
    evaluation.ensemble as scikit-learn's own class; the evaluation fills in its members."""
    ens = spec.evaluation.ensemble
    assert ens is not None
    kind = "Classifier" if spec.task == "classification" else "Regressor"
    kwargs: dict[str, Any] = {"estimators": []}
    if ens.method == "stacking":
        cls = f"Stacking{kind}"
        if ens.final_estimator is not None:
            step = single_step(ens.final_estimator)
            imports.setdefault(step.block.module, set()).add(step.block.name)
            kwargs["final_estimator"] = Call(step.block.name, kwargs=step.params)
        kwargs["cv"] = ens.cv
    else:
        cls = f"Voting{kind}"
        if kind == "Classifier":
            kwargs["voting"] = ens.method.split("_")[0]
    imports.setdefault("sklearn.ensemble", set()).add(cls)
    which = ("candidates (the best configuration of each)"
             if ens.members == "best_per_candidate" else "configurations")
    return [f"# The {ens.k} best {which} joined in one",
            "# scikit-learn ensemble over their pipelines: scored on the same folds and",
            "# ranked beside them.",
            f"ensemble = {render(Call(cls, kwargs=kwargs), width=WIDTH - 16)}", ""]


def save_section(spec: PipelineSpec) -> Section:
    """Save the best candidate, refitted on all data, as a model bundle (model.skops,
    profile.json, requirements.txt, leaderboard.csv). Clustering: none is saved when no
    candidate can label new rows (``result.save`` says so and returns None)."""
    said = ['score = best.metrics["mean"][select_by]',
            'print(f"best: {best.label} ({select_by} = {score:.4f})")',
            'print(f"saved to {best_dir}")']
    if spec.task == "clustering":
        said = ["if best is not None:", *(f"    {line}" for line in said)]
    body = "\n".join(['best_dir = result.save(Path(out_dir) / "best")', "best = result.best",
                      *said])
    if spec.evaluation.test is not None:
        body += ("\n# The best, refitted on the rest, on the held-out rows (never used to choose)."
                 '\nprint(f"held-out test {select_by} = {result.test[\'scores\'][select_by]:.4f}")')
    return Section(body, {"pathlib": {"Path"}})


def spec_section(spec: PipelineSpec) -> Section:
    """The spec itself as YAML: readable, editable, loadable into a builder."""
    from ..spec.io import dump_yaml

    # Narrow, so that YAML's long tokens (floats, names) still end before column 88.
    yaml_text = dump_yaml(spec.to_dict(), width=60)
    return Section(f"spec = load_spec(\n    {triple_quoted(yaml_text)}\n)",
                   {"stratum_jupyter": {"load_spec"}})


def spec_source(spec: PipelineSpec) -> str:
    """A cell holding the spec (with its import): the first cell of a generated notebook."""
    return "from stratum_jupyter import load_spec\n\n" + spec_section(spec).body


def code_sections(spec: PipelineSpec) -> list[Section]:
    """The code of a spec, in the order it runs."""
    return [data_section(spec), candidates_section(spec), splitter_section(spec),
            evaluation_section(spec), save_section(spec)]


def script_source(spec: PipelineSpec, out_dir: str = "runs/stratum") -> str:
    """The whole pipeline as one Python script.

    The work sits in ``main()`` under a ``__main__`` guard: Dask's local worker processes
    start by importing the script, which must not evaluate again.
    """
    sections = code_sections(spec)
    head = spec_section(spec)
    title = literal(f"Pipeline {spec.name or 'spec'}: generated by stratum_jupyter.")
    parts = [title, render_imports(head, *sections), parameters_source(spec, out_dir),
             head.body]
    bodies = [s.body for s in sections]
    bodies.insert(-1, "print(leaderboard.to_string())")
    main = re.sub(r"\n{3,}", "\n\n", "\n\n".join(bodies))  # one blank line in main()
    indented = "\n".join(f"    {line}" if line else "" for line in main.splitlines())
    parts.append("\ndef main() -> None:\n" + indented + "\n")
    parts.append('if __name__ == "__main__":\n    main()')
    return "\n\n".join(parts) + "\n"
