import { describe, expect, it } from "vitest";
import { PythonFloat, pythonJsonDumps } from "./pythonJson.js";

describe("pythonJsonDumps", () => {
  it("writes what Python's json.dumps writes, byte for byte", () => {
    const value = {
      entity: "model_version",
      data: {
        name: 'm\u00e9"\\\n\t\u0001\u007f',
        tags: new Map([
          ["2", "b"],
          ["1", "a"],
        ]),
        emoji: "\u{1F600}",
        n: null,
        ok: true,
        f: new PythonFloat(100),
        g: 105.5,
        h: 1e-5,
        i: new PythonFloat(1e16),
        j: 123456789012.5,
        k: [1, 2.5, []],
        e: {},
      },
    };
    // Printed by Python 3.11: json.dumps() of the same dict.
    expect(pythonJsonDumps(value)).toBe(
      '{"entity": "model_version", "data": {"name": "m\\u00e9\\"\\\\\\n\\t\\u0001\\u007f", ' +
        '"tags": {"2": "b", "1": "a"}, "emoji": "\\ud83d\\ude00", "n": null, "ok": true, "f": 100.0, ' +
        '"g": 105.5, "h": 1e-05, "i": 1e+16, "j": 123456789012.5, "k": [1, 2.5, []], "e": {}}}',
    );
  });

  it("writes a negative zero float as Python does", () => {
    // python3 -c 'import json; print(json.dumps([-0.0, 0.0]))' -> [-0.0, 0.0]
    expect(pythonJsonDumps([new PythonFloat(-0), new PythonFloat(0)])).toBe("[-0.0, 0.0]");
  });

  it("keeps integer-like keys of a Map in insertion order, where an object would not", () => {
    expect(
      pythonJsonDumps(
        new Map([
          ["10", 1],
          ["9", 2],
        ]),
      ),
    ).toBe('{"10": 1, "9": 2}');
    expect(pythonJsonDumps({ "10": 1, "9": 2 })).toBe('{"9": 2, "10": 1}');
  });
});
