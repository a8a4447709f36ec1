import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  compareCodePoints,
  dirManifestOid,
  parseDirManifest,
  pythonJsonString,
  serializeDirManifest,
  sortByCodePoints,
} from "./dirManifest.js";
import type { DirEntry } from "./hashInfo.js";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** What DVC computes: Python's json.dumps(sorted list, sort_keys=True), UTF-8 encoded. */
function pythonManifest(entries: readonly DirEntry[]): Buffer {
  const script = [
    "import json, sys",
    "items = json.loads(sys.stdin.read())",
    "items = sorted(({'md5': e['md5'], 'relpath': e['relpath']} for e in items), key=lambda e: e['relpath'])",
    "sys.stdout.buffer.write(json.dumps(items, sort_keys=True).encode('utf-8'))",
  ].join("\n");
  return execFileSync("python3", ["-c", script], { input: JSON.stringify(entries) });
}

describe("serializeDirManifest", () => {
  it("reproduces DVC's vector for {foo, bar, nested/file}", () => {
    const bytes = serializeDirManifest([
      { relpath: "foo", md5: md5("foo") },
      { relpath: "nested/file", md5: md5("file") },
      { relpath: "bar", md5: md5("bar") },
    ]);
    expect(dirManifestOid(bytes)).toBe("5fc28ea78987408341668eba6525ebd1.dir");
  });

  it("reproduces DVC's vector for {1, 2} byte for byte", () => {
    const bytes = serializeDirManifest([
      { relpath: "2", md5: md5("2") },
      { relpath: "1", md5: md5("1") },
    ]);
    expect(bytes.toString()).toBe(
      '[{"md5": "c4ca4238a0b923820dcc509a6f75849b", "relpath": "1"}, {"md5": "c81e728d9d4c2f636f067f89cc14862c", "relpath": "2"}]',
    );
    expect(dirManifestOid(bytes)).toBe("5fb6b29836c388e093ca0715c872fe2a.dir");
  });

  it("matches Python for non-ASCII, astral, quote, backslash and control characters", () => {
    const names = [
      "café/naïve.txt",
      "日本語.csv",
      "emoji 😀.bin",
      "𝔘nicode/𝕏",
      "\uE000private",
      "\uFFFDreplacement",
      'quote"back\\slash',
      "tab\tnew\nline\u0001\u007f",
      "plain",
    ];
    const entries = names.map((relpath) => ({ relpath, md5: md5(relpath) }));
    const expected = pythonManifest(entries);
    expect(serializeDirManifest(entries).equals(expected)).toBe(true);
    expect(dirManifestOid(serializeDirManifest(entries))).toBe(
      `${createHash("md5").update(expected).digest("hex")}.dir`,
    );
  });

  it("sortByCodePoints orders as compareCodePoints does, with and without astral characters", () => {
    const alphabet = ["a", "B", "-", "/", "_", ".", "0", "é", "\uFFFD", "\uE000", "😀", "文"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const word = (pool: string[]) =>
      Array.from({ length: 1 + (next() % 6) }, () => pool[next() % pool.length]!).join("");
    for (const pool of [alphabet.slice(0, 10), alphabet]) {
      const words = Array.from({ length: 500 }, () => ({ relpath: word(pool) }));
      const expected = [...words].sort((x, y) => compareCodePoints(x.relpath, y.relpath));
      expect(sortByCodePoints(words, (w) => w.relpath).map((w) => w.relpath)).toEqual(
        expected.map((w) => w.relpath),
      );
    }
    // The case UTF-16 order gets wrong: an astral character sorts after U+FFFD.
    expect(sortByCodePoints(["😀", "\uFFFD"], (w) => w)).toEqual(["\uFFFD", "😀"]);
  });

  it("sorts astral characters after U+E000..U+FFFF as Python's code-point order does", () => {
    expect(compareCodePoints("😀", "\uFFFD")).toBeGreaterThan(0);
    expect(compareCodePoints("a", "b")).toBeLessThan(0);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    const bytes = serializeDirManifest([
      { relpath: "😀", md5: md5("x") },
      { relpath: "\uFFFD", md5: md5("y") },
    ]);
    expect(bytes.toString()).toMatch(/^\[\{"md5": "[0-9a-f]{32}", "relpath": "\\ufffd"\}/);
  });

  it("rejects a relpath listed twice", () => {
    const entry = { relpath: "a", md5: md5("a") };
    expect(() => serializeDirManifest([entry, entry])).toThrow(/twice/);
  });

  it("escapes like Python's ensure_ascii with lower-case hex", () => {
    expect(pythonJsonString("é😀\u001f")).toBe('"\\u00e9\\ud83d\\ude00\\u001f"');
  });
});

describe("parseDirManifest", () => {
  it("reads back what it wrote, including escaped names", () => {
    const entries = [
      { relpath: "a/😀", md5: md5("1") },
      { relpath: "b", md5: md5("2") },
    ];
    expect(parseDirManifest(serializeDirManifest(entries), "x.dir")).toEqual(entries);
  });

  it("keeps size and isexec when a manifest carries them", () => {
    const bytes = Buffer.from(`[{"md5": "${md5("1")}", "relpath": "a", "size": 1, "isexec": true}]`);
    expect(parseDirManifest(bytes, "x.dir")).toEqual([
      { relpath: "a", md5: md5("1"), size: 1, isexec: true },
    ]);
  });

  it("names the object when the bytes are not a manifest", () => {
    expect(() => parseDirManifest(Buffer.from("{not json"), "abc.dir")).toThrow(/abc\.dir is corrupted/);
    expect(() => parseDirManifest(Buffer.from('{"a": 1}'), "abc.dir")).toThrow(/abc\.dir.*list/);
    expect(() => parseDirManifest(Buffer.from('[{"relpath": "a", "md5": "zz"}]'), "abc.dir")).toThrow(
      /invalid md5/,
    );
  });

  it("rejects relpaths that would leave the directory", () => {
    for (const relpath of ["../x", "/etc/passwd", "a//b", "a/./b", ""]) {
      const bytes = Buffer.from(JSON.stringify([{ md5: md5("1"), relpath }]));
      expect(() => parseDirManifest(bytes, "abc.dir")).toThrow(/invalid relpath/);
    }
  });
});
