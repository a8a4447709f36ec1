import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ReproResult, StageResult } from "../pipelines/repro.js";
import { printSummary } from "./reproSummary.js";

function result(...stages: StageResult[]): ReproResult {
  const failures = stages.filter((s) => s.outcome === "failed").map((s) => ({ stage: s.name }));
  return { runId: "r", ok: true, stages, dataSources: [], failures, filesToTrack: [] };
}

function stage(name: string, fields: Partial<StageResult> = {}): StageResult {
  return { name, outcome: "skipped", changes: [], attempts: 1, ...fields };
}

describe("printSummary", () => {
  let stdout: string;

  beforeEach(() => {
    stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
  });

  afterEach(() => vi.restoreAllMocks());

  it("says up to date when every stage was skipped unchanged", () => {
    expect(printSummary(result(stage("a"), stage("b")), (n) => n, {})).toBe(false);
    expect(stdout).toBe("Data and pipelines are up to date.\n");
  });

  it("counts a changed frozen stage under --dry as reproduced, as dvc's dry `run` returns it", () => {
    const frozen = stage("a", {
      changes: [{ kind: "cmd" }],
      wouldRun: false,
      message: "frozen",
    });
    expect(printSummary(result(frozen, stage("b")), (n) => n, {})).toBe(true);
    expect(stdout).toBe("");
  });

  it("counts a frozen stage whose outputs were verified anew as reproduced", () => {
    expect(printSummary(result(stage("a", { message: "frozen" })), (n) => n, {})).toBe(true);
    expect(stdout).toBe("");
  });

  it("under --keep-going names failed stages and data sources in the order they ran", () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const failed = stage("a", { outcome: "failed", message: "stage 'a': failed to run: exit 3" });
    const dvcFile = `${process.cwd()}/src/d.txt.dvc`;
    const outcome = {
      ...result(failed),
      dataSources: [{ dvcFile, outcome: "failed" as const, changes: [] }],
      failures: [{ stage: "a" }, { dataSource: dvcFile }],
    };
    expect(printSummary(outcome, (n) => n, { keepGoing: true })).toBe(false);
    expect(vi.mocked(process.stderr.write).mock.calls.map(([chunk]) => String(chunk))).toEqual([
      "ERROR: failed to reproduce stages: 'a' and 'src/d.txt.dvc'\n",
    ]);
  });

  it("does not count a pulled stage as reproduced", () => {
    expect(printSummary(result(stage("a", { message: "pulled" })), (n) => n, {})).toBe(false);
    expect(stdout).toBe("Data and pipelines are up to date.\n");
  });
});
