"""Generated code treats each column as the evaluation does (catalog.column_kinds):
identifiers left out of X, each free-text column vectorised on its own, the same scores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter import load_spec
from stratum_jupyter.codegen.python import (
    candidates_section,
    data_section,
    render_imports,
    script_source,
)
from stratum_jupyter.evaluation.prepare import prepare

ROWS = 200


def _table(path: Path) -> None:
    rng = np.random.default_rng(0)
    good = rng.integers(0, 2, ROWS)
    words = np.array(["a fine and moving film", "a dull and tired film"])
    pd.DataFrame({
        "Unnamed: 0": np.arange(ROWS), "ticket": [f"T{i:04d}" for i in rng.permutation(ROWS)],
        "review": [f"{words[g]} number {i}" for i, g in enumerate(good)],
        "genre": rng.choice(["drama", "comedy"], ROWS), "length": rng.normal(100, 10, ROWS),
        "good": good}).to_csv(path, index=False)


def _spec(path: Path):
    return load_spec({
        "version": 1, "name": "films", "task": "classification",
        "data": {"source": f"csv:{path}", "target": "good", "roles": {"genre": "categorical"}},
        "evaluation": {"cv": 3, "random_state": 0},
        "candidates": [{"name": "logreg", "steps": [{"LogisticRegression": {"C": 10.0}}]}]})


def test_generated_code_leaves_out_identifiers_and_vectorises_text_as_the_evaluation(
        tmp_path):
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    path = tmp_path / "films.csv"
    _table(path)
    spec = _spec(path)
    sections = [data_section(spec), candidates_section(spec)]
    source = "\n\n".join([render_imports(*sections), *(s.body for s in sections)])
    assert 'kept_columns = ["genre"]\nkinds = column_kinds(X, keep=kept_columns)' in source
    assert '*[(f"text-{c}", text_vectorizer, c) for c in text_columns]' in source
    space = {"data_path": str(path)}
    exec(compile(source, "generated", "exec"), space)
    plan = prepare(spec)
    assert list(space["X"].columns) == list(plan.X.columns) == ["review", "genre", "length"]
    assert space["text_columns"] == ["review"]
    generated = space["candidates"]["logreg"][0]
    evaluated = plan.graph.configs[0].pipeline
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = cross_val_score(evaluated, plan.X, plan.y, cv=folds)
    theirs = cross_val_score(generated, space["X"], space["y"], cv=folds)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.mean() > 0.9  # the words tell the classes apart


def test_generated_script_with_text_and_identifiers_passes_ruff(tmp_path):
    path = tmp_path / "films.csv"
    _table(path)
    script = tmp_path / "generated.py"
    script.write_text(script_source(_spec(path)), encoding="utf-8")
    ruff = Path(sys.executable).parent / "ruff"
    lint = subprocess.run([str(ruff), "check", "--isolated", "--select", "E,F,W,I,B,UP",
                           "--line-length", "88", str(script)], capture_output=True,
                          text=True, cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize("source", ["sklearn:iris"])
def test_bundled_data_sets_get_no_column_kinds(source):
    spec = load_spec({"version": 1, "task": "classification",
                      "data": {"source": source},
                      "candidates": [{"name": "a", "steps": ["LogisticRegression"]}]})
    assert "column_kinds" not in script_source(spec)


def test_a_rule_naming_one_column_is_generated_as_a_string(tmp_path):
    """select: review (one column, 1-D) is written as scikit-learn's string selector."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    path = tmp_path / "films.csv"
    _table(path)
    data = _spec(path).to_dict()
    data["preprocessing"] = {"columns": [
        {"name": "words", "select": "review", "steps": [{"TfidfVectorizer": {"min_df": 2}}]}]}
    spec = load_spec(data)
    sections = [data_section(spec), candidates_section(spec)]
    source = "\n\n".join([render_imports(*sections), *(s.body for s in sections)])
    assert '("words", make_pipeline(TfidfVectorizer(min_df=2)), "review")' in source
    space = {"data_path": str(path)}
    exec(compile(source, "generated", "exec"), space)
    plan = prepare(spec)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = cross_val_score(plan.graph.configs[0].pipeline, plan.X, plan.y, cv=folds)
    theirs = cross_val_score(space["candidates"]["logreg"][0], space["X"], space["y"],
                             cv=folds)
    np.testing.assert_array_equal(ours, theirs)
