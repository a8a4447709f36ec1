import { describe, expect, it } from "vitest";

import { detectDrift, type DriftTable } from "./datasetDrift.js";
import { detectDriftInParallel } from "./parallelDrift.js";

const column = (seed: number, n: number, shift: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.sin((i + 1) * seed * 12.9898) * 2 + shift);

const table = (seed: number, shift: number): DriftTable => [
  { name: "a", values: column(seed, 4000, shift) },
  { name: "b", values: column(seed + 1, 3000, 0) },
  { name: "c", values: Array.from({ length: 3000 }, (_, i) => (i % (shift > 0 ? 3 : 2) === 0 ? "x" : "y")) },
  { name: "d", values: column(seed + 2, 500, shift) },
];

describe("detectDriftInParallel", () => {
  it("gives the same report as detectDrift when columns run on worker threads", async () => {
    const reference = table(3, 0);
    const current = table(7, 1);
    const parallel = await detectDriftInParallel(reference, current, { threads: 3, minValuesForWorkers: 0 });
    expect(parallel).toEqual(detectDrift(reference, current));
  });

  it("gives the same report in the calling thread for small inputs", async () => {
    const reference = table(3, 0);
    const current = table(7, 1);
    expect(await detectDriftInParallel(reference, current)).toEqual(detectDrift(reference, current));
  });

  it("rethrows a worker's error as the same FlowOpsError", async () => {
    const reference: DriftTable = [
      { name: "a", values: column(1, 100, 0) },
      { name: "b", values: column(2, 100, 0) },
    ];
    const current: DriftTable = [
      { name: "a", values: column(3, 100, 0) },
      { name: "b", values: new Float64Array([Number.NaN]) },
    ];
    await expect(
      detectDriftInParallel(reference, current, { threads: 2, minValuesForWorkers: 0 }),
    ).rejects.toMatchObject({ name: "FlowOpsError", code: "INVALID_PARAMETER_VALUE" });
  });
});
