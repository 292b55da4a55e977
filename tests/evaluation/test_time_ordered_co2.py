"""Field case 22: the weekly Mauna Loa CO2 record (tests/data/co2.csv, 1958-2001). On
shuffled folds the forest looks best (r2 0.999) and the evaluation says the rows are dated;
on time-ordered folds (TimeSeriesSplit, rows in order of data.order_by) the ridge forecasts
better and the forest scores about -1.9, exactly as scikit-learn's cross_validate says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation.prepare import prepare

CO2 = Path(__file__).parents[1] / "data" / "co2.csv"


def _spec(cv, path=CO2, **data):
    return {"version": 1, "name": "co2", "task": "regression",
            "data": {"source": f"csv:{path}", "target": "co2", **data},
            "evaluation": {"cv": cv, "metrics": ["r2", "mae"]},
            "candidates": [
                {"name": "ridge", "steps": [{"Ridge": {"alpha": 1.0}}]},
                {"name": "forest", "steps": [{"RandomForestRegressor": {
                    "n_estimators": 100, "random_state": 0}}]}]}


def _scikit_learn(cv) -> dict[str, float]:
    """The case's own comparison (compare_sklearn.py): the date split into parts."""
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    frame = pd.read_csv(CO2, parse_dates=["date"]).dropna(subset=["co2"])
    frame = frame.sort_values("date").reset_index(drop=True)
    y = frame.pop("co2")

    def parts(X):
        d = X["date"]
        return pd.DataFrame({"year": d.dt.year, "month": d.dt.month, "day": d.dt.day,
                             "weekday": d.dt.day_of_week,
                             "seconds": (d - pd.Timestamp(0)).dt.total_seconds()}
                            ).astype(float)

    pre = make_column_transformer((make_pipeline(FunctionTransformer(parts),
                                                 SimpleImputer(strategy="median"),
                                                 StandardScaler()), ["date"]))
    models = {"ridge": Ridge(alpha=1.0),
              "forest": RandomForestRegressor(100, random_state=0)}
    return {name: cross_validate(make_pipeline(pre, model), frame, y, cv=cv,
                                 scoring="r2")["test_score"].mean()
            for name, model in models.items()}


@pytest.mark.slow
def test_time_ordered_folds_pick_the_forecaster_scikit_learn_picks(tmp_path):
    from sklearn.model_selection import TimeSeriesSplit

    # The file's rows reversed: data.order_by puts them back in time order.
    reversed_csv = tmp_path / "co2-reversed.csv"
    pd.read_csv(CO2).iloc[::-1].to_csv(reversed_csv, index=False)
    spec = _spec({"TimeSeriesSplit": {"n_splits": 5}}, reversed_csv, order_by="date")
    result = evaluate(spec, display="none")
    got = result.leaderboard.set_index("candidate")["r2"]
    want = _scikit_learn(TimeSeriesSplit(n_splits=5))
    assert abs(got["ridge"] - want["ridge"]) < 1e-9
    assert abs(got["forest"] - want["forest"]) < 1e-9
    assert result.best.candidate == "ridge" and got["ridge"] > got["forest"]
    assert -2.0 < got["forest"] < -1.8
    notes = prepare(spec).notes
    assert any("rows sorted by 'date' (data.order_by" in n for n in notes)
    assert not any("shuffled folds" in n for n in notes)


def test_shuffled_folds_on_the_dated_table_name_time_series_split():
    spec = _spec(5)
    spec["evaluation"]["random_state"] = 0
    (note,) = [n for n in prepare(spec).notes if "dated" in n]
    assert note.startswith("the rows are dated ('date') and scored on shuffled folds")
    assert "evaluation.cv: {TimeSeriesSplit: {n_splits: 5}} with data.order_by: date" in note
    spec["evaluation"] = {"cv": {"TimeSeriesSplit": {"n_splits": 5}}}
    assert not [n for n in prepare(spec).notes if "dated" in n]  # the file is in order
