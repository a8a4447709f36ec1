import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { formatModelUri, parseModelUri, type ModelUri } from "./modelUri.js";

const ACCEPTED: [string, ModelUri][] = [
  ["models:/churn/3", { kind: "registryVersion", name: "churn", version: "3" }],
  ["models:/churn@champion", { kind: "registryAlias", name: "churn", alias: "champion" }],
  ["models:/my%20model/12", { kind: "registryVersion", name: "my model", version: "12" }],
  ["models:/team-a.churn@blue_v2", { kind: "registryAlias", name: "team-a.churn", alias: "blue_v2" }],
  [
    "models:/m-0123456789abcdef0123456789abcdef",
    { kind: "loggedModel", modelId: "m-0123456789abcdef0123456789abcdef" },
  ],
  ["runs:/0f3c2a1b4d5e/model", { kind: "run", runId: "0f3c2a1b4d5e", path: "model" }],
  [
    "runs:/0f3c2a1b4d5e/nested/dir/model.onnx",
    { kind: "run", runId: "0f3c2a1b4d5e", path: "nested/dir/model.onnx" },
  ],
  ["runs:/0f3c2a1b4d5e/model/", { kind: "run", runId: "0f3c2a1b4d5e", path: "model" }],
  ["runs:/0f3c2a1b4d5e", { kind: "run", runId: "0f3c2a1b4d5e", path: "" }],
  ["file:///srv/models/churn", { kind: "local", path: "/srv/models/churn" }],
  ["/srv/models/churn", { kind: "local", path: "/srv/models/churn" }],
  ["models/churn", { kind: "local", path: "/work/project/models/churn" }],
  ["./model.onnx", { kind: "local", path: "/work/project/model.onnx" }],
];

const REJECTED: [string, string][] = [
  ["", "it is empty"],
  ["models:/churn", "a version or an alias is missing"],
  ["models:/churn/Production", "'Production' is not a version number"],
  ["models:/churn/latest", "'latest' is not a version number"],
  ["models:/churn/0", "'0' is not a version number"],
  ["models:/a/b/3", "may not contain '/'"],
  ["models:/churn@", "the alias '' must be"],
  ["models:/churn@a/b", "'b' is not a version number"],
  ["models:/churn@a%2Fb", "the alias 'a/b' must be"],
  ["models:/a%2Fb/3", "may not contain '/'"],
  ["runs:/abc/%2E%2E/secrets", "without '.' or '..'"],
  ["models:/@champion", "'' is not a model name"],
  ["models://host/churn/1", "a registry host"],
  ["models:/", "the model name is missing"],
  ["runs:/", "'' is not a run id"],
  ["runs://abc/model", "single slash"],
  ["runs:/abc/../secrets", "without '.' or '..'"],
  ["runs:/abc/a//b", "without '.' or '..'"],
  ["runs:/a%2Fb/model", "'a/b' is not a run id"],
  ["s3://bucket/model", "the scheme 's3:'"],
  ["mlflow-artifacts:/1/abc/artifacts/model", "the scheme 'mlflow-artifacts:'"],
  ["http://example.com/model", "the scheme 'http:'"],
  ["file://otherhost/srv/model", "not a local file URI"],
  ["models:/churn/%zz", "malformed %-escape"],
];

describe("parseModelUri", () => {
  it.each(ACCEPTED)("parses %s", (uri, expected) => {
    expect(parseModelUri(uri, "/work/project")).toEqual(expected);
  });

  it.each(REJECTED)("rejects %s, naming the accepted forms", (uri, why) => {
    let caught: unknown;
    try {
      parseModelUri(uri, "/work/project");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlowOpsError);
    const error = caught as FlowOpsError;
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toContain(why);
    expect(error.message).toContain("models:/<name>/<version>, models:/<name>@<alias>");
    expect(error.message).toContain("runs:/<run-id>/<path>");
  });

  it("spells a parsed URI back canonically", () => {
    for (const uri of ["models:/churn/3", "models:/churn@champion", "runs:/abc/model", "runs:/abc"]) {
      expect(formatModelUri(parseModelUri(uri))).toBe(uri);
    }
  });
});
