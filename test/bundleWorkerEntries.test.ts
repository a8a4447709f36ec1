import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { workerEntries } from "../scripts/workerEntries.mjs";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the CLI bundle's worker entries", () => {
  it("finds every worker module that src starts, each beside its caller", async () => {
    const entries = await workerEntries();
    expect(entries).toMatchObject({
      hashWorker: "src/data/hashWorker.ts",
      onnxWorker: "src/serving/runtimes/onnxWorker.ts",
      driftWorker: "src/monitoring/drift/driftWorker.ts",
    });
    for (const path of Object.values(entries)) expect(existsSync(path), path).toBe(true);
  });

  it("sees every worker thread: src starts none except through startModuleWorker", () => {
    const direct = sourceFiles("src").filter(
      (file) => file !== join("src", "moduleWorker.ts") && /new Worker\(/.test(readFileSync(file, "utf8")),
    );
    expect(direct).toEqual([]);
  });
});
