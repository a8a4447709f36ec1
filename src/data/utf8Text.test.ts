import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readDvcFile } from "./dvcFile.js";
import { decodeUtf8 } from "./utf8Text.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-utf8-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("decodeUtf8", () => {
  it("names the file, line and offset of the first byte that is not UTF-8", () => {
    const bytes = Buffer.concat([
      Buffer.from("a: 1\nb: caf"),
      Buffer.from([0xc3, 0xa9, 0xff]),
      Buffer.from("\n"),
    ]);
    expect(() => decodeUtf8("params.yaml", bytes)).toThrow(
      "params.yaml:2: not valid UTF-8 (byte 0xff at offset 13)",
    );
  });

  it("refuses an overlong encoding and a truncated sequence, as dvc's strict decoder does", () => {
    expect(() => decodeUtf8("f", Buffer.from([0x61, 0xc0, 0xaf]))).toThrow(
      "f:1: not valid UTF-8 (byte 0xc0 at offset 1)",
    );
    expect(() => decodeUtf8("f", Buffer.from([0x61, 0xe2, 0x82]))).toThrow("at offset 1");
  });

  it("keeps a leading byte-order mark, as reading with Node's utf8 decoding did", () => {
    expect(decodeUtf8("f", Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe("\uFEFFa");
  });
});

// Regression: the bad byte was read as U+FFFD, so `data checkout` created `data\uFFFD.txt` beside data.txt.
describe("a .dvc file with a byte that is not UTF-8", () => {
  // dvc 3.67.1 says: unable to read: 'data.txt.dvc', is not valid utf-8: ... in position 80
  it("is refused naming the file and line, not read as a different path", async () => {
    const text = Buffer.concat([
      Buffer.from("outs:\n- md5: b1946ac92492d2347c6235b4d2611184\n  size: 6\n  hash: md5\n  path: data"),
      Buffer.from([0xff]),
      Buffer.from(".txt\n"),
    ]);
    await writeFile(join(dir, "data.txt.dvc"), text);
    await expect(readDvcFile(join(dir, "data.txt.dvc"), dir)).rejects.toThrow(
      `${join(dir, "data.txt.dvc")}:5: not valid UTF-8 (byte 0xff at offset 80)`,
    );
  });
});
