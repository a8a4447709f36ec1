import { describe, expect, it } from "vitest";
import { experimentArtifactLocation, runArtifactUri } from "./artifactLocation.js";
import {
  pythonNormpath,
  validateDataset,
  validateExperimentName,
  validateExperimentTag,
  validateKeyName,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateRunTag,
} from "./entityValidation.js";

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
      expect(() => validateKeyName(key, "name")).not.toThrow();
    }
  });

  it("refuses keys that could alias another as a file", () => {
    for (const key of [".", "/abs", "a/../b", "trailing/", "..hidden/../x"]) {
      expect(() => validateKeyName(key, "name")).toThrow(
        /^Invalid value ".*" for parameter 'name' supplied: Names may be treated as files/,
      );
    }
    expect(() => validateKeyName("a@b", "key")).toThrow(
      "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).",
    );
    // Python's \w has no combining marks.
    expect(() => validateKeyName("e\u0301", "key")).toThrow(/Names may only contain/);
  });

  // Regression: FlowOps said "Invalid tag name: '../a'"; Python clients show MLflow's own wording to users.
  it("words a refused key as MLflow's invalid_value, naming the field the client sent", () => {
    const resolves =
      "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to";
    expect(() => validateRunTag({ key: "../a", value: "v" })).toThrow(
      `Invalid value "../a" for parameter 'key' supplied: ${resolves} '../a'`,
    );
    expect(() => validateParam({ key: "a/../b", value: "v" }, "params[0]")).toThrow(
      `Invalid value "a/../b" for parameter 'params[0].key' supplied: ${resolves} 'b'`,
    );
    expect(() => validateMetric({ key: "/a", value: 1, timestamp: 1, step: 0 })).toThrow(
      `Invalid value "/a" for parameter 'name' supplied: ${resolves} '/a'`,
    );
    expect(() => validateMetric({ key: "a*", value: 1, timestamp: 1, step: 0 }, "metrics[0]")).toThrow(
      `Invalid value "a*" for parameter 'metrics[0].name' supplied: Names may only contain`,
    );
    expect(() => validateExperimentTag({ key: "../a", value: "v" })).toThrow(
      `Invalid value "../a" for parameter 'key' supplied: ${resolves} '../a'`,
    );
  });

  it("quotes a refused key as Python's json.dumps does, escaping non-ASCII", () => {
    expect(() => validateRunTag({ key: "a$\u00e9", value: "v" }, "tags[2]")).toThrow(
      String.raw`Invalid value "a$\u00e9" for parameter 'tags[2].key' supplied: Names may only contain`,
    );
  });

  it("reads an empty key as a missing one, as MLflow's handlers do", () => {
    const missing = (field: string) =>
      `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`;
    expect(() => validateParam({ key: "", value: "v" })).toThrow(missing("key"));
    expect(() => validateParam({ key: "", value: "v" }, "params[0]")).toThrow(missing("params[0].key"));
    expect(() => validateMetric({ key: "", value: 1, timestamp: 1, step: 0 }, "metrics[1]")).toThrow(
      missing("metrics[1].key"),
    );
    expect(() => validateExperimentTag({ key: "", value: "v" })).toThrow(missing("key"));
  });

  it("names over-long fields with exceeds_maximum_length", () => {
    const long = "k".repeat(251);
    expect(() => validateParam({ key: long, value: "v" })).toThrow(
      "'Param key' exceeds the maximum length of 250 characters",
    );
    expect(() => validateRunTag({ key: long, value: "v" }, "tags[0]")).toThrow(
      "'tags[0].key' exceeds the maximum length of 250 characters",
    );
    expect(() => validateMetric({ key: long, value: 1, timestamp: 1, step: 0 })).toThrow(
      "'Metric name' exceeds the maximum length of 250 characters",
    );
    expect(() => validateExperimentTag({ key: "k", value: "v".repeat(20001) })).toThrow(
      "'value' exceeds the maximum length of 20000 characters",
    );
    expect(() => validateExperimentName("n".repeat(501))).toThrow(
      "'name' exceeds the maximum length of 500 characters",
    );
    expect(() => validateDataset({ name: "d", digest: "x".repeat(37), source: "s" })).toThrow(
      "'digest' exceeds the maximum length of 36 characters",
    );
  });

  it("words a negative metric timestamp as invalid_value with Python's float spelling", () => {
    expect(() => validateMetric({ key: "k", value: 1, timestamp: -5, step: 0 }, "metrics[0]")).toThrow(
      "Invalid value -5 for parameter 'metrics[0].timestamp' supplied: metric 'k' (value=1.0). Timestamp must be a nonnegative long (64-bit integer) ",
    );
  });

  it("lists duplicate param keys as MLflow does", () => {
    expect(() => validateParamKeysUnique([{ key: "a" }, { key: "b" }, { key: "a" }])).toThrow(
      "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key.",
    );
  });
});
