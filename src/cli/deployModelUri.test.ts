import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callerModelUri } from "./deploy.js";

describe("deploy --model", () => {
  let dir: string;
  const before = process.cwd();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-deploy-model-"));
    mkdirSync(join(dir, "model"));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(before);
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a local model directory as an absolute path, since the server resolves against its own cwd", () => {
    expect(callerModelUri("./model")).toBe(join(process.cwd(), "model"));
    expect(callerModelUri("model")).toBe(join(process.cwd(), "model"));
  });

  it("leaves URIs, absolute paths and names that are no local path as given", () => {
    for (const uri of [
      "models:/churn/3",
      "models:/churn@champion",
      "runs:/abc/model",
      "s3://b/m",
      "/srv/m",
      "nope",
    ])
      expect(callerModelUri(uri)).toBe(uri);
  });
});
