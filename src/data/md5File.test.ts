import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  READ_CHUNK_BYTES,
  legacyMd5FileSync,
  md5File,
  md5FileStamped,
  md5FileSync,
  md5FileSyncStamped,
} from "./md5File.js";

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

describe("md5File", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-md5-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives DVC's vector for a file containing foo", async () => {
    writeFileSync(join(dir, "foo"), "foo");
    expect(await md5File(join(dir, "foo"))).toEqual({ md5: "acbd18db4cc2f85cedef654fccc4a4d8", size: 3 });
    expect(md5FileSync(join(dir, "foo"))).toEqual({ md5: "acbd18db4cc2f85cedef654fccc4a4d8", size: 3 });
  });

  it("hashes an empty file", async () => {
    writeFileSync(join(dir, "empty"), "");
    expect(await md5File(join(dir, "empty"))).toEqual({ md5: md5(""), size: 0 });
  });

  it("hashes files spanning many read chunks, reporting every byte", async () => {
    const data = randomBytes(READ_CHUNK_BYTES * 5 + 123);
    writeFileSync(join(dir, "big"), data);
    let reported = 0;
    expect(await md5File(join(dir, "big"), (n) => (reported += n))).toEqual({
      md5: md5(data),
      size: data.length,
    });
    expect(reported).toBe(data.length);
    expect(md5FileSync(join(dir, "big"))).toEqual({ md5: md5(data), size: data.length });
  });

  it("hashes concurrent files independently", async () => {
    const files = Array.from({ length: 12 }, (_, i) => {
      const data = randomBytes(READ_CHUNK_BYTES + i * 1000);
      writeFileSync(join(dir, `f${i}`), data);
      return { path: join(dir, `f${i}`), md5: md5(data) };
    });
    const digests = await Promise.all(files.map((file) => md5File(file.path)));
    expect(digests.map((digest) => digest.md5)).toEqual(files.map((file) => file.md5));
  });

  it("rejects a missing file with ENOENT", async () => {
    await expect(md5File(join(dir, "nope"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("stamps a hashed file with its inode, mtime and size after reading", async () => {
    const data = randomBytes(100_000);
    writeFileSync(join(dir, "f"), data);
    const st = statSync(join(dir, "f"));
    const expected = {
      md5: md5(data),
      size: data.length,
      stamp: { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size },
    };
    expect(md5FileSyncStamped(join(dir, "f"))).toEqual(expected);
    expect(await md5FileStamped(join(dir, "f"))).toEqual(expected);
  });
});

describe("legacyMd5FileSync", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-md5-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("hashes text with CRLF as DVC 2 did, after converting to LF", () => {
    writeFileSync(join(dir, "text"), "a\r\nb\r\n");
    expect(legacyMd5FileSync(join(dir, "text"))).toEqual({ md5: md5("a\nb\n"), size: 6 });
  });

  it("leaves binary content (a NUL byte) unconverted", () => {
    const data = Buffer.from("a\r\n\0b");
    writeFileSync(join(dir, "bin"), data);
    expect(legacyMd5FileSync(join(dir, "bin")).md5).toBe(md5(data));
  });
});
