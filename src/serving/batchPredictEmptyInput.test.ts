import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../tables/openTable.js";
import { batchPredict } from "./batchPredict.js";
import { doublingModel } from "./batchPredictFixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-empty-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function predictColumnX(
  name: string,
  text: string,
): Promise<{ run: Promise<unknown>; output: string }> {
  const input = join(dir, name);
  await writeFile(input, text);
  const output = join(dir, `${name}-out.csv`);
  const run = batchPredict(doublingModel, { input: openTable(input), output, batchSize: 2, columns: ["x"] });
  return { run, output };
}

describe("batchPredict over an input without rows", () => {
  it("regression: refuses a header-only CSV that lacks the requested column, as it refuses a longer one", async () => {
    const { run, output } = await predictColumnX("header-only.csv", "id,y\n");
    await expect(run).rejects.toThrow(/header-only\.csv has no column 'x'; its columns are: id, y/);
    expect(existsSync(output)).toBe(false);
  });

  it("regression: refuses an empty JSON Lines file when columns are requested, instead of writing no rows", async () => {
    const { run, output } = await predictColumnX("blank.jsonl", "\n \n");
    await expect(run).rejects.toThrow(/blank\.jsonl has no column 'x'/);
    expect(existsSync(output)).toBe(false);
  });

  it("still writes the columns of a header-only CSV that has the requested column", async () => {
    const { run, output } = await predictColumnX("header-x.csv", "id,x\n");
    await expect(run).resolves.toMatchObject({ rows: 0 });
    expect(existsSync(output)).toBe(true);
  });
});
