import { mkdtemp, rm, utimes, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localModelKey } from "./modelFilesKey.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-model-key-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("localModelKey", () => {
  it("changes when a file of the model is rewritten or added, and not otherwise", async () => {
    const model = join(dir, "model");
    await mkdir(join(model, "sub"), { recursive: true });
    await writeFile(join(model, "MLmodel"), "flavors: {}\n");
    await writeFile(join(model, "sub", "weights.bin"), "aaaa");
    const first = await localModelKey(model);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await localModelKey(model)).toBe(first);
    await utimes(join(model, "sub", "weights.bin"), new Date(2020, 1, 1), new Date(2020, 1, 1));
    const retouched = await localModelKey(model);
    expect(retouched).not.toBe(first);
    await writeFile(join(model, "extra.txt"), "x");
    expect(await localModelKey(model)).not.toBe(retouched);
  });

  it("is undefined for registry and run URIs, and for a path that is not there", async () => {
    expect(await localModelKey("models:/churn/1")).toBeUndefined();
    expect(await localModelKey("runs:/abc/model")).toBeUndefined();
    expect(await localModelKey(join(dir, "missing"))).toBeUndefined();
  });
});
