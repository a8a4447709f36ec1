/**
 * The cost of writing a V2 infer answer's JSON (v2ResponseJson, which writes float outputs as floats, `2.0`)
 * against plain JSON.stringify of the same object, for a batch-1 [1, 2] FP32 output and a [256, 2] one.
 * Microseconds per answer, three rounds each:
 *
 *   node --import tsx bench/serving/v2AnswerJson.ts
 */
import { v2ResponseJson } from "../../src/serving/payloads/v2ResponseJson.js";

const answer = (rows: number) => ({
  model_name: "m",
  model_version: "1",
  id: "abc",
  outputs: [
    {
      name: "y",
      datatype: "FP32",
      shape: [rows, 2],
      data: Array.from({ length: rows * 2 }, (_, i) => Math.fround(i / 7 + 0.1234567)),
    },
  ],
});

function microsPerCall(calls: number, write: () => unknown): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) write();
  return Number(process.hrtime.bigint() - started) / calls / 1000;
}

for (const [label, rows, calls] of [
  ["batch 1", 1, 200_000],
  ["batch 256", 256, 5_000],
] as const) {
  const body = answer(rows);
  for (let round = 1; round <= 3; round++) {
    const plain = microsPerCall(calls, () => JSON.stringify(body));
    const floats = microsPerCall(calls, () => v2ResponseJson(body));
    console.log(
      `${label}, round ${round}: JSON.stringify ${plain.toFixed(2)} µs, v2ResponseJson ${floats.toFixed(2)} µs`,
    );
  }
}
