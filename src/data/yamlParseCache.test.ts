import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PYTHON_YAML_FLAVOUR, PyFloat, parsePythonYaml } from "../pipelines/pythonValues.js";
import { parseYamlText, type YamlFile } from "./yamlFile.js";
import { cachedYamlParse, entryName } from "./yamlParseCache.js";

const TEXT = [
  "stages:",
  "  train:",
  "    cmd: python train.py",
  "    deps:",
  "    - data.csv",
  "    - train.py",
  "    params:",
  "    - lr: 1.0",
  "      inf: .inf",
  "      nan: .nan",
  "      neg: -0.0",
  "      n: 3",
  "",
].join("\n");

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flowops-yamlcache-"));
  mkdirSync(join(root, ".dvc"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const KEY_PATHS: (string | number)[][] = [
  [],
  ["stages"],
  ["stages", "train", "cmd"],
  ["stages", "train", "deps", 1],
  ["stages", "train", "params", 0, "nan"],
  ["stages", "train", "nope", 3],
  ["stages", "train", "deps", 7],
];

describe("cachedYamlParse", () => {
  it("parses once, then answers the same value and lines from the cache", () => {
    const path = join(root, "dvc.yaml");
    const first = parsePythonYaml(path, TEXT);
    const parse = vi.fn(() => parsePythonYaml(join(root, "elsewhere.yaml"), TEXT));
    const second = cachedYamlParse(path, TEXT, PYTHON_YAML_FLAVOUR, parse, {
      encode: (value) => (value instanceof PyFloat ? value.value : undefined),
      decode: (encoded) => new PyFloat(encoded as number),
    });
    expect(parse).not.toHaveBeenCalled();
    expect(second.value).toEqual(first.value);
    const params = (second.value as { stages: { train: { params: Record<string, unknown>[] } } }).stages.train
      .params[0]!;
    expect(params.lr).toBeInstanceOf(PyFloat);
    expect(params.inf).toBe(Infinity);
    expect(params.nan).toBeNaN();
    expect(Object.is((params.neg as PyFloat).value, -0) || Object.is(params.neg, -0)).toBe(true);
    for (const keyPath of KEY_PATHS)
      expect(second.lineOf(keyPath), keyPath.join(".")).toBe(first.lineOf(keyPath));
  });

  it("parses again when the text changed, and keeps one entry per file", () => {
    const path = join(root, "dvc.yaml");
    parseYamlText(path, "a: 1\n");
    const parse = vi.fn((): YamlFile => ({ path, value: { a: 2 }, lineOf: () => 1 }));
    expect(cachedYamlParse(path, "a: 2\n", "yaml", parse).value).toEqual({ a: 2 });
    expect(parse).toHaveBeenCalledTimes(1);
    expect(readdirSync(join(root, ".dvc", "tmp", "flowops-yaml"))).toHaveLength(1);
  });

  it("answers an entry only for its own flavour and text, even when another key wrote that file", () => {
    const path = join(root, "dvc.yaml");
    const cacheDir = join(root, ".dvc", "tmp", "flowops-yaml");
    parseYamlText(path, "a: 1\n");
    const [name] = readdirSync(cacheDir);
    const parse = vi.fn((): YamlFile => ({ path, value: "fresh", lineOf: () => 1 }));
    // Another flavour of the same text: a miss, though the file holds that text.
    const entryFile = join(cacheDir, name!);
    expect(cachedYamlParse(path, "a: 1\n", "other-flavour", parse).value).toBe("fresh");
    expect(parse).toHaveBeenCalledTimes(1);
    // A file whose name the key shares, holding another file's text: a miss too.
    writeFileSync(entryFile, JSON.stringify({ flavour: "yaml", text: "b: 2\n", value: { b: 2 }, lines: {} }));
    expect(cachedYamlParse(path, "a: 1\n", "yaml", parse).value).toBe("fresh");
    expect(parse).toHaveBeenCalledTimes(2);
  });

  it("names entries by two 32-bit FNV-1a hashes of the key", () => {
    expect(entryName("")).toBe("811c9dc55ad1e806");
    expect(entryName("a")).toMatch(/^e40c292c[0-9a-f]{8}$/);
    expect(entryName("yaml\0/r/dvc.yaml")).not.toBe(entryName("yaml\0/r/dvc.lock"));
  });

  it("keeps no cache outside a DVC repository", () => {
    const outside = mkdtempSync(join(tmpdir(), "flowops-yamlcache-none-"));
    try {
      const parse = vi.fn((): YamlFile => ({ path: "x", value: 1, lineOf: () => 1 }));
      cachedYamlParse(join(outside, "x.yaml"), "1\n", "yaml", parse);
      cachedYamlParse(join(outside, "x.yaml"), "1\n", "yaml", parse);
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("treats a corrupt entry as a miss and never caches a syntax error", () => {
    const path = join(root, "dvc.yaml");
    parseYamlText(path, "a: 1\n");
    const dir = join(root, ".dvc", "tmp", "flowops-yaml");
    for (const name of readdirSync(dir)) writeFileSync(join(dir, name), "{ not json");
    expect(parseYamlText(path, "a: 1\n").value).toEqual({ a: 1 });
    const bad = "a: [1\n";
    expect(() => parseYamlText(path, bad)).toThrow(/dvc\.yaml:\d+: invalid YAML/);
    expect(() => parseYamlText(path, bad)).toThrow(/dvc\.yaml:\d+: invalid YAML/);
  });
});
