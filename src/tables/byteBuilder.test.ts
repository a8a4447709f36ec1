import { describe, expect, it } from "vitest";

import { ByteBuilder, viewOf } from "./byteBuilder.js";
import { decimalValue } from "./float32Decimal.js";

function written(write: (bytes: ByteBuilder) => void, capacity = 4): Buffer {
  const bytes = new ByteBuilder(capacity);
  write(bytes);
  return Buffer.from(bytes.take());
}

describe("ByteBuilder", () => {
  it("writes text as Buffer.from writes it, ASCII, accents, emoji and lone surrogates alike", () => {
    const texts = [
      "plain",
      "",
      "naïve café",
      "日本語",
      "emoji 😀",
      "lone \ud800 half",
      "é".repeat(100),
      "x".repeat(300),
    ];
    for (const text of texts) expect(written((bytes) => bytes.text(text))).toEqual(Buffer.from(text, "utf8"));
  });

  it("writes a key and a span four bytes at a time, exactly, at the end of its source too", () => {
    const padded = (text: string): DataView => viewOf(Buffer.concat([Buffer.from(text), Buffer.alloc(4)]));
    const source = Buffer.from("xx0.5|-12.25|1e-7|123456789.125");
    const spans: [number, number][] = [
      [2, 5],
      [6, 12],
      [13, 17],
      [18, source.length], // no three bytes after it: copied byte by byte
      [2, 2],
    ];
    const keys = ['{"a":', ',"long key":', ",", ""];
    const text = written((bytes) => {
      spans.forEach(([start, end], i) => {
        const key = keys[i % keys.length] as string;
        bytes.keyedWords(padded(key), Buffer.byteLength(key), viewOf(source), start, end);
      });
      bytes.byte(125);
    }, 3);
    const expected = spans.map(
      ([start, end], i) => `${keys[i % keys.length]}${source.toString("latin1", start, end)}`,
    );
    expect(text.toString()).toBe(`${expected.join("")}}`);
  });

  it("writes a separator and a span four bytes at a time, exactly, at the end of its source too", () => {
    const source = Buffer.from("xx0.5|-12.25|1e-7|123456789.125");
    const spans: [number, number, number][] = [
      [-1, 2, 5],
      [44, 6, 12],
      [9, 13, 17],
      [44, 18, source.length], // no three bytes after it: copied byte by byte
      [44, 2, 2],
    ];
    const text = written((bytes) => {
      for (const [separator, start, end] of spans)
        bytes.separatedWords(separator, viewOf(source), start, end);
      bytes.byte(10);
    }, 3);
    expect(text.toString()).toBe("0.5,-12.25\t1e-7,123456789.125,\n");
  });

  it("grows past its capacity and keeps what was written", () => {
    const bytes = new ByteBuilder(2);
    for (let i = 0; i < 1000; i++) {
      bytes.text("ab");
      bytes.byte(44);
    }
    expect(Buffer.from(bytes.take()).toString()).toBe("ab,".repeat(1000));
    expect(bytes.length).toBe(0);
  });

  it("writes safe integers as String does", () => {
    const values = [
      0,
      -0,
      7,
      -7,
      10,
      99,
      100,
      2 ** 31,
      -(2 ** 31) - 1,
      1e15,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const value of values)
      expect(written((bytes) => bytes.integer(value)).toString()).toBe(String(value));
  });

  it("writes digits times a power of ten as String writes that number, in plain and exponential notation", () => {
    const cases: [number, number][] = [
      [1, -1],
      [15, -1],
      [123456789, -9],
      [1, -6],
      [1, -7],
      [25, -8],
      [123, 0],
      [123, 18],
      [1, 20],
      [1, 21],
      [12, 20],
      [5000, -3],
      [8388607, -1],
      [100, -9],
      [987654321, -30],
    ];
    for (const [digits, exponent] of cases) {
      const value = decimalValue(digits, exponent);
      const text = Number.isNaN(value) ? `${digits}e${exponent}` : String(value);
      expect(written((bytes) => bytes.decimal(false, { digits, exponent })).toString()).toBe(
        String(Number(text)),
      );
      expect(written((bytes) => bytes.decimal(true, { digits, exponent })).toString()).toBe(
        String(-Number(text)),
      );
    }
  });

  it("writes every digit count and every place of the point as String does, across its eight-digit parts", () => {
    // A fixed sequence of digit strings: each length from 1 to 16, with zeros inside and at the ends.
    let seed = 12345;
    const digitOf = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % 10;
    };
    for (let count = 1; count <= 16; count++) {
      for (let trial = 0; trial < 40; trial++) {
        let text = String(1 + (digitOf() % 9));
        for (let k = 1; k < count; k++) text += trial % 4 === 0 && k % 3 === 0 ? "0" : String(digitOf());
        const digits = Number(text);
        if (!Number.isSafeInteger(digits)) continue;
        expect(written((bytes) => bytes.integer(digits)).toString()).toBe(String(digits));
        expect(written((bytes) => bytes.integer(-digits)).toString()).toBe(String(-digits));
        if (count > 15) continue;
        for (let exponent = -count - 7; exponent <= 2; exponent++) {
          const value = Number(`${text}e${exponent}`);
          expect(written((bytes) => bytes.decimal(false, { digits, exponent })).toString()).toBe(
            String(value),
          );
        }
      }
    }
  });

  it("writes digits below 10^9 in 32-bit steps (shortDecimal) as decimal writes them, at every place of the point", () => {
    let seed = 987;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 1;
    };
    const digitSets = [1, 9, 10, 99, 100, 5000, 123456789, 999999999, 100000000, 8388607, 16777216];
    for (let trial = 0; trial < 400; trial++) digitSets.push(1 + (next() % 999999999));
    for (const digits of digitSets) {
      for (let exponent = -48; exponent <= 40; exponent++) {
        for (const negative of [false, true]) {
          const expected = written((bytes) => bytes.decimal(negative, { digits, exponent })).toString();
          expect(written((bytes) => bytes.shortDecimal(negative, { digits, exponent })).toString()).toBe(
            expected,
          );
        }
      }
    }
  });
});
