"""Benchmark: the workshop case (many cheap fits on small data) against serial
scikit-learn on the same folds, all in the same run.

The workload: iris, 40 configurations x 5 folds (logistic regression over 10 values of C,
k-nearest neighbours over 20 values of k, a decision tree over 10 depths): 200 fits.

(1) first evaluation in a fresh process (a new kernel: no cluster yet, its start counted)
    / serial scikit-learn (GridSearchCV, n_jobs=1) in that same fresh process. Target <= 1.5x.
(2) warm evaluation (the kernel's cluster up, a second call) / serial scikit-learn.
    Target <= 0.7x.
(3) the independent-grid case of bench_evaluate.py (b) / GridSearchCV(n_jobs=2).
    Target <= 0.9x. Its forests that differ only in n_estimators are grown from the
    smaller ones (batching.run_chain): the same trees as GridSearchCV's, fitted once.
(4) a papermill run of the notebook generated for a small spec, minus a papermill run of
    a plain scikit-learn notebook doing the same work. Target: at most 5 s slower.

Each run alternates which of the two goes first. Median of ``--repeat`` runs. Serial
scikit-learn with one BLAS thread is shown too (the evaluation's fits use one, as Dask's
workers do); the targets are against the default.

Run: ``python benchmarks/bench_workshop.py [--repeat N]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGETS = {"first": 1.5, "warm": 0.7, "independent": 0.9, "papermill_s": 5.0}

SMALL_SPEC = """
version: 1
name: workshop
task: classification
data: {source: 'sklearn:iris'}
evaluation: {cv: 5, metrics: [accuracy], random_state: 0}
candidates:
  - name: logreg
    steps: [StandardScaler, {LogisticRegression: {C: [0.1, 1.0, 10.0], max_iter: 1000}}]
  - name: knn
    steps: [{KNeighborsClassifier: {n_neighbors: [3, 5, 9, 15]}}]
"""

PLAIN = """\
from pathlib import Path
import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
X, y = load_iris(return_X_y=True, as_frame=True)
folds = StratifiedKFold(5, shuffle=True, random_state=0)
searches = [
    GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                 {"logisticregression__C": [0.1, 1.0, 10.0]}, cv=folds).fit(X, y),
    GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [3, 5, 9, 15]}, cv=folds).fit(X, y),
]
best = max(searches, key=lambda s: s.best_score_)
Path("runs/plain").mkdir(parents=True, exist_ok=True)
joblib.dump(best.best_estimator_, "runs/plain/model.joblib")
print("best:", best.best_params_, best.best_score_)
"""


def workload() -> tuple[Any, Any, dict[str, Any], Any]:
    import numpy as np
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    candidates = {
        "logreg": (LogisticRegression(max_iter=500), {"C": list(np.logspace(-3, 3, 10))}),
        "knn": (KNeighborsClassifier(), {"n_neighbors": list(range(1, 21))}),
        "tree": (DecisionTreeClassifier(random_state=0), {"max_depth": list(range(1, 11))}),
    }
    return X, y, candidates, StratifiedKFold(5, shuffle=True, random_state=0)


def time_serial(X: Any, y: Any, candidates: dict[str, Any], folds: Any) -> tuple[float, Any]:
    from sklearn.model_selection import GridSearchCV

    start = time.perf_counter()
    scores = [GridSearchCV(est, grid, cv=folds, n_jobs=1, scoring="accuracy").fit(X, y)
              .cv_results_["mean_test_score"] for est, grid in candidates.values()]
    return time.perf_counter() - start, scores


def time_serial_one_thread(X: Any, y: Any, candidates: dict[str, Any], folds: Any) -> float:
    """Serial scikit-learn with one BLAS thread, as the evaluation's fits run (Dask's
    workers and the in-process tasks): on a loaded machine, BLAS threads that wait on
    each other can make the default many times slower; this baseline shows it."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return time_serial(X, y, candidates, folds)[0]


def time_evaluate(X: Any, y: Any, candidates: dict[str, Any], folds: Any
                  ) -> tuple[float, Any]:
    from stratum_jupyter import evaluate

    start = time.perf_counter()
    result = evaluate(candidates, X, y, cv=folds, metrics=["accuracy"], display="none")
    return time.perf_counter() - start, result


def same_scores(result: Any, serial_scores: list[Any]) -> bool:
    import numpy as np

    ours = np.sort(result.leaderboard["accuracy"].to_numpy())
    return bool(np.array_equal(ours, np.sort(np.concatenate(serial_scores))))


def child_first(stratum_first: bool) -> None:
    """In a fresh process: the first evaluation and serial scikit-learn, as JSON."""
    data = workload()
    if stratum_first:
        ev, result = time_evaluate(*data)
        sk, scores = time_serial(*data)
    else:
        sk, scores = time_serial(*data)
        ev, result = time_evaluate(*data)
    print(json.dumps({"serial": sk, "first": ev, "same": same_scores(result, scores),
                      "in_process": result.timing["in_process_tasks"],
                      "serial_1": time_serial_one_thread(*data)}))


