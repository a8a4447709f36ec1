import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "./openTable.js";
import {
  InvalidUtf8Error,
  READ_BLOCK_BYTES,
  decodedTextStream,
  wholeSequencesEnd,
} from "./decodedTextStream.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-decoded-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pieces(name: string, bytes: Uint8Array): Promise<string[]> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const texts: string[] = [];
  for await (const text of decodedTextStream(path)) texts.push(text);
  return texts;
}

describe("decodedTextStream", () => {
  it("ends every piece but the last after a line feed, carrying the rest of a block to the next", async () => {
    // Lines of 7 bytes, with a two-byte character, do not divide a block: every block ends inside a line.
    const text = "ab,é,c\n".repeat(400_000);
    const texts = await pieces("lines.csv", Buffer.from(text, "utf8"));
    expect(texts.length).toBeGreaterThan(2);
    for (const piece of texts) expect(piece.endsWith("\n")).toBe(true);
    expect(texts.join("")).toBe(text);
  });

  it("reads ASCII blocks and UTF-8 blocks of one file alike, and still refuses invalid bytes after ASCII", async () => {
    const ascii = "1.5,abc,-2e3\n".repeat(200_000);
    const text = `${ascii}ü,€,😀\n${ascii}`;
    expect((await pieces("mixed.csv", Buffer.from(text, "utf8"))).join("")).toBe(text);
    const invalid = Buffer.concat([Buffer.from(ascii), Buffer.from([0x61, 0xff, 0x0a])]);
    const error = await pieces("invalid-after-ascii.csv", invalid).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidUtf8Error);
  });

  it("splits a line longer than a block between whole characters", async () => {
    // Three-byte characters after one ASCII byte: the block boundary falls inside a character.
    const text = `x${"€".repeat(READ_BLOCK_BYTES)}\nend`;
    const texts = await pieces("long-line.csv", Buffer.from(text, "utf8"));
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.join("")).toBe(text);
  });

  it("drops a byte order mark at the start of the file only", async () => {
    const head = "a\n".repeat(READ_BLOCK_BYTES / 2);
    const text = `\uFEFF${head}\uFEFFb\n`;
    const texts = await pieces("marks.csv", Buffer.from(text, "utf8"));
    expect(texts.join("")).toBe(`${head}\uFEFFb\n`);
  });

  it("counts the line feeds before an invalid byte that opens the block after a line feed", async () => {
    const head = Buffer.from("1\n".repeat(READ_BLOCK_BYTES / 2 - 1));
    const bytes = Buffer.concat([head, Buffer.from("2\n\x80x\n3\n", "latin1")]);
    const error = await pieces("bad-start.csv", bytes).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidUtf8Error);
    // The bad byte opens the second piece: its block starts after the line "2".
    expect((error as InvalidUtf8Error).newlinesBefore).toBe(0);
  });

  it("names the line of a character cut off by the end of the file", async () => {
    const path = join(dir, "cut.csv");
    await writeFile(path, Buffer.concat([Buffer.from("a,b\n1,2\n3,"), Buffer.from([0xe2, 0x82])]));
    await expect(openTable(path).columns()).resolves.toEqual(["a", "b"]);
    const read = async (): Promise<void> => {
      for await (const chunk of openTable(path).chunks()) chunk.column("a");
    };
    await expect(read()).rejects.toThrow(`${path} line 3: the text is not valid UTF-8`);
  });
});

describe("wholeSequencesEnd", () => {
  it("leaves out a UTF-8 sequence the end cuts off, and nothing else", () => {
    const euro = [0xe2, 0x82, 0xac];
    expect(wholeSequencesEnd(Uint8Array.from([0x61, ...euro]))).toBe(4);
    expect(wholeSequencesEnd(Uint8Array.from([0x61, 0xe2, 0x82]))).toBe(1);
    expect(wholeSequencesEnd(Uint8Array.from([0x61, 0xe2]))).toBe(1);
    expect(wholeSequencesEnd(Uint8Array.from([0x61, 0xf0, 0x9f, 0x98]))).toBe(1);
    expect(wholeSequencesEnd(Uint8Array.from([0xc3, 0xa9]))).toBe(2);
    expect(wholeSequencesEnd(Uint8Array.from([0x61]))).toBe(1);
    expect(wholeSequencesEnd(new Uint8Array(0))).toBe(0);
  });
});
