import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openFileByteRanges } from "./fileByteRanges.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-ranges-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openFileByteRanges", () => {
  it("reads exactly the requested byte ranges, the end of the file by default", async () => {
    const path = join(dir, "bytes.bin");
    await writeFile(
      path,
      Uint8Array.from({ length: 100 }, (_, i) => i),
    );
    const file = await openFileByteRanges(path);
    try {
      expect(file.byteLength).toBe(100);
      expect([...new Uint8Array(await file.slice(10, 14))]).toEqual([10, 11, 12, 13]);
      expect([...new Uint8Array(await file.slice(97))]).toEqual([97, 98, 99]);
      expect((await file.slice(5, 5)).byteLength).toBe(0);
    } finally {
      await file.close();
    }
  });
});
