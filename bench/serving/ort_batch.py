"""The batch anchor in Python, for reference: onnxruntime's InferenceSession over the benchmark CSV's rows,
read into one float32 array first, in batches, one run() after another. Prints {rows, seconds, rowsPerSecond}.
Only the run() loop is timed, as in ortBatch.ts. With --output, times what `flowops predict` does instead:
pandas reads the CSV, the session scores it in batches, pandas writes the input columns plus the outputs.
A .jsonl input is read with read_json(lines=True) and written with to_json(orient="records", lines=True).

    bench/serving/.venv/bin/python bench/serving/ort_batch.py MODEL.onnx ROWS.csv|ROWS.jsonl
        [--batch-size 8192] [--output OUT.csv|OUT.jsonl]
"""

import argparse
import json
import time

import numpy as np
import onnxruntime as ort
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("--batch-size", type=int, default=8192)
    parser.add_argument("--output")
    args = parser.parse_args()
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    end_to_end = time.perf_counter()
    json_lines = args.input.endswith(".jsonl")
    if json_lines:
        frame = pd.read_json(args.input, lines=True)
    else:
        frame = pd.read_csv(args.input, dtype=np.float32)
    data = np.ascontiguousarray(frame.to_numpy(dtype=np.float32))
    rows = data.shape[0]
    started = time.perf_counter()
    labels, probabilities = [], []
    for offset in range(0, rows, args.batch_size):
        label, probability = session.run(None, {name: data[offset : offset + args.batch_size]})
        labels.append(label)
        probabilities.append(probability)
    seconds = time.perf_counter() - started
    if args.output is not None:
        frame["label"] = np.concatenate(labels)
        stacked = np.concatenate(probabilities)
        for k in range(stacked.shape[1]):
            frame[f"probabilities_{k}"] = stacked[:, k]
        if json_lines:
            frame.to_json(args.output, orient="records", lines=True)
        else:
            frame.to_csv(args.output, index=False)
        seconds = time.perf_counter() - end_to_end
    print(json.dumps({"rows": rows, "seconds": seconds, "rowsPerSecond": rows / seconds}))


if __name__ == "__main__":
    main()
