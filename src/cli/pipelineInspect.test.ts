import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dagCommand, findPipelineRoot, metricsCommand, paramsCommand } from "./pipelineInspect.js";

describe("pipeline inspection commands", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-inspect-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("finds the repository root above the current directory", () => {
    mkdirSync(join(dir, ".dvc"));
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    expect(findPipelineRoot(join(dir, "a", "b"))).toBe(dir);
    writeFileSync(join(dir, "a", "dvc.yaml"), "stages: {}\n");
    expect(findPipelineRoot(join(dir, "a", "b"))).toBe(join(dir, "a"));
  });

  it("declares dvc's options", () => {
    expect(dagCommand().options.map((o) => o.long)).toEqual(["--dot", "--mermaid", "--json"]);
    const diff = paramsCommand().commands.find((c) => c.name() === "diff");
    expect(diff?.options.map((o) => o.long)).toEqual(["--all", "--json"]);
    expect(metricsCommand().commands.map((c) => c.name())).toEqual(["show", "diff"]);
  });
});
