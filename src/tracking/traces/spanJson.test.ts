import { describe, expect, it } from "vitest";
import { dumpSpanJson, fromOtlpAnyValue, parseSpanJson, toAnyValueWire } from "./spanJson.js";

describe("span attribute JSON", () => {
  it("writes a double with repr's shortest digits", () => {
    // python -c 'import json; print(json.dumps([-1718457164169168.2, 263804386732876.62, 1e-7]))'
    // Built from text: the literals' exact binary values end in 5, where rounding by digit count goes wrong.
    const doubles = ["-1718457164169168.2", "263804386732876.62", "1e-7"].map((text) => ({
      doubleValue: Number(text),
    }));
    expect(dumpSpanJson(fromOtlpAnyValue({ arrayValue: { values: doubles } }))).toBe(
      "[-1718457164169168.2, 263804386732876.62, 1e-07]",
    );
  });

  it("decodes a kvlist as mlflow's dict comprehension does: a repeated key keeps its place, last value", () => {
    const kv = (key: string, intValue: string) => ({ key, value: { intValue } });
    const value = fromOtlpAnyValue({ kvlistValue: { values: [kv("2", "1"), kv("1", "2"), kv("2", "3")] } });
    expect(dumpSpanJson(value)).toBe('{"2": 3, "1": 2}');
    expect(toAnyValueWire(parseSpanJson('{"2": 3, "1": 2}'))).toEqual({
      kvlist_value: {
        values: [
          { key: "2", value: { int_value: 3 } },
          { key: "1", value: { int_value: 2 } },
        ],
      },
    });
  });

  it("answers stored text it cannot read as the store's fault", () => {
    expect(() => parseSpanJson('{"a": }')).toThrow("Malformed span JSON at offset 6");
  });
});
