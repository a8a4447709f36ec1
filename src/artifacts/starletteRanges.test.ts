import { describe, expect, it } from "vitest";
import { decideStarletteRange } from "./starletteRanges.js";

const FILE = { etagHeader: '"tag"', lastModifiedHeader: "Mon, 07 Dec 2026 10:01:07 GMT", size: 10 };
const decide = (range?: string, ifRange?: string) => decideStarletteRange({ range, ifRange }, FILE);

describe("Starlette FileResponse ranges", () => {
  it("serves one range, a suffix, or an open end clipped to the file", () => {
    expect(decide("bytes=2-5")).toEqual({ kind: "ranges", ranges: [{ start: 2, end: 6 }] });
    expect(decide("bytes=-3")).toEqual({ kind: "ranges", ranges: [{ start: 7, end: 10 }] });
    expect(decide("bytes=-20")).toEqual({ kind: "ranges", ranges: [{ start: 0, end: 10 }] });
    expect(decide("bytes=5-100")).toEqual({ kind: "ranges", ranges: [{ start: 5, end: 10 }] });
  });

  it("merges several ranges", () => {
    expect(decide("bytes=4-5, 0-1, 1-2")).toEqual({
      kind: "ranges",
      ranges: [
        { start: 0, end: 3 },
        { start: 4, end: 6 },
      ],
    });
  });

  it("refuses as Starlette does", () => {
    expect(decide("garbage")).toEqual({ kind: "malformed", reason: "Malformed range header." });
    expect(decide("items=0-1")).toEqual({ kind: "malformed", reason: "Only support bytes range" });
    expect(decide("bytes=x-y")).toEqual({
      kind: "malformed",
      reason: "Range header: range must be requested",
    });
    expect(decide("bytes=5-2")).toEqual({
      kind: "malformed",
      reason: "Range header: start must be less than end",
    });
    expect(decide("bytes=50-")).toEqual({ kind: "unsatisfiable" });
  });

  it("sends the whole file without a range or when If-Range does not match exactly", () => {
    expect(decide()).toEqual({ kind: "whole" });
    expect(decide("bytes=0-1", '"other"')).toEqual({ kind: "whole" });
    expect(decide("bytes=0-1", 'W/"tag"')).toEqual({ kind: "whole" });
    expect(decide("bytes=0-1", '"tag"')).toEqual({ kind: "ranges", ranges: [{ start: 0, end: 2 }] });
  });
});
