import { describe, expect, it } from "vitest";
import {
  adler32,
  httpDate,
  pythonFloatText,
  pythonMtime,
  starletteEtagHeader,
  werkzeugEtag,
} from "./fileValidators.js";

describe("file validators", () => {
  it("computes zlib's adler32 as Python does", () => {
    expect(adler32(Buffer.from("/tmp/x/plain.txt"))).toBe(816776697);
    expect(adler32(new Uint8Array())).toBe(1);
    expect(adler32(Buffer.from(Array.from({ length: 256 * 300 }, (_, i) => i % 256)))).toBe(167277244);
  });

  it("writes st_mtime as Python's repr", () => {
    expect(pythonFloatText(pythonMtime(1796637667391033200n))).toBe("1796637667.3910332");
    expect(pythonFloatText(1796637667)).toBe("1796637667.0");
  });

  it("builds werkzeug's and Starlette's tags from the same stat", () => {
    expect(werkzeugEtag(1796637667.3910332, 10, "/tmp/x/plain.txt")).toBe("1796637667.3910332-10-816776697");
    // Recorded from mlflow server 3.17.2's proxy for that file.
    expect(starletteEtagHeader(1796637667.3910332, 10)).toBe('"6c6518bf678bd1622d8e7418709c46d4"');
    expect(httpDate(1796637667.9)).toBe("Mon, 07 Dec 2026 10:01:07 GMT");
  });
});
