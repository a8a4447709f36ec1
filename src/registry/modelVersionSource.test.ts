import { describe, expect, it } from "vitest";
import { isUnder, normaliseLocation } from "./modelVersionSource.js";

describe("model version source locations", () => {
  it("spells local paths and file: URIs the same way", () => {
    expect(normaliseLocation("/srv/artifacts/")).toBe("file:/srv/artifacts");
    expect(normaliseLocation("file:///srv/artifacts/./x")).toBe("file:/srv/artifacts/x");
    expect(normaliseLocation("file://localhost/srv/artifacts")).toBe("file:/srv/artifacts");
  });

  it("gives a file: URI on another host no local meaning", () => {
    expect(normaliseLocation("file://evil.example/srv/artifacts")).toBeUndefined();
  });

  it("matches roots on path-segment boundaries only", () => {
    const location = normaliseLocation("s3://bucket/root/model") as string;
    expect(isUnder(location, "s3://bucket/root")).toBe(true);
    expect(isUnder(location, "S3://bucket/root/")).toBe(true);
    expect(isUnder(normaliseLocation("s3://bucket/rootkit/model") as string, "s3://bucket/root")).toBe(false);
    expect(isUnder(normaliseLocation("file:///srv/artifacts/1/m") as string, "/srv/artifacts")).toBe(true);
    expect(isUnder(normaliseLocation("/srv/artifacts-old/1") as string, "/srv/artifacts")).toBe(false);
  });

  it("keeps a root without a host from containing locations that name one", () => {
    expect(isUnder(normaliseLocation("mlflow-artifacts:/1/m") as string, "mlflow-artifacts:/")).toBe(true);
    expect(isUnder(normaliseLocation("mlflow-artifacts://evil/1/m") as string, "mlflow-artifacts:/")).toBe(
      false,
    );
    expect(isUnder(normaliseLocation("http://HOST:5000/a/b") as string, "http://host:5000/a")).toBe(true);
  });
});
