import { describe, expect, it } from "vitest";
import { pageTokenFor } from "./mlflowPageToken.js";
import { decodePageToken } from "./pageToken.js";

describe("page tokens", () => {
  it("reads back the tokens searches hand out", () => {
    expect(decodePageToken(pageTokenFor(1000))).toBe(1000);
  });

  it("starts at zero without a token or with an empty one", () => {
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken("")).toBe(0);
  });

  it("rejects tokens that are not base64 JSON with an integer offset", () => {
    const bad = [
      "!!!",
      Buffer.from("not json").toString("base64"),
      Buffer.from('{"offset": 1.5}').toString("base64"),
      Buffer.from('{"offset": "3"}').toString("base64"),
      Buffer.from("null").toString("base64"),
      Buffer.from("[]").toString("base64"),
    ];
    for (const token of bad) expect(() => decodePageToken(token)).toThrow(/Invalid page token/);
  });

  // MLflow hands the offset to SQL, and SQLite reads a negative OFFSET as none: the first page, not a 400.
  it("reads a negative offset as the start", () => {
    expect(decodePageToken(Buffer.from('{"offset": -1}').toString("base64"))).toBe(0);
    expect(decodePageToken(Buffer.from('{"offset": -50}').toString("base64"))).toBe(0);
  });
});
