/** Models that batch predict tests run, without a model file or a runtime behind them. */
import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

/** Gives `p` = a * 2 for rows [a] of the FP64 input `x`. */
export const doublingModel: LoadedModel = {
  name: "doubler",
  version: "1",
  platform: "test",
  inputs: [{ name: "x", datatype: "FP64", shape: [-1, 1] }],
  outputs: [{ name: "p", datatype: "FP64", shape: [-1] }],
  ready: () => true,
  infer(inputs: Tensor[]): Promise<Tensor[]> {
    const x = inputs[0] as Tensor;
    const data = Float64Array.from(x.data as Float64Array, (v) => v * 2);
    return Promise.resolve([{ name: "p", datatype: "FP64", shape: [data.length], data }]);
  },
  close: () => Promise.resolve(),
};

/** The options batch predict hands a model's `infer`. */
export type InferOptions = Parameters<LoadedModel["infer"]>[1];

/**
 * A model that declares no inputs, as an MLflow model without a signature: it hands each call's inputs and
 * options to `record` and answers one 0 per row.
 */
export function untypedModel(record: (inputs: Tensor[], options: InferOptions) => void): LoadedModel {
  return {
    name: "untyped",
    version: "1",
    platform: "mlflow_pyfunc",
    inputs: [],
    outputs: [],
    ready: () => true,
    infer(inputs, options) {
      record(inputs, options);
      const rows = inputs[0]?.shape[0] ?? 0;
      return Promise.resolve([{ name: "p", datatype: "FP64", shape: [rows], data: new Float64Array(rows) }]);
    },
    close: () => Promise.resolve(),
  };
}

/** An `untypedModel` that appends each call's inputs to `calls`. */
export function recordingModel(calls: Tensor[][]): LoadedModel {
  return untypedModel((inputs) => calls.push(inputs));
}

/** The inputs of each call batch predict makes to an `untypedModel` for the table at `input`. */
export async function recordedCalls(input: string, batchSize: number): Promise<Tensor[][]> {
  const calls: Tensor[][] = [];
  await batchPredict(recordingModel(calls), {
    input: openTable(input),
    output: `${input}.out.csv`,
    batchSize,
  });
  return calls;
}
