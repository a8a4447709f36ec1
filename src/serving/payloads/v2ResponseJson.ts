/**
 * The JSON text of a V2 infer response (or a binary response's JSON header) as KServe's Python server and Triton
 * write it: elements of FP16/FP32/FP64 outputs as floats with a point or an exponent (`[2.0, 4.5]`). KServe 0.21
 * answers `"data":[2.0,4.0]` for an FP32 output; JSON.stringify wrote `[2,4]`, which a client reading `data`
 * without the datatype (`np.array(out["data"])`, as KServe's own examples do) gets back as int64.
 */
import type { TensorJson } from "../tensor.js";
import { answerJson } from "./answerJson.js";

const FLOAT_DATATYPES: ReadonlySet<string> = new Set(["FP16", "FP32", "FP64"]);

/** The response's UTF-8 JSON bytes; outputs sent as binary data (no `data`) are written as they are. */
export function v2ResponseJson(response: { outputs: readonly unknown[] }): Buffer {
  const outputs = response.outputs.map((output) => {
    const tensor = output as Partial<TensorJson>;
    const data = tensor.data;
    if (!FLOAT_DATATYPES.has(tensor.datatype ?? "") || !Array.isArray(data)) return output;
    if (!data.every((value) => typeof value === "number")) return output;
    // Float32 elements were widened to doubles already; a Float64Array keeps those digits (tolist()'s).
    return { ...tensor, data: Float64Array.from(data as number[]) };
  });
  return answerJson({ ...response, outputs }, "orjson");
}
