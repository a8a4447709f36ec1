import { describe, expect, it } from "vitest";
import {
  BigIntegerText,
  mayHoldBigIntegers,
  parseJsonKeepingBigIntegers,
  parseJsonWithBigIntegers,
  stringifyJsonWithBigIntegers,
} from "./jsonBigIntegers.js";

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

describe("parseJsonWithBigIntegers", () => {
  it("reads integers beyond 2^53 as BigInts at any depth, leaving safe numbers and strings alone", () => {
    const value = parseJsonWithBigIntegers(
      '{"inputs":[{"data":[[1234567890123456789],[9007199254740993],[9223372036854775807],' +
        '[-9223372036854775808],[9007199254740991],[1.5]],"id":"12345678901234567890"}]}',
    );
    expect(value).toEqual({
      inputs: [
        {
          data: [
            [1234567890123456789n],
            [9007199254740993n],
            [9223372036854775807n],
            [-9223372036854775808n],
            [9007199254740991],
            [1.5],
          ],
          id: "12345678901234567890",
        },
      ],
    });
  });

  it("throws JSON.parse's own error, positions as sent, for malformed text", () => {
    const text = '{"data": [12345678901234567890 }';
    let expected: unknown;
    try {
      JSON.parse(text);
    } catch (error) {
      expected = error;
    }
    expect(() => parseJsonWithBigIntegers(text)).toThrow((expected as Error).message);
  });

  it("reads bare NaN, Infinity and -Infinity as Python's json.loads does, outside strings only", () => {
    const value = parseJsonWithBigIntegers(
      '{"inputs": [[NaN, 1.5, -Infinity], [Infinity, -2, 12345678901234567890]], "note": "NaN -Infinity"}',
    );
    expect(value).toEqual({
      inputs: [
        [Number.NaN, 1.5, Number.NEGATIVE_INFINITY],
        [Number.POSITIVE_INFINITY, -2, 12345678901234567890n],
      ],
      note: "NaN -Infinity",
    });
    expect(parseJsonWithBigIntegers("NaN")).toBeNaN();
    // Still malformed: JSON.parse's error for the text as sent.
    expect(() => parseJsonWithBigIntegers('{"a": [NaN, nan]}')).toThrow(SyntaxError);
    expect(() => parseJsonWithBigIntegers('{"a": Nope}')).toThrow(SyntaxError);
  });
});

describe("stringifyJsonWithBigIntegers", () => {
  it("writes BigInts as their exact digits and everything else as JSON.stringify does", () => {
    const value = { y: [1234567890123456789n, -9223372036854775808n, 5], s: "9223372036854775807n", f: 1.5 };
    expect(stringifyJsonWithBigIntegers(value)).toBe(
      '{"y":[1234567890123456789,-9223372036854775808,5],"s":"9223372036854775807n","f":1.5}',
    );
    expect(stringifyJsonWithBigIntegers({ a: [1, "b"] })).toBe('{"a":[1,"b"]}');
  });

  it("round-trips with parseJsonWithBigIntegers", () => {
    const text = '{"data":[18446744073709551615,-9223372036854775808,9007199254740993]}';
    expect(stringifyJsonWithBigIntegers(parseJsonWithBigIntegers(text))).toBe(text);
  });
});

describe("parseJsonWithBigIntegers on deep nesting", () => {
  it("reads a big integer nested deeper than the call stack goes", () => {
    const depth = 200_000;
    let value = parseJsonWithBigIntegers(`${"[".repeat(depth)}1234567890123456789${"]".repeat(depth)}`);
    for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
    expect(value).toBe(1234567890123456789n);
  });
});
