/** Models that batch predict tests run, without a model file or a runtime behind them. */
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
