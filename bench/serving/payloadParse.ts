/**
 * The cost of reading one `/invocations` JSON body into the model's tensors (mlflowRequest + adaptInput), per
 * body form, for a model that declares a [-1, 20] FP32 input and for one without a signature. Medians of 7
 * rounds of 20,000 requests, in microseconds. Give another checkout's root to compare two commits side by side
 * (`git worktree add /tmp/base <sha>; ln -s $PWD/node_modules /tmp/base/`):
 *
 *   node --import tsx bench/serving/payloadParse.ts [checkout root, default: this one]
 */
import { resolve } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const { mlflowRequest } = await import(`${root}/src/serving/payloads/mlflowPayload.ts`);
const { adaptInput } = await import(`${root}/src/serving/payloads/adaptInput.ts`);
const specs = [{ name: "input", datatype: "FP32", shape: [-1, 20] }];
const row = Array.from({ length: 20 }, (_, i) => i * 0.5 + 0.25);
const bodies = {
  split1: JSON.stringify({ dataframe_split: { columns: row.map((_, i) => `f${i}`), data: [row] } }),
  instances1: JSON.stringify({ instances: [row] }),
  records64: JSON.stringify({
    dataframe_records: Array.from({ length: 64 }, () => Object.fromEntries(row.map((v, i) => [`f${i}`, v]))),
  }),
};
const untypedSpecs: never[] = [];
for (const [name, body] of Object.entries(bodies)) {
  for (const [label, s, typed] of [
    ["typed", specs, true],
    ["untyped", untypedSpecs, false],
  ] as const) {
    const run = () =>
      adaptInput(mlflowRequest(body, "application/json", { typedInputs: typed }).input, s as never);
    for (let i = 0; i < 20000; i++) run();
    const times: number[] = [];
    for (let k = 0; k < 7; k++) {
      const t = performance.now();
      for (let i = 0; i < 20000; i++) run();
      times.push(((performance.now() - t) / 20000) * 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`${name} ${label} ${(times[3] as number).toFixed(2)} us`);
  }
}
