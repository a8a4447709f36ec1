import { describe, expect, it } from "vitest";
import {
  decideConditional,
  parseEtags,
  type ConditionalHeaders,
  type FileValidators,
} from "./conditionalRequest.js";

// Last-Modified Mon, 07 Dec 2026 10:01:07 GMT.
const FILE = { etag: "1.5-10-7", lastModifiedSeconds: 1796637667, size: 10 };
const decide = (headers: ConditionalHeaders, file: FileValidators = FILE) => decideConditional(headers, file);

describe("werkzeug's conditional answers", () => {
  it("serves one satisfiable byte range", () => {
    expect(decide({ range: "bytes=2-5" })).toEqual({ status: 206, start: 2, end: 6 });
    expect(decide({ range: "bytes=-3" })).toEqual({ status: 206, start: 7, end: 10 });
    expect(decide({ range: "bytes=7-" })).toEqual({ status: 206, start: 7, end: 10 });
    expect(decide({ range: "bytes=5-100" })).toEqual({ status: 206, start: 5, end: 10 });
  });

  it.each([
    "bytes=10-",
    "bytes=-20",
    "bytes=0-1,4-5",
    "items=0-1",
    "garbage",
    "bytes=5-2",
    "bytes=-0",
    "bytes=+1-2",
  ])("answers 416 to %s", (range) => {
    expect(decide({ range })).toEqual({ status: 416 });
  });

  it("skips ranges of an empty file", () => {
    expect(decide({ range: "bytes=0-1" }, { ...FILE, size: 0 })).toEqual({ status: 200 });
  });

  it("answers 304 to a matching tag or a date not before the file", () => {
    expect(decide({ ifNoneMatch: '"1.5-10-7"' })).toEqual({ status: 304 });
    expect(decide({ ifNoneMatch: 'W/"1.5-10-7"' })).toEqual({ status: 304 });
    expect(decide({ ifNoneMatch: '"a", "1.5-10-7"' })).toEqual({ status: 304 });
    expect(decide({ ifNoneMatch: "*" })).toEqual({ status: 304 });
    expect(decide({ ifModifiedSince: "Mon, 07 Dec 2026 10:01:07 GMT" })).toEqual({ status: 304 });
    expect(decide({ ifModifiedSince: "Mon, 07 Dec 2026 10:01:06 GMT" })).toEqual({ status: 200 });
    expect(decide({ ifNoneMatch: '"other"' })).toEqual({ status: 200 });
    expect(decide({ ifModifiedSince: "not a date" })).toEqual({ status: 200 });
  });

  it("answers 412 to If-Match unless the strong tag matches (and to If-Match: *, as werkzeug does)", () => {
    expect(decide({ ifMatch: '"1.5-10-7"' })).toEqual({ status: 200 });
    expect(decide({ ifMatch: '"x"' })).toEqual({ status: 412 });
    expect(decide({ ifMatch: "*" })).toEqual({ status: 412 });
  });

  it("keeps a range only when If-Range names the tag or a date not before the file", () => {
    expect(decide({ range: "bytes=0-1", ifRange: '"1.5-10-7"' })).toEqual({ status: 206, start: 0, end: 2 });
    expect(decide({ range: "bytes=0-1", ifRange: "Fri, 01 Jan 2100 00:00:00 GMT" })).toMatchObject({
      status: 206,
    });
    expect(decide({ range: "bytes=0-1", ifRange: '"x"' })).toEqual({ status: 200 });
    expect(decide({ range: "bytes=0-1", ifRange: "Sat, 01 Jan 2000 00:00:00 GMT" })).toEqual({ status: 200 });
  });

  it("without a tag or a date (send_file of a buffer), keeps ranges but answers every condition in full", () => {
    const buffer = { size: 10 };
    expect(decide({ range: "bytes=2-5" }, buffer)).toEqual({ status: 206, start: 2, end: 6 });
    expect(decide({ range: "bytes=0-1,4-5" }, buffer)).toEqual({ status: 416 });
    expect(decide({ ifNoneMatch: "*" }, buffer)).toEqual({ status: 200 });
    expect(decide({ ifModifiedSince: "Fri, 01 Jan 2100 00:00:00 GMT" }, buffer)).toEqual({ status: 200 });
    expect(decide({ ifMatch: '"x"' }, buffer)).toEqual({ status: 200 });
    expect(decide({ range: "bytes=0-1", ifRange: "Fri, 01 Jan 2100 00:00:00 GMT" }, buffer)).toEqual({
      status: 200,
    });
  });

  it("parses tag lists, skipping invalid members", () => {
    const tags = parseEtags('"a", W/"b", c, "bad"x, "d"');
    expect([...tags.strong]).toEqual(["a", "c", "d"]);
    expect([...tags.weak]).toEqual(["b"]);
  });
});
