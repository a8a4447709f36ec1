/**
 * The worker's marked answer values read back as the values MLflow's answer writer needs (no Python needed):
 * floats stay floats, big ints keep every digit, dicts keep their keys, even `__proto__`.
 */
import { describe, expect, it } from "vitest";
import { answerJson } from "../payloads/answerJson.js";
import { outputTensors } from "./pythonWire.js";
import { PythonFloat, pythonOutputValues } from "./pythonOutputJson.js";

describe("pythonOutputValues", () => {
  it("reads marked floats, big ints and dicts", () => {
    const values = pythonOutputValues(
      [
        { float: 7 },
        { float: "NaN" },
        { float: "-Infinity" },
        { int: "9007199254740993" },
        3,
        [{ float: 1e16 }, 2],
        {
          object: [
            ["b", { float: 1 }],
            ["__proto__", null],
          ],
        },
      ],
      "out",
    );
    expect(values[0]).toBeInstanceOf(PythonFloat);
    expect(values[3]).toBe(9007199254740993n);
    expect(answerJson(values, "mlflow").toString()).toBe(
      '[7.0,NaN,-Infinity,9007199254740993,3,[1e+16,2],{"b":1.0,"__proto__":null}]',
    );
    // Written as plain numbers where an answer is not written the Python way.
    expect(JSON.stringify(values.slice(0, 1))).toBe("[7]");
  });

  it("refuses a value the worker never marks", () => {
    expect(() => pythonOutputValues([{ other: 1 }], "out")).toThrow(/unexpected answer value/);
    expect(() => pythonOutputValues([{ object: [[1, 2]] }], "out")).toThrow(/unexpected dict member/);
  });

  it("gives an output's marked json to its tensor", () => {
    const [tensor] = outputTensors([
      {
        name: "p",
        datatype: "FP64",
        shape: [2],
        raw: Buffer.from(Float64Array.of(7, 3).buffer).toString("base64"),
        json: [{ float: 7 }, 3],
      },
    ]);
    expect(answerJson(tensor?.jsonData, "mlflow").toString()).toBe("[7.0,3]");
  });
});
