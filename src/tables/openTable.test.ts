import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { openTable } from "./openTable.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-open-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(action: () => unknown): FlowOpsError {
  try {
    action();
  } catch (error) {
    if (error instanceof FlowOpsError) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("openTable", () => {
  it("picks the format from the extension or the option", async () => {
    for (const [name, format] of [
      ["a.csv", "csv"],
      ["a.TSV", "tsv"],
      ["a.jsonl", "jsonl"],
      ["a.ndjson", "jsonl"],
      ["a.parquet", "parquet"],
    ] as const) {
      await writeFile(join(dir, name), "");
      expect(openTable(join(dir, name)).format).toBe(format);
    }
    await writeFile(join(dir, "rows.txt"), "a\n1\n");
    expect(openTable(join(dir, "rows.txt"), { format: "csv" }).format).toBe("csv");
  });

  it("lists the known extensions for an unknown one", async () => {
    await writeFile(join(dir, "data.xlsx"), "");
    const error = thrown(() => openTable(join(dir, "data.xlsx")));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(/known extensions: \.csv, \.tsv, \.jsonl, \.ndjson, \.parquet/);
  });

  it("reports a missing file as a resource that does not exist, naming the path", () => {
    const path = join(dir, "absent.csv");
    const error = thrown(() => openTable(path));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain(path);
  });

  it("rejects a chunk size that is not a positive integer", async () => {
    await writeFile(join(dir, "c.csv"), "a\n");
    expect(thrown(() => openTable(join(dir, "c.csv"), { chunkRows: 0 })).message).toMatch(
      /chunkRows must be a positive integer/,
    );
  });

  it("re-reads the file on each iteration", async () => {
    const path = join(dir, "again.csv");
    await writeFile(path, "a\n1\n2\n");
    const source = openTable(path);
    for (let pass = 0; pass < 2; pass++) {
      let rows = 0;
      for await (const chunk of source.chunks()) rows += chunk.rowCount;
      expect(rows).toBe(2);
    }
  });
});
