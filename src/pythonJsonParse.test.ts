import { describe, expect, it } from "vitest";
import {
  parsePythonJson,
  PythonFloat,
  pythonJsonDumps,
  PythonJsonSyntaxError,
  pythonStr,
  pythonValueRepr,
} from "./pythonJson.js";

// Expected text printed by mlflow's Python 3.11: json.loads(TEXT), then json.dumps / repr / str of it.
const TEXT =
  '{"b": 1, "10": [1.0, -0, 12345678901234567890, 1e400, NaN, -Infinity], "2": {"x": "\u00e9\\u2028"}, "b": 2.50}';

describe("parsePythonJson", () => {
  it("keeps a dict's key order, its last value for a repeated key, floats, and every digit", () => {
    const value = parsePythonJson(TEXT);
    expect(value).toBeInstanceOf(Map);
    expect([...(value as Map<string, unknown>).keys()]).toEqual(["b", "10", "2"]);
    expect((value as Map<string, unknown>).get("10")).toEqual([
      new PythonFloat(1),
      -0,
      12345678901234567890n,
      new PythonFloat(Infinity),
      new PythonFloat(NaN),
      new PythonFloat(-Infinity),
    ]);
    expect(pythonJsonDumps(value)).toBe(
      '{"b": 2.5, "10": [1.0, 0, 12345678901234567890, Infinity, NaN, -Infinity], "2": {"x": "\\u00e9\\u2028"}}',
    );
    expect(pythonJsonDumps(value, { ensureAscii: false })).toBe(
      '{"b": 2.5, "10": [1.0, 0, 12345678901234567890, Infinity, NaN, -Infinity], "2": {"x": "\u00e9\u2028"}}',
    );
  });

  it("refuses what json.loads refuses, saying where", () => {
    for (const text of ["", "{", '{"a": 1,}', "[1,]", "01", "nan", '"\u0001"', "1 2", "{'a': 1}"]) {
      expect(() => parsePythonJson(text)).toThrow(PythonJsonSyntaxError);
    }
    expect(() => parsePythonJson("[1, x]")).toThrow("expected a value at position 4");
    expect(() => parsePythonJson("[".repeat(100_000))).toThrow(PythonJsonSyntaxError);
  });

  it("prints values as Python's repr() and str() do", () => {
    const value = parsePythonJson(
      '{"offset": null, "1": 2.50, "b": 1e20, "0": -0.0, "z": [1e-7, true, "it\'s"]}',
    );
    // repr(json.loads(...)) in Python 3.11
    expect(pythonValueRepr(value)).toBe(
      `{'offset': None, '1': 2.5, 'b': 1e+20, '0': -0.0, 'z': [1e-07, True, "it's"]}`,
    );
    expect(pythonStr(parsePythonJson('"a\\nb"'))).toBe("a\nb");
    expect(pythonStr(parsePythonJson("[NaN, 1.0]"))).toBe("[nan, 1.0]");
  });
});
