"""Evidently's side of bench/monitoring: DataDriftPreset over the same data as flowops.

Reads the raw float64 column files bench/monitoring/run.ts writes (reference and current, one file per side,
column-major, little-endian, plus columns.json with the column names and row counts), builds pandas DataFrames,
and times Report([DataDriftPreset()]).run on them in memory. Prints one JSON line: the seconds of each repeat,
the seconds to read the files into DataFrames, and the verdict (drifted columns, dataset drift).

    python evidently_drift.py DATA_DIR [--repeats N]
"""

import argparse
import json
import os
import time

import numpy as np
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset


def read_side(data_dir: str, side: str, names: list, rows: int) -> pd.DataFrame:
    values = np.fromfile(os.path.join(data_dir, f"{side}.f64"), dtype="<f8").reshape(len(names), rows)
    return pd.DataFrame({name: values[i] for i, name in enumerate(names)})


def verdict(snapshot) -> dict:
    result = snapshot.dict()
    for metric in result.get("metrics", []):
        value = metric.get("value")
        if isinstance(value, dict) and "count" in value and "share" in value:
            return {"drifted_columns": int(value["count"]), "share": float(value["share"])}
    return {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    with open(os.path.join(args.data_dir, "columns.json")) as handle:
        layout = json.load(handle)
    started = time.perf_counter()
    reference = read_side(args.data_dir, "reference", layout["names"], layout["referenceRows"])
    current = read_side(args.data_dir, "current", layout["names"], layout["currentRows"])
    read_seconds = time.perf_counter() - started
    seconds = []
    snapshot = None
    for _ in range(args.repeats):
        started = time.perf_counter()
        snapshot = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"seconds": seconds, "readSeconds": read_seconds, **verdict(snapshot)}))


if __name__ == "__main__":
    main()
