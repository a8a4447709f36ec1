/**
 * The JSON text of a V2 infer response (or a binary response's JSON header) as KServe's Python server and Triton
 * write it: elements of FP16/FP32/FP64 outputs as floats with a point or an exponent (`[2.0, 4.5]`). KServe 0.21
 * answers `"data":[2.0,4.0]` for an FP32 output; JSON.stringify wrote `[2,4]`, which a client reading `data`
 * without the datatype (`np.array(out["data"])`, as KServe's own examples do) gets back as int64.
 *
 * This is on every V2 answer's path, so it stays JSON.stringify plus string joins, with only the float list
 * written by hand: 1-1.5 µs over JSON.stringify for a batch-1 answer on the 2-core machine, where answerJson's
 * general writer cost 2.5-4 µs.
 */
import { stringifyJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";

const FLOAT_DATATYPES: ReadonlySet<string> = new Set(["FP16", "FP32", "FP64"]);

interface FloatOutput {
  datatype: string;
  data: readonly number[];
}

/** The response's JSON text; outputs sent as binary data (no `data`) are written as they are. */
export function v2ResponseJson(response: { outputs: readonly unknown[] }): string {
  if (!response.outputs.some(isFloatOutput)) return stringifyJsonWithBigIntegers(response);
  const { outputs, ...rest } = response;
  const written = outputs.map((output) =>
    isFloatOutput(output) ? floatOutputJson(output) : stringifyJsonWithBigIntegers(output),
  );
  return withMember(stringifyJsonWithBigIntegers(rest), "outputs", `[${written.join(",")}]`);
}

function isFloatOutput(output: unknown): output is FloatOutput {
  const tensor = output as Partial<FloatOutput> | null;
  return (
    typeof tensor === "object" &&
    tensor !== null &&
    FLOAT_DATATYPES.has(tensor.datatype ?? "") &&
    Array.isArray(tensor.data) &&
    tensor.data.every((value) => typeof value === "number")
  );
}

function floatOutputJson(output: FloatOutput): string {
  const { data, ...meta } = output;
  let text = "";
  for (let i = 0; i < data.length; i++) {
    if (i > 0) text += ",";
    text += floatText(data[i] as number);
  }
  return withMember(JSON.stringify(meta), "data", `[${text}]`);
}

/**
 * String's shortest digits of the double (a float32 element widened, as `tolist()` widens it), with `.0` on a
 * whole number so that it reads back as a float; non-finite as null, as JSON.stringify and orjson write them.
 */
function floatText(value: number): string {
  if (!Number.isFinite(value)) return "null";
  const text = String(value);
  return Number.isInteger(value) && !text.includes("e") ? `${text}.0` : text;
}

/** `objectText` (a JSON object) with `"name":valueText` appended as its last member. */
function withMember(objectText: string, name: string, valueText: string): string {
  const member = `${JSON.stringify(name)}:${valueText}`;
  return objectText === "{}" ? `{${member}}` : `${objectText.slice(0, -1)},${member}}`;
}
