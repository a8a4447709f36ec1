"""The end-to-end Python anchor for `flowops predict` on Parquet: what a Python user would write for the same
job. pyarrow reads the Parquet file, onnxruntime scores its rows in batches (one float32 [N, F] array built from
the feature columns first), and pyarrow writes the input columns plus one column per output (a [N, K] output
becomes K columns <name>_0..K-1, as flowops writes them). batchInference.ts times the whole process, start to
exit, as it times flowops; the seconds printed here are from the first read to the end of the write, with the
read (into one float32 array), the scoring and the write timed apart: the read alone is the floor any batch job
on this file pays before the model sees a row.

    bench/serving/.venv/bin/python bench/serving/ort_batch_parquet.py MODEL.onnx ROWS.parquet OUT.parquet
        [--batch-size 8192]
"""

import argparse
import json
import time

import numpy as np
import onnxruntime as ort
import pyarrow as pa
import pyarrow.parquet as pq


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--batch-size", type=int, default=8192)
    args = parser.parse_args()
    # onnxruntime's default threading, as in ort_batch.py and the onnxruntime-node loop: what a user gets.
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    output_names = [output.name for output in session.get_outputs()]
    started = time.perf_counter()
    table = pq.read_table(args.input)
    features = np.column_stack([column.to_numpy() for column in table.columns]).astype(np.float32, copy=False)
    read_done = time.perf_counter()
    rows = features.shape[0]
    outputs: list[list[np.ndarray]] = [[] for _ in output_names]
    for offset in range(0, rows, args.batch_size):
        results = session.run(output_names, {name: features[offset : offset + args.batch_size]})
        for collected, result in zip(outputs, results):
            collected.append(result)
    run_done = time.perf_counter()
    for output_name, collected in zip(output_names, outputs):
        stacked = np.concatenate(collected)
        if stacked.ndim == 1:
            table = table.append_column(output_name, pa.array(stacked))
            continue
        stacked = stacked.reshape(rows, -1)
        for k in range(stacked.shape[1]):
            table = table.append_column(f"{output_name}_{k}", pa.array(stacked[:, k]))
    pq.write_table(table, args.output)
    finished = time.perf_counter()
    seconds = finished - started
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "rowsPerSecond": rows / seconds,
                "readSeconds": read_done - started,
                "runSeconds": run_done - read_done,
                "writeSeconds": finished - run_done,
            }
        )
    )


if __name__ == "__main__":
    main()
