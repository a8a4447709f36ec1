import { describe, expect, it } from "vitest";
import { assertSafeArtifactUri, assertSafeRelativePath } from "./pathSafety.js";

describe("assertSafeRelativePath", () => {
  it.each([
    "../etc/passwd",
    "a/../../b",
    "..\\..\\windows",
    "%2e%2e%2fetc",
    "%252e%252e%252fetc",
    "/etc/passwd",
    "C:/Windows",
    "a\u0000b",
    "a%00b",
    "a%0ab",
    "x#/../../y",
    "x;param",
  ])("rejects %j", (path) => {
    expect(() => assertSafeRelativePath(path)).toThrow(/Invalid value/);
  });

  it("normalises empty and dot segments of a clean path", () => {
    expect(assertSafeRelativePath("a//b/./c/")).toBe("a/b/c");
    expect(assertSafeRelativePath("")).toBe("");
    expect(assertSafeRelativePath("model/MLmodel")).toBe("model/MLmodel");
  });
});

describe("assertSafeArtifactUri", () => {
  it.each([
    "http:///#/../../../../etc/",
    "http://h/bar?a=../../..",
    "mlflow-artifacts://host:5000/..%2f..%2f",
    "mlflow-artifacts:/1/artifacts%00",
    "s3:/b/../../x",
    "file:///tmp/a/../../etc",
    "//proc/self/root/etc",
    "file:///x\\..\\y",
  ])("rejects %j", (uri) => {
    expect(() => assertSafeArtifactUri(uri, "source")).toThrow(/Invalid value/);
  });

  it("accepts ordinary storage URIs", () => {
    for (const uri of ["s3://bucket/prefix/1", "mlflow-artifacts:/1/abc/artifacts", "/data/artifacts/1"]) {
      expect(assertSafeArtifactUri(uri, "source")).toBe(uri);
    }
  });
});
