import { describe, expect, it } from "vitest";
import { BigIntegerText, mayHoldBigIntegers, parseJsonKeepingBigIntegers } from "./jsonBigIntegers.js";

describe("parseJsonKeepingBigIntegers", () => {
  it("reads integers beyond 2^53 exactly, as BigInts at the top level of an object", () => {
    const value = parseJsonKeepingBigIntegers(
      '{"id": 1234567890123456789, "neg": -9223372036854775808, "safe": 9007199254740991, "f": 1.2345678901234567e300}',
    ) as Record<string, unknown>;
    expect(value).toEqual({
      id: 1234567890123456789n,
      neg: -9223372036854775808n,
      safe: 9007199254740991,
      f: 1.2345678901234567e300,
    });
  });

  it("leaves digits inside strings alone, escaped quotes included", () => {
    const value = parseJsonKeepingBigIntegers(
      '{"s": "ab\\"1234567890123456789", "t": "12345678901234567890", "a": 1}',
    );
    expect(value).toEqual({ s: 'ab"1234567890123456789', t: "12345678901234567890", a: 1 });
  });

  it("writes nested big integers back as their digits in the nested value's JSON text", () => {
    const value = parseJsonKeepingBigIntegers(
      '{"n": {"x": [12345678901234567890, 1.5, "12345678901234567890"]}}',
    );
    const nested = (value as Record<string, unknown>).n;
    expect(nested).toBeInstanceOf(BigIntegerText);
    expect((nested as BigIntegerText).toJSONText()).toBe(
      '{"x":[12345678901234567890,1.5,"12345678901234567890"]}',
    );
  });

  it("reads a bare big integer and leaves a top-level array to the caller", () => {
    expect(parseJsonKeepingBigIntegers("-12345678901234567890")).toBe(-12345678901234567890n);
    expect(Array.isArray(parseJsonKeepingBigIntegers("[12345678901234567890]"))).toBe(true);
  });

  it("is asked for only when a line holds a run of 16 digits", () => {
    expect(mayHoldBigIntegers('{"a": 900719925474099}')).toBe(false);
    expect(mayHoldBigIntegers('{"a": 9007199254740993}')).toBe(true);
  });
});
