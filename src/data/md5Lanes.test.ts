import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LANE_MAX_BYTES, Md5Lanes } from "./md5Lanes.js";
import { md5LanesModuleBytes } from "./md5LanesModule.js";

const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

describe("Md5Lanes", () => {
  let dir: string;
  const lanes = new Md5Lanes();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-lanes-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeFiles(sizes: readonly number[]) {
    return sizes.map((size, i) => {
      const data = randomBytes(size);
      const path = join(dir, `f${i}`);
      writeFileSync(path, data);
      return { path, md5: md5(data), size };
    });
  }

  it("is a valid WebAssembly module", () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
      .WebAssembly;
    expect(api.validate(md5LanesModuleBytes(1))).toBe(true);
  });

  it("matches OpenSSL's MD5 at every padding boundary and across chunks", () => {
    // 55/56 and 119/120 bytes: the length fits in the last data block or needs one more; 64 KiB: one chunk
    // exactly, whose end only the next read finds; the rest span several chunks of uneven lanes.
    const sizes = [
      0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 65_535, 65_536, 65_537, 200_000, 1_048_576, 3,
    ];
    const files = writeFiles(sizes);
    const outcomes = lanes.hashFiles(files.map((f) => f.path));
    expect(outcomes).toEqual(
      files.map((f) => ({
        md5: f.md5,
        size: f.size,
        stamp: expect.objectContaining({ size: f.size }) as unknown,
      })),
    );
  });

  it("hashes fewer files than lanes, and one alone", () => {
    for (const sizes of [[10], [70_000, 5], [1, 2, 3]]) {
      const files = writeFiles(sizes);
      const outcomes = lanes.hashFiles(files.map((f) => f.path));
      expect(outcomes.map((o) => ("md5" in o ? o.md5 : o))).toEqual(files.map((f) => f.md5));
    }
  });

  it("stamps each file with the stat of the file it read", () => {
    const files = writeFiles([100, 70_000, 0]);
    const outcomes = lanes.hashFiles(files.map((f) => f.path));
    outcomes.forEach((outcome, i) => {
      const st = statSync(files[i]!.path);
      expect(outcome).toMatchObject({ stamp: { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size } });
    });
  });

  it("reports a file it cannot read and goes on with the others", () => {
    const files = writeFiles([100, 90_000, 7]);
    const paths = [files[0]!.path, join(dir, "missing"), files[1]!.path, dir, files[2]!.path];
    const outcomes = lanes.hashFiles(paths);
    expect(outcomes[1]).toEqual({ error: expect.objectContaining({ code: "ENOENT" }) as unknown });
    expect(outcomes[3]).toEqual({ error: expect.objectContaining({ code: "EISDIR" }) as unknown });
    expect([outcomes[0], outcomes[2], outcomes[4]].map((o) => o && "md5" in o && o.md5)).toEqual(
      files.map((f) => f.md5),
    );
  });

  it("hashes a file hinted as large with OpenSSL, with the same result, and reports every byte read", () => {
    const files = writeFiles([300_000, 1000, 2000]);
    let reported = 0;
    const outcomes = lanes.hashFiles(
      files.map((f) => f.path),
      (bytes) => (reported += bytes),
      [LANE_MAX_BYTES + 1, 1000, 2000],
    );
    expect(outcomes.map((o) => ("md5" in o ? o.md5 : o))).toEqual(files.map((f) => f.md5));
    expect(reported).toBe(303_000);
  });

  it("hashes many files through the lanes, reusing them as files end", () => {
    const files = writeFiles(Array.from({ length: 41 }, (_, i) => (i * 7919) % 150_000));
    const outcomes = lanes.hashFiles(files.map((f) => f.path));
    expect(outcomes.map((o) => ("md5" in o ? o.md5 : o))).toEqual(files.map((f) => f.md5));
  });
});

describe("Md5Lanes without WebAssembly SIMD", () => {
  it("hashes each file with OpenSSL, with the same outcomes", () => {
    const dir = mkdtempSync(join(tmpdir(), "flowops-lanes-"));
    try {
      const files = [0, 70_000, 13].map((size, i) => {
        const data = randomBytes(size);
        const path = join(dir, `f${i}`);
        writeFileSync(path, data);
        return { path, md5: md5(data), size };
      });
      const paths = [...files.map((f) => f.path), join(dir, "missing")];
      const outcomes = new Md5Lanes({ simd: false }).hashFiles(paths);
      expect(outcomes.slice(0, 3).map((o) => ("md5" in o ? [o.md5, o.size] : o))).toEqual(
        files.map((f) => [f.md5, f.size]),
      );
      expect(outcomes[3]).toEqual({ error: expect.objectContaining({ code: "ENOENT" }) as unknown });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
