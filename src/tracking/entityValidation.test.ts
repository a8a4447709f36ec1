import { describe, expect, it } from "vitest";
import { experimentArtifactLocation, runArtifactUri } from "./artifactLocation.js";
import { pythonNormpath, validateKeyName, validateParamKeysUnique } from "./entityValidation.js";

describe("artifact locations", () => {
  it("joins the root and the experiment id without doubling slashes", () => {
    expect(experimentArtifactLocation("mlflow-artifacts:/", "1")).toBe("mlflow-artifacts:/1");
    expect(experimentArtifactLocation("/data/art", "1")).toBe("/data/art/1");
    expect(experimentArtifactLocation("s3://b/p/", "1")).toBe("s3://b/p/1");
    expect(experimentArtifactLocation("file:///", "1")).toBe("file:///1");
  });

  it("puts run artifacts under <experiment>/<run>/artifacts", () => {
    expect(runArtifactUri("mlflow-artifacts:/3", "abc")).toBe("mlflow-artifacts:/3/abc/artifacts");
  });
});

describe("key validation", () => {
  it("normalises paths as Python's posixpath.normpath", () => {
    expect(pythonNormpath("")).toBe(".");
    expect(pythonNormpath("a//b/")).toBe("a/b");
    expect(pythonNormpath("../a")).toBe("../a");
    expect(pythonNormpath("//a")).toBe("//a");
    expect(pythonNormpath("///a")).toBe("/a");
    expect(pythonNormpath("a/./b/../c")).toBe("a/c");
  });

  it("accepts MLflow's key alphabet, unicode letters included", () => {
    for (const key of ["loss", "val/acc", "a b", "x-y.z_1", "précision", "eval:loss", "a:b/c:d"]) {
      expect(() => validateKeyName("metric", key)).not.toThrow();
    }
  });

  it("refuses keys that could alias another as a file", () => {
    for (const key of ["", ".", "/abs", "a/../b", "trailing/", "..hidden/../x"]) {
      expect(() => validateKeyName("metric", key)).toThrow(/Invalid metric name/);
    }
    expect(() => validateKeyName("parameter", "a@b")).toThrow(
      "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).",
    );
    // Python's \w has no combining marks.
    expect(() => validateKeyName("tag", "e\u0301")).toThrow(/Names may only contain/);
  });

  it("lists duplicate param keys as MLflow does", () => {
    expect(() => validateParamKeysUnique([{ key: "a" }, { key: "b" }, { key: "a" }])).toThrow(
      "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key.",
    );
  });
});
