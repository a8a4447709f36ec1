import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  assertQueryIsUtf8,
  double,
  int64OrDefault,
  loneSurrogateIn,
  parseJsonBody,
  parseRequest,
  withoutEmptyRepeated,
} from "./wire.js";

const nested = (depth: number): unknown => JSON.parse(`${"[".repeat(depth)}1${"]".repeat(depth)}`);

describe("parseRequest", () => {
  // Regression (tracking fuzz): quoting the refused value overflowed the stack, a 500 instead of a 400.
  it("names the field of a value nested too deeply to quote", () => {
    expect(() => parseRequest(z.object({ run_id: z.string() }), { run_id: nested(5000) })).toThrow(
      expect.objectContaining({
        code: "INVALID_PARAMETER_VALUE",
        message: expect.stringContaining("for parameter 'run_id'") as unknown,
      }),
    );
  });

  it("quotes only the start of a long refused value", () => {
    let message = "";
    try {
      parseRequest(z.object({ key: z.number() }), { key: "a".repeat(300_000) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("(300002 characters)");
    expect(message.length).toBeLessThan(500);
  });

  it("quotes a non-finite number as the client wrote it, not as null", () => {
    expect(() => parseRequest(z.object({ timestamp: z.string() }), { timestamp: Infinity })).toThrow(
      /Invalid value Infinity for parameter 'timestamp'/,
    );
  });
});

describe("double", () => {
  // Regression (tracking fuzz): 1e999 in a body reads as Infinity, which zod's number refuses; MLflow takes it.
  it("accepts the infinities and NaN a JSON body can carry", () => {
    const schema = z.object({ value: double() });
    expect(parseRequest(schema, { value: Infinity }).value).toBe(Infinity);
    expect(parseRequest(schema, { value: -Infinity }).value).toBe(-Infinity);
    expect(parseRequest(schema, { value: Number.NaN }).value).toBeNaN();
    expect(() => parseRequest(schema, { value: true })).toThrow(/parameter 'value'/);
  });
});

describe("parseJsonBody", () => {
  it("reads Python's bare NaN and infinities as numbers, as MLflow's server does", () => {
    expect(parseJsonBody('{"value":NaN,"a":[Infinity,-Infinity],"b":1e999}')).toEqual({
      value: Number.NaN,
      a: [Infinity, -Infinity],
      b: Infinity,
    });
  });

  it("leaves the same words inside strings alone", () => {
    expect(parseJsonBody('{"k":"NaN \\" Infinity","v":NaN}')).toEqual({ k: 'NaN " Infinity', v: Number.NaN });
  });

  it("still refuses text that is not JSON", () => {
    expect(() => parseJsonBody("{NaN:1}")).toThrow(SyntaxError);
    expect(() => parseJsonBody('{"v":NaNx}')).toThrow(SyntaxError);
    expect(() => parseJsonBody('{"v":nan}')).toThrow(SyntaxError);
    expect(() => parseJsonBody('{"v":1')).toThrow(SyntaxError);
  });
});

describe("loneSurrogateIn", () => {
  const find = (text: string) => loneSurrogateIn(text, JSON.parse(text));

  it("finds a lone surrogate in a value or a key, at any depth", () => {
    expect(find('{"a":[{"b":"x\\ud800"}]}')).toBe("x\ud800");
    expect(find('{"\\udc00":1}')).toBe("\udc00");
  });

  it("passes surrogate pairs and text without escapes", () => {
    expect(find('{"a":"\\ud83d\\ude00","b":"😀"}')).toBeUndefined();
    expect(find(`[${"1,".repeat(200_000)}1]`)).toBeUndefined();
  });
});

describe("int64OrDefault", () => {
  const schema = z.object({ timestamp: int64OrDefault(0), max_results: int64OrDefault().optional() });

  it("reads a JSON number with a fraction as the proto default, as MLflow's parser leaves the field", () => {
    expect(parseRequest(schema, { timestamp: 1.5, max_results: -2.7 })).toEqual({
      timestamp: 0,
      max_results: undefined,
    });
    expect(parseRequest(schema, { timestamp: 2.0 })).toEqual({ timestamp: 2 });
  });

  it("still refuses a fractional string, a number beyond int64 and a missing required field", () => {
    for (const timestamp of ["1.5", 2 ** 63, Number.POSITIVE_INFINITY, Number.NaN, undefined]) {
      expect(() => parseRequest(schema, { timestamp })).toThrow(/'timestamp'/);
    }
  });
});

describe("assertQueryIsUtf8", () => {
  it("accepts UTF-8 escapes, plain text, a % that starts no escape and no query at all", () => {
    for (const url of ["/a", "/a?", "/a?x=%C3%A9&y=plain", "/a?x=%ZZ&%=1", "/a?x=%F0%9F%98%80", "/a?flag"]) {
      expect(() => assertQueryIsUtf8(url)).not.toThrow();
    }
  });

  it("names the parameter whose escapes spell a lone surrogate or bytes that are not UTF-8", () => {
    const cases: [string, RegExp][] = [
      ["/a?ok=1&name=%ED%A0%80", /Query parameter "name" has a value .*: "%ED%A0%80"\.$/],
      ["/a?name=%ED%A0%BD%ED%B8%80", /"name" has a value/],
      ["/a?name=x%FF", /"name" has a value/],
      ["/a?name=%C3", /"name" has a value/],
      ["/a?name=%C0%80", /"name" has a value/],
      ["/a?na%FFme=1", /"na%FFme" has a name/],
    ];
    for (const [url, message] of cases) {
      expect(() => assertQueryIsUtf8(url)).toThrow(
        expect.objectContaining({ code: "INVALID_PARAMETER_VALUE", message: expect.stringMatching(message) }),
      );
    }
  });
});

describe("withoutEmptyRepeated", () => {
  it("leaves out empty lists and unset fields at every depth, and keeps empty messages and defaults", () => {
    const answer = {
      run: {
        info: { run_id: "r", user_id: "", start_time: 0, end_time: undefined, big: 2n ** 62n },
        data: { metrics: [], params: [], tags: [{ key: "k", value: "" }] },
        inputs: { dataset_inputs: [], model_inputs: [] },
        outputs: null,
      },
      next_page_token: undefined,
      list: [{ tags: [] }],
    };
    expect(withoutEmptyRepeated(answer)).toEqual({
      run: {
        info: { run_id: "r", user_id: "", start_time: 0, big: 2n ** 62n },
        data: { tags: [{ key: "k", value: "" }] },
        inputs: {},
      },
      list: [{}],
    });
  });

  it("keeps the members' order and hands back what has nothing to drop unchanged, without copying", () => {
    const untouched = { runs: [{ info: { run_id: "r" }, data: { tags: [{ key: "k", value: "v" }] } }] };
    expect(withoutEmptyRepeated(untouched)).toBe(untouched);
    const answer = { a: 1, b: [], c: { d: [], e: 2 }, f: [3], g: undefined, h: "x" };
    const kept = withoutEmptyRepeated(answer);
    expect(Object.keys(kept)).toEqual(["a", "c", "f", "h"]);
    expect(kept.f).toBe(answer.f);
    expect(answer.b).toEqual([]);
  });
});
