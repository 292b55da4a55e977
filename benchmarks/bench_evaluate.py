"""Benchmark: stratum's Dask evaluator against scikit-learn's GridSearchCV(n_jobs=2) (and
dask-ml's GridSearchCV where it is installed), on the same grid and folds, in the same run.

(a) an expensive shared prefix: StandardScaler -> Nystroem(many components) -> a linear
    model with several values of its C. Target: at most 0.55x scikit-learn's time.
(b) no shared steps: one estimator, a grid over its own parameters. Target: at most 0.9x
    (bench_workshop.py reports it too).
(d) HistGradientBoosting over max_iter and learning_rate (early stopping off): the
    configurations that differ only in max_iter are grown from the smaller ones on each
    fold (warm-start chains, evaluation/warmstart.py): the same models as GridSearchCV's,
    their first iterations fitted once. Target: at most 0.7x.
(c) a soft-voting ensemble over the top 3 of an 8-configuration grid: its cost (what the
    evaluation spends on the ensemble once the singles are in) as a fraction of the
    singles' evaluation. Target: at most 0.15 (the members' fold responses are reused).

Parallel efficiency = unique work / (workers x wall), unique work being the compute time of
the distinct fits and scores (measured inside the tasks). The cluster (2 worker processes,
1 thread each, like n_jobs=2) is started before timing, as a kernel reuses its cluster.

Run: ``python benchmarks/bench_evaluate.py [--repeat N] [--quick]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

WORKERS = 2


def children_cpu() -> dict[int, float]:
    """CPU seconds used so far by each child process (loky's workers, Dask's workers)."""
    import psutil

    out = {}
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            out[child.pid] = t.user + t.system
        except psutil.Error:
            continue
    return out


def cpu_since(before: dict[int, float]) -> float:
    """CPU seconds the children used since ``before``: robust to other load on the
    machine, where wall times are not."""
    return sum(v - before.get(pid, 0.0) for pid, v in children_cpu().items())


def scenarios(quick: bool) -> dict[str, dict[str, Any]]:
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    n = 2000 if quick else 3000
    X, y = make_classification(n_samples=n, n_features=40, n_informative=20,
                               random_state=0)
    shared = Pipeline([
        ("standardscaler", StandardScaler()),
        ("nystroem", Nystroem(n_components=600 if quick else 1000, gamma=0.01,
                              random_state=0)),
        ("logisticregression", LogisticRegression(max_iter=50, tol=1e-3)),
    ])
    forest = RandomForestClassifier(random_state=0, n_jobs=1)
    return {
        "a-shared-prefix": {
            "X": X, "y": y, "pipeline": shared, "target": 0.55,
            "grid": {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]},
        },
        "b-no-shared-steps": {
            "X": X, "y": y, "pipeline": forest, "target": 0.9,
            "grid": {"n_estimators": [20, 40] if quick else [30, 60],
                     "max_features": [0.2, 0.4], "max_depth": [8, None]},
        },
        "d-boosting-chains": {
            "X": X, "y": y, "target": 0.7,
            "pipeline": HistGradientBoostingClassifier(random_state=0, early_stopping=False),
            "grid": {"max_iter": [25, 50, 100] if quick else [50, 100, 200],
                     "learning_rate": [0.05, 0.2]},
        },
    }


def time_sklearn(case: dict[str, Any], folds: Any) -> tuple[float, Any, float]:
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(case["pipeline"], case["grid"], cv=folds, n_jobs=WORKERS,
                          scoring="accuracy")
    start = time.perf_counter()
    search.fit(case["X"], case["y"])
    wall = time.perf_counter() - start
    res = search.cv_results_
    n_folds = folds.get_n_splits()
    work = float(((res["mean_fit_time"] + res["mean_score_time"]) * n_folds).sum())
    return wall, search, work


def time_dask_ml(case: dict[str, Any], folds: Any, client: Any) -> float | None:
    try:
        from dask_ml.model_selection import GridSearchCV
    except ImportError:
        return None
    search = GridSearchCV(case["pipeline"], case["grid"], cv=folds, scoring="accuracy",
                          scheduler=client)
    start = time.perf_counter()
    with client.as_current():  # dask-ml looks for the default client
        search.fit(case["X"], case["y"])
    return time.perf_counter() - start


def time_stratum(case: dict[str, Any], folds: Any, client: Any) -> tuple[float, Any]:
    from stratum_jupyter import evaluate

    start = time.perf_counter()
    result = evaluate({"case": (case["pipeline"], case["grid"])}, case["X"], case["y"],
                      client=client, cv=folds, metrics=["accuracy"], display="none")
    return time.perf_counter() - start, result


def ensemble_cost(client: Any, folds: Any, quick: bool, repeat: int) -> str:
    """(c): the ensemble's own time over the singles' evaluation (``timing``), and the wall
    time of the same evaluation with and without the ensemble."""
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from stratum_jupyter import evaluate

    X, y = make_classification(n_samples=2000 if quick else 3000, n_features=40,
                               n_informative=20, random_state=0)
    candidates = {
        "logreg": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)),
                   {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}),
        "forest": (RandomForestClassifier(random_state=0, n_jobs=1),
                   {"n_estimators": [50, 100]}),
        "knn": (make_pipeline(StandardScaler(), KNeighborsClassifier()),
                {"kneighborsclassifier__n_neighbors": [5, 15]}),
    }
    print("\n== c-ensemble: soft voting over the top 3 of 8 configurations x 5 folds "
          "(target <= 0.15 of the singles' evaluation)")
    fractions = []
    for rep in range(repeat):
        kw = dict(client=client, cv=folds, metrics=["accuracy", "neg_log_loss"],
                  display="none", refit=False)
        start = time.perf_counter()
        singles = evaluate(candidates, X, y, **kw)
        singles_wall = time.perf_counter() - start
        start = time.perf_counter()
        both = evaluate(candidates, X, y, ensemble="soft_voting", **kw)
        both_wall = time.perf_counter() - start
        fraction = both.timing["ensemble_s"] / both.timing["cv_wall_s"]
        fractions.append(fraction)
        row = both.leaderboard[both.leaderboard["candidate"].str.startswith("ensemble")]
        print(f"  run {rep + 1}: singles {both.timing['cv_wall_s']:6.2f} s, ensemble "
              f"{both.timing['ensemble_s']:6.3f} s = {fraction:.3f} of the singles | wall "
              f"without {singles_wall:6.2f} s, with {both_wall:6.2f} s | ensemble rank "
              f"{row['rank'].iloc[0]}, accuracy {row['accuracy'].iloc[0]:.4f} | load "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        assert len(singles.results) == 8
    median = float(np.median(fractions))
    return (f"c-ensemble: voting ensemble costs {median:.3f} of the singles' evaluation "
            f"(median); target <= 0.15: {'met' if median <= 0.15 else 'NOT met'}")


def warm_up(client: Any) -> None:
    """Start both pools (loky's processes, the Dask workers' imports) before timing: a
    notebook pays that once per kernel, not per search."""
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from stratum_jupyter import evaluate

    X, y = make_classification(n_samples=200, random_state=0)
    grid = {"C": [0.1, 1.0]}
    GridSearchCV(LogisticRegression(), grid, cv=3, n_jobs=WORKERS).fit(X, y)
    evaluate({"warm": (LogisticRegression(), grid)}, X, y, client=client, cv=3,
             display="none")


def main() -> None:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from stratum_jupyter.evaluation.cluster import close_local, local_client

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="Smaller data (a smoke run).")
    parser.add_argument("--only", choices=["a", "b", "c", "d"], help="Run one scenario.")
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; load average before start {load[0]:.2f} "
          "(other processes share these cores: figures vary with their load)")
    # The LocalCluster a kernel gets (1 thread per worker process, as n_jobs=2 has).
    client = local_client(n_workers=WORKERS)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    warm_up(client)
    summary = []
    try:
        for name, case in scenarios(args.quick).items():
            if args.only and not name.startswith(args.only):
                continue
            configs = int(np.prod([len(v) for v in case["grid"].values()]))
            print(f"\n== {name}: {configs} configurations x 5 folds "
                  f"(target <= {case['target']:.2f}x scikit-learn)")
            ratios, cpu_ratios = [], []
            for rep in range(args.repeat):
                # Alternate who goes first: the load of other processes drifts.
                if rep % 2:
                    cpu = children_cpu()
                    st_wall, result = time_stratum(case, folds, client)
                    st_cpu, cpu = cpu_since(cpu), children_cpu()
                    sk_wall, search, sk_work = time_sklearn(case, folds)
                    sk_cpu = cpu_since(cpu)
                else:
                    cpu = children_cpu()
                    sk_wall, search, sk_work = time_sklearn(case, folds)
                    sk_cpu, cpu = cpu_since(cpu), children_cpu()
                    st_wall, result = time_stratum(case, folds, client)
                    st_cpu = cpu_since(cpu)
                dm_wall = time_dask_ml(case, folds, client)
                ratio = st_wall / sk_wall
                ratios.append(ratio)
                cpu_ratios.append(st_cpu / sk_cpu)
                board = result.leaderboard
                best_equal = (board.loc[0, "params"] == search.best_params_)
                score_diff = float(np.max(np.abs(
                    np.sort(board["accuracy"].to_numpy())
                    - np.sort(search.cv_results_["mean_test_score"]))))
                line = (f"  run {rep + 1}: sklearn {sk_wall:6.2f} s (work {sk_work:6.1f} s, "
                        f"eff {sk_work / (WORKERS * sk_wall):.2f}) | stratum {st_wall:6.2f} s "
                        f"(work {result.timing['unique_work_s']:6.1f} s, "
                        f"eff {result.timing['parallel_efficiency']:.2f}, "
                        f"{result.timing['saved_fits']} prefix fits saved, "
                        f"{result.timing['chained_fits']} fits grown from smaller) "
                        f"= {ratio:.2f}x wall, {st_cpu / sk_cpu:.2f}x CPU "
                        f"({st_cpu:.1f} vs {sk_cpu:.1f} CPU s)")
                if dm_wall is not None:
                    line += f" | dask-ml {dm_wall:6.2f} s = {dm_wall / sk_wall:.2f}x"
                line += (f" | same best: {best_equal}, max |score diff| {score_diff:.1e}"
                         f" | load {os.getloadavg()[0]:.2f}")
                print(line, flush=True)
            best, median = min(ratios), float(np.median(ratios))
            ok = median <= case["target"]
            summary.append(f"{name}: wall median {median:.2f}x, best {best:.2f}x "
                           f"(CPU median {float(np.median(cpu_ratios)):.2f}x); target "
                           f"<= {case['target']:.2f}x: {'met' if ok else 'NOT met'}")
        if args.only in (None, "c"):
            summary.append(ensemble_cost(client, folds, args.quick, args.repeat))
        print("\n" + "\n".join(summary))
    finally:
        close_local()


if __name__ == "__main__":
    main()
