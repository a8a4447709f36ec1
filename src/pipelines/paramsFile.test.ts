import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flattenParams, loadParamsFile, lookupParam, parseParamsText, selectParams } from "./paramsFile.js";
import { PyFloat } from "./pythonValues.js";

describe("loadParamsFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-params-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("reads YAML, and any unknown extension as YAML, like dvc", async () => {
    expect(await loadParamsFile(file("params.yaml", "lr: 0.1\ntrain: {epochs: 3}\n"))).toEqual({
      lr: 0.1,
      train: { epochs: 3 },
    });
    expect(await loadParamsFile(file("params.cfg", "a: b\n"))).toEqual({ a: "b" });
  });

  it("reads JSON and TOML, keeping integral floats as floats", async () => {
    const json = await loadParamsFile(file("p.json", '{"a": 1.0, "b": 2, "c": "1.0", "d": 1e3}'));
    expect(json.a).toEqual(new PyFloat(1));
    expect(json.b).toBe(2);
    expect(json.c).toBe("1.0");
    expect(json.d).toEqual(new PyFloat(1000));
    const toml = await loadParamsFile(file("p.toml", "[data]\nsplit = 0.2\nwhole = 1.0\nn = 4\n"));
    expect(toml).toEqual({ data: { split: 0.2, whole: new PyFloat(1), n: 4 } });
  });

  it("keeps YAML floats written with a fraction or exponent as floats", () => {
    const values = parseParamsText("p.yaml", "a: 1.0\nb: 1e3\nc: 1\nd: 0.5\ne: 1_000.0\n");
    expect(values).toEqual({ a: new PyFloat(1), b: new PyFloat(1000), c: 1, d: 0.5, e: new PyFloat(1000) });
  });

  // Regression: `1_000` was read as a string, so repro wrote `us: '1_000'` and `echo 1_000` into dvc.lock.
  it("reads YAML numbers with underscores, signs and prefixes as ruamel's safe loader does", () => {
    // Each form and what dvc 3.67.1 (ruamel.yaml 0.19.1, typ="safe") reads it as.
    const forms: [string, unknown][] = [
      ["1_000", 1000],
      ["1__0", 10],
      ["1_", 1],
      ["-_1", -1],
      ["0x_1F", 31],
      ["-0x1F", -31],
      ["0b1_0", 2],
      ["0o1_7", 15],
      ["0_10", 10],
      ["010", 10],
      ["08", 8],
      ["0o10", 8],
      ["0x1F", 31],
      ["-0", 0],
      ["1_0.5", 10.5],
      ["1_000.5", 1000.5],
      ["1_0e3", new PyFloat(10000)],
      ["1_e3", new PyFloat(1000)],
      ["._5", 0.5],
      ["1.", new PyFloat(1)],
      [".5e+3", new PyFloat(500)],
      ["1e3", new PyFloat(1000)],
      ["+.inf", Infinity],
      ["_1", "_1"],
      ["__1", "__1"],
      ["1e_3", "1e_3"],
      ["1e3_", "1e3_"],
      [".5e3", ".5e3"],
      ["0X1F", "0X1F"],
      ["0o8", "0o8"],
      ["0b", "0b"],
      ["1_0:30", "1_0:30"],
      ["-.NaN", "-.NaN"],
      ["yes", "yes"],
      ["no", "no"],
      ["~", null],
    ];
    const text = forms.map(([form], i) => `k${i}: ${form}\n`).join("");
    const values = parseParamsText("p.yaml", text);
    expect(forms.map((_, i) => values[`k${i}`])).toEqual(forms.map(([, value]) => value));
    expect(Object.is(values.k13, -0)).toBe(false);
  });

  it("rejects an int of only a prefix and underscores, which ruamel cannot construct", () => {
    expect(() => parseParamsText("p.yaml", "a: 1\nb: 0x_\n")).toThrow(/p\.yaml:2: invalid YAML/);
    expect(() => parseParamsText("p.yaml", "b: -_\n")).toThrow(/p\.yaml:1: invalid YAML/);
  });

  it("names the file and line of malformed YAML, JSON and TOML", async () => {
    await expect(loadParamsFile(file("bad.yaml", "a: 1\nb: [1\n"))).rejects.toThrow(
      /bad\.yaml:\d+: invalid YAML/,
    );
    await expect(loadParamsFile(file("bad.json", '{"a": }'))).rejects.toThrow(/bad\.json: invalid JSON/);
    await expect(loadParamsFile(file("bad.toml", "a = 1\nb = \n"))).rejects.toThrow(
      /bad\.toml:2: invalid TOML/,
    );
    await expect(loadParamsFile(file("list.yaml", "- 1\n"))).rejects.toThrow(
      /list\.yaml:1: expected a mapping/,
    );
  });

  it("reads Python params files by their literal assignments, classes nested", async () => {
    const text = "LR = 0.1\nclass TrainConfig:\n    EPOCHS = 3\n    F = 1.0\n";
    const values = await loadParamsFile(file("params.py", text));
    expect(values).toEqual({ LR: 0.1, TrainConfig: { EPOCHS: 3, F: new PyFloat(1) } });
    expect(selectParams(values, ["TrainConfig.EPOCHS", "LR"])).toEqual({ "TrainConfig.EPOCHS": 3, LR: 0.1 });
    await expect(loadParamsFile(file("bad.py", "A = (1,\n"))).rejects.toThrow(/bad\.py:\d+: invalid Python/);
  });

  it("fails a stage's params that use a set from params.py, as dvc does, and allows the other keys", () => {
    const values = parseParamsText("params.py", "LR = 0.1\nTAGS = {'a', 'b'}\n");
    expect(selectParams(values, ["LR"])).toEqual({ LR: 0.1 });
    expect(() => selectParams(values, ["TAGS"])).toThrow(/params\.py:2: param 'TAGS' is a set/);
    expect(() => selectParams(values, "all")).toThrow(/param 'TAGS' is a set/);
  });

  it("reports missing files and directories", async () => {
    await expect(loadParamsFile(join(dir, "none.yaml"))).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    mkdirSync(join(dir, "d.yaml"));
    await expect(loadParamsFile(join(dir, "d.yaml"))).rejects.toThrow(/is a directory/);
  });
});

describe("params lookups", () => {
  const params = { train: { lr: 0.1, layers: [64, { units: 8 }] }, seed: 1 };

  it("finds dotted keys and list items by index", () => {
    expect(lookupParam(params, "train.lr")).toEqual({ found: true, value: 0.1 });
    expect(lookupParam(params, "train.layers.1.units")).toEqual({ found: true, value: 8 });
    expect(lookupParam(params, "train.momentum")).toEqual({ found: false });
  });

  it("selects listed keys flat, skipping missing ones, or the whole file", () => {
    expect(selectParams(params, ["train.lr", "seed", "nope"])).toEqual({ "train.lr": 0.1, seed: 1 });
    expect(selectParams(params, "all")).toBe(params);
  });

  it("flattens nested mappings with dots and keeps lists whole", () => {
    expect(flattenParams(params)).toEqual({ "train.lr": 0.1, "train.layers": [64, { units: 8 }], seed: 1 });
  });
});
