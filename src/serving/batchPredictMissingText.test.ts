/**
 * Regression: `flowops predict` refused a text column with empty cells for a model without a signature ("mixes
 * strings with numbers or booleans"). The missing text now reaches the runtime as BYTES `nulls`, and for a CSV
 * file with missingAsNaN, so a Python model gets NaN as pandas.read_csv (MLflow's batch scoring) gives it; a
 * JSON Lines null stays None. The real worker is exercised in src/server/serving/mlflowPythonMissingText.test.ts.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import { untypedModel } from "./batchPredictFixtures.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-missing-text-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Call {
  inputs: Tensor[];
  missingAsNaN: boolean | undefined;
}

/** A model without a signature that records each call's inputs and missingAsNaN option. */
const recordingModel = (calls: Call[]): LoadedModel =>
  untypedModel((inputs, options) => calls.push({ inputs, missingAsNaN: options?.missingAsNaN }));

describe("batchPredict of text with missing cells for a model without a signature", () => {
  it("hands the model a CSV file's empty text fields as missing, to be NaN as read_csv reads them", async () => {
    const input = join(dir, "texts.csv");
    await writeFile(input, "text,n\nabc,1\n,2\nNA,3\n");
    const calls: Call[] = [];
    await batchPredict(recordingModel(calls), {
      input: openTable(input),
      output: join(dir, "out.csv"),
      batchSize: 8,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.missingAsNaN).toBe(true);
    expect(calls[0]?.inputs[0]).toMatchObject({
      name: "text",
      datatype: "BYTES",
      data: ["abc", "", ""],
      nulls: [1, 2],
    });
  });

  it("hands the model a CSV file's true/false column as booleans, as read_csv types it", async () => {
    const input = join(dir, "flags.csv");
    await writeFile(input, "flag,n\nTrue,1\nfalse,2\nTRUE,3\n");
    const calls: Call[] = [];
    await batchPredict(recordingModel(calls), {
      input: openTable(input),
      output: join(dir, "flags-out.csv"),
      batchSize: 8,
    });
    expect(calls[0]?.inputs[0]).toMatchObject({ name: "flag", datatype: "BOOL", shape: [3] });
    expect(Array.from(calls[0]?.inputs[0]?.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it("hands the model a JSON Lines null text as missing, without NaN (None, as pandas reads a JSON null)", async () => {
    const input = join(dir, "texts.jsonl");
    await writeFile(input, '{"text":"abc","n":1}\n{"text":null,"n":2}\n');
    const calls: Call[] = [];
    await batchPredict(recordingModel(calls), {
      input: openTable(input),
      output: join(dir, "out.jsonl"),
      batchSize: 8,
    });
    expect(calls[0]?.missingAsNaN).toBeUndefined();
    expect(calls[0]?.inputs[0]).toMatchObject({ name: "text", datatype: "BYTES", nulls: [1] });
  });
});
