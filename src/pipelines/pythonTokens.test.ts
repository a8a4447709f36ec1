import { describe, expect, it } from "vitest";
import { tokenize, type Token } from "./pythonTokens.js";

const significant = (tokens: Token[]): Token[] =>
  tokens.filter((t) => t.kind !== "newline" && t.kind !== "end");

/** Texts of the tokens before the first newline token: one logical line. */
const firstLogicalLine = (tokens: Token[]): string[] =>
  tokens
    .slice(
      0,
      tokens.findIndex((t) => t.kind === "newline"),
    )
    .map((t) => t.text);

const stringsOf = (text: string): Token[] => tokenize("p.py", text).filter((t) => t.kind === "string");

describe("tokenize", () => {
  it("decodes escapes in plain strings and keeps unknown escapes as written", () => {
    const [token] = stringsOf(String.raw`'a\tb\n\x41\101\u00e9\'q\d'`);
    expect(token?.value).toBe("a\tb\nAA\u00e9'q\\d");
    expect(token?.prefix).toBe("");
  });

  it("leaves raw strings undecoded and records prefixes in lower case", () => {
    const [raw, bytes, rawBytes, formatted] = stringsOf(String.raw`R"a\nb" b'\x00' Rb'\n' f"{x}"`);
    expect(raw).toMatchObject({ value: String.raw`a\nb`, prefix: "r" });
    expect(bytes).toMatchObject({ value: "\x00", prefix: "b" });
    expect(rawBytes).toMatchObject({ value: String.raw`\n`, prefix: "rb" });
    expect(formatted).toMatchObject({ value: "{x}", prefix: "f" });
  });

  it("leaves \\u escapes undecoded in bytes", () => {
    expect(stringsOf(String.raw`b'\u0041'`)[0]?.value).toBe(String.raw`\u0041`);
  });

  it("reads a triple-quoted string across lines and counts its lines", () => {
    const tokens = tokenize("p.py", 'A = """one\ntwo"""\nB = 1\n');
    expect(tokens.find((t) => t.kind === "string")).toMatchObject({ value: "one\ntwo", line: 1 });
    expect(tokens.find((t) => t.text === "B")?.line).toBe(3);
  });

  it("reads numbers with underscores, exponents, bases and imaginary parts as single tokens", () => {
    const numbers = tokenize("p.py", "1_000 1.5e-3 .5 2E+1_0 0x_FF 0o17 0b1_0 3j 1.e5")
      .filter((t) => t.kind === "number")
      .map((t) => t.text);
    expect(numbers).toEqual(["1_000", "1.5e-3", ".5", "2E+1_0", "0x_FF", "0o17", "0b1_0", "3j", "1.e5"]);
  });

  it("rejects a number followed by letters, naming the line", () => {
    expect(() => tokenize("p.py", "A = 1\nB = 12abc\n")).toThrow(
      /p\.py:2: invalid Python: invalid number '12a'/,
    );
  });

  it("joins lines after a backslash without a newline token and keeps counting lines", () => {
    const tokens = tokenize("p.py", "A = 1 + \\\n  2\nB = 3\n");
    expect(firstLogicalLine(tokens)).toEqual(["A", "=", "1", "+", "2"]);
    expect(tokens.find((t) => t.text === "2")?.line).toBe(2);
    expect(tokens.find((t) => t.text === "B")?.line).toBe(3);
  });

  it("continues a statement inside brackets without newline or indentation tokens", () => {
    const tokens = tokenize("p.py", "A = [\n    1,\n2]\nB = 3\n");
    expect(firstLogicalLine(tokens)).toEqual(["A", "=", "[", "1", ",", "2", "]"]);
    expect(tokens.map((t) => t.kind)).not.toContain("indent");
  });

  it("emits indent and dedent around a block, and closes open blocks at the end", () => {
    const kinds = tokenize("p.py", "class A:\n    X = 1\n    class B:\n        Y = 2\n").map((t) => t.kind);
    expect(kinds.filter((k) => k === "indent")).toHaveLength(2);
    expect(kinds.filter((k) => k === "dedent")).toHaveLength(2);
    expect(kinds[kinds.length - 1]).toBe("end");
  });

  it("reads the longest operator first", () => {
    expect(significant(tokenize("p.py", "a **= b // c ...")).map((t) => t.text)).toEqual([
      "a",
      "**=",
      "b",
      "//",
      "c",
      "...",
    ]);
  });

  it("reports an unterminated string with the line it starts on", () => {
    expect(() => tokenize("p.py", "A = 1\nB = 'open\nC = 2\n")).toThrow(
      /p\.py:2: invalid Python: unterminated string literal/,
    );
    expect(() => tokenize("p.py", 'A = 1\n\nB = """open\nstill open\n')).toThrow(
      /p\.py:3: invalid Python: unterminated triple-quoted string/,
    );
  });

  it("rejects a dedent that matches no outer indentation level", () => {
    expect(() => tokenize("p.py", "if x:\n        A = 1\n    B = 2\n")).toThrow(
      /p\.py:3: invalid Python: unindent does not match/,
    );
  });

  it("rejects an unmatched closing bracket and an unclosed opening one", () => {
    expect(() => tokenize("p.py", "A = 1)\n")).toThrow(/p\.py:1: invalid Python: unmatched '\)'/);
    expect(() => tokenize("p.py", "A = (1,\n")).toThrow(/invalid Python: .*never closed/);
  });
});
