import { describe, expect, it } from "vitest";

import { FlatJsonLineScanner, FlatValueKind } from "./flatJsonLine.js";

/** The values a successful scan left, as JSON.parse would give them; undefined when the scan refused the line. */
function scanned(keys: readonly string[], line: string): unknown[] | undefined {
  const scanner = new FlatJsonLineScanner(keys);
  const bytes = Buffer.from(`${line}\n{"after": 1}`);
  if (!scanner.scan(bytes, 0, Buffer.byteLength(line))) return undefined;
  return keys.map((_, k) => {
    switch (scanner.kinds[k]) {
      case FlatValueKind.Number:
        return scanner.numbers[k];
      case FlatValueKind.String:
        return scanner.strings[k];
      case FlatValueKind.True:
        return true;
      case FlatValueKind.False:
        return false;
      default:
        return null;
    }
  });
}

function parsedValues(keys: readonly string[], line: string): unknown[] {
  const object = JSON.parse(line) as Record<string, unknown>;
  return keys.map((key) => object[key]);
}

describe("FlatJsonLineScanner", () => {
  it("reads flat lines as JSON.parse does: numbers of every form, strings, literals and white space", () => {
    const keys = ["a", "b", "c", "d", "e"];
    const lines = [
      '{"a":1,"b":-0,"c":0.5,"d":-12.5e+2,"e":1E-3}',
      '{ "a" : "x y" , "b":"é€😀", "c":true,\t"d":false, "e":null }\r',
      '{"a":123456789012345,"b":-0.000001,"c":0.1234567890123456789,"d":1e308,"e":4.9e-324}',
      '{"a":"","b":"\u007f","c":9007199254740991e0,"d":2.0,"e":-1.7976931348623157e308}',
    ];
    for (const line of lines) {
      const values = scanned(keys, line);
      expect(values, line).toBeDefined();
      expect(values).toEqual(parsedValues(keys, line));
      // -0 stays -0, as JSON.parse gives it.
      if (line.includes('"b":-0,')) expect(Object.is(values?.[1], -0)).toBe(true);
    }
  });

  it("refuses every line it does not read exactly, leaving it to JSON.parse", () => {
    const keys = ["a", "b"];
    const refused = [
      '{"a":1}', // a key missing
      '{"a":1,"b":2,"c":3}', // a key added
      '{"b":2,"a":1}', // keys in another order
      '{"a":1,"b":2,"a":3}', // a key twice
      '{"\\u0061":1,"b":2}', // a key escaped
      '{"a":"x\\"y","b":2}', // an escape in a string
      '{"a":"tab\there","b":2}', // a control character in a string
      '{"a":[1],"b":2}', // nested values
      '{"a":{"k":1},"b":2}',
      '{"a":1234567890123456,"b":2}', // 16 digits: the exact big-integer path
      '{"a":01,"b":2}', // not JSON numbers
      '{"a":1.,"b":2}',
      '{"a":.5,"b":2}',
      '{"a":+1,"b":2}',
      '{"a":-,"b":2}',
      '{"a":1e,"b":2}',
      '{"a":1e400,"b":2}', // Infinity to JSON.parse
      '{"a":NaN,"b":2}',
      '{"a":tru,"b":2}',
      '{"a":1,"b":2}x',
      '{"a":1,"b":2',
      '{"a":1 "b":2}',
      '{"a":1,,"b":2}',
      '{"a":"open,"b":2}',
      "",
      "   ",
      "[1,2]",
    ];
    for (const line of refused) expect(scanned(keys, line), line).toBeUndefined();
  });

  it("reads nothing for keys that need escapes, and reads the empty object for no keys", () => {
    expect(scanned(['say "hi"'], '{"say \\"hi\\"":1}')).toBeUndefined();
    expect(scanned([], "{ }")).toEqual([]);
    expect(scanned([], '{"a":1}')).toBeUndefined();
  });

  it("stops at the end it is given, not at the end of the text", () => {
    const scanner = new FlatJsonLineScanner(["a"]);
    const text = Buffer.from('{"a":"unterminated\n"}');
    expect(scanner.scan(text, 0, text.indexOf("\n"))).toBe(false);
    const number = Buffer.from('{"a":12\n3}');
    expect(scanner.scan(number, 0, number.indexOf("\n"))).toBe(false);
  });

  it("reads numbers of every length the double JSON.parse gives, or refuses them", () => {
    let seed = 99;
    const next = (bound: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % bound;
    };
    const digits = (count: number, first: string): string => {
      let text = first;
      while (text.length < count) text += String(next(10));
      return text;
    };
    for (let trial = 0; trial < 5000; trial++) {
      const integerDigits = next(19);
      let text =
        (next(2) === 0 ? "-" : "") + (integerDigits === 0 ? "0" : digits(integerDigits, String(1 + next(9))));
      if (next(3) > 0) text += `.${digits(1 + next(20), String(next(10)))}`;
      if (next(4) === 0) text += `${next(2) === 0 ? "e" : "E"}${["", "+", "-"][next(3)]}${next(40)}`;
      const values = scanned(["n"], `{"n":${text}}`);
      if (values === undefined) {
        // Only integers of 16 digits or more are left to JSON.parse's exact path.
        expect(text, text).toMatch(/^-?\d{16,}$/);
        continue;
      }
      expect(Object.is(values[0], JSON.parse(text)), text).toBe(true);
    }
  });

  it("marks a number's text as String's exactly when it is", () => {
    const scanner = new FlatJsonLineScanner(["n"]);
    let marked = 0;
    let seed = 5;
    const next = (bound: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % bound;
    };
    const fixed = [
      "0",
      "-0",
      "0.0",
      "-0.5",
      "120",
      "1.50",
      "0.000001",
      "0.0000001",
      "0.0000015",
      "1e3",
      "1E-7",
    ];
    const texts = [...fixed];
    for (let trial = 0; trial < 5000; trial++) {
      let text = next(2) === 0 ? "-" : "";
      text += next(3) === 0 ? "0" : String(1 + next(9)) + "0".repeat(next(3)) + String(next(1000000));
      if (next(4) > 0) text += `.${"0".repeat(next(8))}${next(100000)}${"0".repeat(next(2))}`;
      texts.push(text);
    }
    for (const text of texts) {
      const line = `{"n":${text}}`;
      if (!scanner.scan(Buffer.from(line), 0, line.length)) {
        expect(text).toMatch(/^-?\d{16,}$/);
        continue;
      }
      const value = JSON.parse(text) as number;
      const end = scanner.textEnds[0] as number;
      if (end !== -1) {
        marked++;
        expect(line.slice(scanner.textStarts[0], end), text).toBe(text);
      }
      // Marked exactly when the text is String's (JavaScript's and the writers' form of the number).
      expect(end !== -1, text).toBe(String(value) === text);
    }
    expect(marked).toBeGreaterThan(1000);
  });

  it("marks texts of 16 and 17 digits as String's exactly when they are, as Python's repr writes doubles", () => {
    const scanner = new FlatJsonLineScanner(["n"]);
    let seed = 17;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const doubles = [0.1 + 0.2, 1 / 3, 2 / 3, 1e-6 + 1e-22, 0.1, 123456.789, 5e-324 * 2 ** 1000];
    for (let k = -19; k < 56; k++) doubles.push(2 ** k, 2 ** k * (1 + 2 ** -52), 2 ** k * (1 - 2 ** -53));
    for (let trial = 0; trial < 4000; trial++) {
      doubles.push((random() + random() * 2 ** -30) * 10 ** Math.floor(random() * 23 - 6));
    }
    const texts: string[] = [];
    for (const value of doubles) {
      for (const sign of [1, -1]) {
        const v = sign * value;
        const precise = [16, 17].map((digits) => v.toPrecision(digits));
        // The 17-digit form one unit off in its last digit: it may still read back as the same double.
        const [mantissa = "", exponent] = v.toExponential(16).split("e");
        const bumped = Number(`${mantissa}1e${exponent}`).toPrecision(17);
        texts.push(String(v), ...precise, bumped);
      }
    }
    let marked = 0;
    let long = 0;
    let missed = 0;
    for (const text of texts) {
      // Only plain decimals with a fraction and no trailing zero are read here as long texts.
      if (/e|^-?\d+$|0$/.test(text)) continue;
      const line = `{"n":${text}}`;
      expect(scanner.scan(Buffer.from(line), 0, line.length), text).toBe(true);
      const value = JSON.parse(text) as number;
      expect(Object.is(scanner.numbers[0], value), text).toBe(true);
      const isString = String(value) === text;
      // A text marked is String's; one left unmarked is only a case too close to call (a tie such as
      // 2^50 + 0.25, written ...624.2), which the writers then write themselves, the same.
      if (scanner.textEnds[0] !== -1) {
        expect(isString, text).toBe(true);
        marked++;
        if (text.replace(/^-?0?\.?0*/, "").replace(".", "").length > 15) long++;
      } else if (isString) {
        missed++;
      }
    }
    expect(marked).toBeGreaterThan(4000);
    expect(long).toBeGreaterThan(3000);
    expect(missed).toBeLessThan(marked / 100);
  });
});