def run_first(stratum_first: bool) -> dict[str, Any]:
    env = {**os.environ, "STRATUM_SCHEDULER": ""}
    done = subprocess.run([sys.executable, __file__, "--child-first",
                           "stratum" if stratum_first else "sklearn"],
                          capture_output=True, text=True, check=True, env=env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_warm(client: Any, rep: int) -> dict[str, Any]:
    data = workload()
    if rep % 2:
        ev, result = time_evaluate(*data)
        sk, scores = time_serial(*data)
    else:
        sk, scores = time_serial(*data)
        ev, result = time_evaluate(*data)
    return {"serial": sk, "warm": ev, "same": same_scores(result, scores),
            "grouped": result.timing["grouped_tasks"], "serial_1": time_serial_one_thread(*data)}


def run_independent(client: Any, rep: int) -> dict[str, Any]:
    from sklearn.model_selection import StratifiedKFold

    sys.path.insert(0, str(Path(__file__).parent))
    import bench_evaluate

    case = bench_evaluate.scenarios(quick=False)["b-no-shared-steps"]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    if rep % 2:
        st, result = bench_evaluate.time_stratum(case, folds, client)
        sk, _, _ = bench_evaluate.time_sklearn(case, folds)
    else:
        sk, _, _ = bench_evaluate.time_sklearn(case, folds)
        st, result = bench_evaluate.time_stratum(case, folds, client)
    return {"gridsearch_n_jobs_2": sk, "stratum": st,
            "chained": result.timing["chained_fits"]}


def papermill_books() -> dict[str, Any]:
    """The two notebooks of case (4): the one generated for SMALL_SPEC (``stratum``, best
    model to runs/gen) and plain scikit-learn doing the same work (``sklearn``). The test
    of the same bound (tests/evaluation/test_inprocess.py) runs these too."""
    import nbformat

    from stratum_jupyter.codegen import spec_notebook
    from stratum_jupyter.spec import load_spec

    plain = nbformat.v4.new_notebook()
    plain.cells = [nbformat.v4.new_code_cell(PLAIN)]
    plain.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    return {"stratum": spec_notebook(load_spec(SMALL_SPEC), out_dir="runs/gen"),
            "sklearn": plain}


def run_papermill(rep: int) -> dict[str, Any]:
    import nbformat

    from stratum_jupyter.notebooks import run_notebook

    books = papermill_books()
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(books, reverse=bool(rep % 2)):
            src = Path(tmp) / f"{name}.ipynb"
            nbformat.write(books[name], src)
            start = time.perf_counter()
            run_notebook(src, Path(tmp) / f"{name}-out.ipynb", cwd=tmp, timeout=600)
            times[name] = time.perf_counter() - start
    return times


def main() -> None:
    import numpy as np

    from stratum_jupyter.evaluation.cluster import close_local, local_client

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child-first", choices=["stratum", "sklearn"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_first:
        child_first(args.child_first == "stratum")
        return
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} (other "
          "processes share these cores: figures vary with their load)")
    os.environ["STRATUM_SCHEDULER"] = ""
    ratios: dict[str, list[float]] = {k: [] for k in TARGETS}
    for rep in range(args.repeat):
        first = run_first(stratum_first=bool(rep % 2))
        ratios["first"].append(first["first"] / first["serial"])
        print(f"run {rep + 1} first evaluation, fresh process: {first['first']:.2f} s vs serial "
              f"{first['serial']:.2f} s = {ratios['first'][-1]:.2f}x "
              f"({first['in_process']} fold tasks in-process; same scores: {first['same']}; "
              f"{first['first'] / first['serial_1']:.2f}x serial with one BLAS thread, "
              f"{first['serial_1']:.2f} s)", flush=True)
    client = local_client(n_workers=2)  # the kernel's cluster, up (its start not timed)
    try:
        time_evaluate(*workload())  # the kernel's first evaluation: fit times measured
        for rep in range(args.repeat):
            warm = run_warm(client, rep)
            ratios["warm"].append(warm["warm"] / warm["serial"])
            print(f"run {rep + 1} warm evaluation: {warm['warm']:.2f} s vs serial "
                  f"{warm['serial']:.2f} s = {ratios['warm'][-1]:.2f}x ({warm['grouped']} "
                  f"grouped Dask tasks; same scores: {warm['same']}; "
                  f"{warm['warm'] / warm['serial_1']:.2f}x serial with one BLAS thread, "
                  f"{warm['serial_1']:.2f} s)", flush=True)
        for rep in range(args.repeat):
            ind = run_independent(client, rep)
            ratios["independent"].append(ind["stratum"] / ind["gridsearch_n_jobs_2"])
            print(f"run {rep + 1} independent grid: {ind['stratum']:.2f} s vs GridSearchCV"
                  f"(n_jobs=2) {ind['gridsearch_n_jobs_2']:.2f} s = "
                  f"{ratios['independent'][-1]:.2f}x ({ind['chained']} forests grown from "
                  "smaller ones)", flush=True)
    finally:
        close_local()
    for rep in range(args.repeat):
        books = run_papermill(rep)
        ratios["papermill_s"].append(books["stratum"] - books["sklearn"])
        print(f"run {rep + 1} papermill: generated notebook {books['stratum']:.2f} s vs plain "
              f"scikit-learn {books['sklearn']:.2f} s = {ratios['papermill_s'][-1]:+.2f} s "
              f"({books['stratum'] / books['sklearn']:.2f}x)", flush=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    for key, target in TARGETS.items():
        median = float(np.median(ratios[key]))
        unit = "s slower" if key == "papermill_s" else "x"
        print(f"{key}: median {median:.2f}{unit} (target <= {target}{unit}): "
              f"{'met' if median <= target else 'NOT met'}")


if __name__ == "__main__":
    main()
