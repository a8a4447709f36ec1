import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { HashPool } from "./hashPool.js";

const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

describe("HashPool", () => {
  let dir: string;
  const pool = new HashPool({ jobs: 2 });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-pool-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => pool.close());

  function writeFiles(count: number, size: (i: number) => number, prefix = "f") {
    return Array.from({ length: count }, (_, i) => {
      const data = randomBytes(size(i));
      const path = join(dir, `${prefix}${i}`);
      writeFileSync(path, data);
      return { path, md5: md5(data), size: data.length };
    });
  }

  it("hashes many files on worker threads, answering in input order", async () => {
    // 300 files of 40-80 KiB: over the in-thread limits, so batches go to workers.
    const files = writeFiles(300, (i) => 40_000 + (i % 7) * 6000);
    let reported = 0;
    const digests = await pool.hashFiles(
      files.map((f) => f.path),
      (n) => (reported += n),
    );
    expect(digests.map(({ md5, size }) => ({ md5, size }))).toEqual(
      files.map(({ md5, size }) => ({ md5, size })),
    );
    expect(reported).toBe(files.reduce((sum, f) => sum + f.size, 0));
  });

  it("stamps each file with a stat of the file it read, on workers and in-thread", async () => {
    const many = writeFiles(300, () => 40_000);
    const few = writeFiles(3, () => 1000, "small");
    for (const group of [many, few, few.slice(0, 1)]) {
      const digests = await pool.hashFiles(group.map((f) => f.path));
      digests.forEach((digest, i) => {
        const st = statSync(group[i]!.path);
        expect(digest.stamp).toEqual({ ino: st.ino, mtimeMs: st.mtimeMs, size: st.size });
      });
    }
  });

  it("hashes thousands of small files of mixed sizes exactly", async () => {
    // Guided batches shrink towards the end; every file must still land in exactly one batch.
    const files = writeFiles(2000, (i) => (i % 13) * 997);
    const digests = await pool.hashFiles(
      files.map((f) => f.path),
      undefined,
      files.map((f) => f.size),
    );
    expect(digests.map((d) => d.md5)).toEqual(files.map((f) => f.md5));
    expect(digests.map((d) => d.size)).toEqual(files.map((f) => f.size));
  });

  it("balances a large file among small ones", async () => {
    const files = [...writeFiles(40, () => 200_000), ...writeFiles(1, () => 12 << 20, "big")];
    const digests = await pool.hashFiles(files.map((f) => f.path));
    expect(digests.map((d) => d.md5)).toEqual(files.map((f) => f.md5));
  });

  it("hashes a small job and a single file in-thread", async () => {
    const files = writeFiles(3, () => 1000);
    expect((await pool.hashFiles(files.map((f) => f.path))).map((d) => d.md5)).toEqual(
      files.map((f) => f.md5),
    );
    expect((await pool.hashFiles([files[0]!.path]))[0]!.md5).toBe(files[0]!.md5);
  });

  it("fails naming a missing file, on workers and in-thread", async () => {
    const files = writeFiles(200, () => 50_000);
    const missing = join(dir, "missing");
    await expect(pool.hashFiles([...files.map((f) => f.path), missing])).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringContaining(missing),
    });
    await expect(pool.hashFiles([missing])).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    // The pool keeps working after a failed call.
    expect((await pool.hashFiles(files.map((f) => f.path)))[5]!.md5).toBe(files[5]!.md5);
  });

  it("refuses work after close", async () => {
    const closed = new HashPool({ jobs: 2 });
    await closed.close();
    await expect(closed.hashFiles([join(dir, "x")])).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("does not keep the process alive once its work is done", async () => {
    const files = writeFiles(200, () => 50_000);
    const list = join(dir, "list.json");
    writeFileSync(list, JSON.stringify(files.map((f) => f.path)));
    const script = [
      `import { readFileSync } from "node:fs";`,
      `import { HashPool } from ${JSON.stringify(new URL("./hashPool.ts", import.meta.url).href)};`,
      `const paths = JSON.parse(readFileSync(${JSON.stringify(list)}, "utf8"));`,
      `const digests = await HashPool.shared().hashFiles(paths);`,
      `console.log(digests[0].md5);`,
    ].join("\n");
    const scriptPath = join(dir, "child.mts");
    writeFileSync(scriptPath, script);
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", scriptPath], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe(files[0]!.md5);
  });
});
