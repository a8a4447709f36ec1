import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn } from "../data/gitFixtures.js";
import { metricsDiff, metricsShow, metricsShowAcross } from "./metricsFiles.js";
import { erroredRevisions } from "./metricsLoadFailures.js";
import { PyInt } from "./pythonValues.js";

// Expected labels are what dvc 3.67.1 names in "DVC failed to load some metrics for following revisions".
describe("revisions dvc names as failed to load", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, text: string): void => writeFileSync(join(root, name), text);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-metrics-failures-"));
    git("init", "-q");
    // -A walks only commits that hold a .dvc directory, as dvc does.
    mkdirSync(join(root, ".dvc"));
    write(".dvc/config", "");
    write("dvc.yaml", "metrics:\n- m.json\n- other.json\n");
    write("m.json", '{"a": 1}');
    write("other.json", '{"b": 1}');
    git("add", "-A");
    git("commit", "-qm", "one");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Regression: a missing or corrupt metrics file got a per-file warning, and no closing line as dvc prints.
  it("names a workspace with one missing or corrupt metrics file", async () => {
    write("m.json", '{"a": 2,');
    expect(erroredRevisions(await metricsShow(root))).toEqual([""]);
    rmSync(join(root, "m.json"));
    expect(erroredRevisions(await metricsShow(root))).toEqual([""]);
  });

  it("names no revision when every file loads", async () => {
    expect(erroredRevisions(await metricsShow(root))).toEqual([]);
  });

  it("names each failed revision across commits, in dvc's order", async () => {
    write("m.json", '{"a": 2,');
    git("commit", "-qam", "corrupt");
    const head = git("rev-parse", "HEAD").trim();
    write("m.json", '{"a": 3}');
    const shown = await metricsShowAcross(root, { allCommits: true });
    expect(erroredRevisions(shown)).toEqual([head]);
    rmSync(join(root, "other.json"));
    expect(erroredRevisions(await metricsShowAcross(root, { allCommits: true }))).toEqual([
      "workspace",
      head,
    ]);
  });

  // dvc's `nested_contains` looks into the metrics too: a truthy "error" key marks the revision, a falsy one not.
  it("counts a metrics value under a truthy error key as dvc does", () => {
    const withError = (value: unknown): Parameters<typeof erroredRevisions>[0] => ({
      "": { data: { "m.json": { data: { x: { error: value } } as never } } },
    });
    expect(erroredRevisions(withError(1))).toEqual([""]);
    expect(erroredRevisions(withError(new PyInt(2n)))).toEqual([""]);
    expect(erroredRevisions(withError(0))).toEqual([]);
    expect(erroredRevisions(withError(new PyInt(0n)))).toEqual([]);
    expect(erroredRevisions(withError(""))).toEqual([]);
  });

  it("diff reports old then new, each once, when a file fails at either", async () => {
    write("m.json", '{"a": 2,');
    git("commit", "-qam", "corrupt");
    rmSync(join(root, "other.json"));
    const reported: string[][] = [];
    const onErroredRevisions = (revisions: string[]): number => reported.push(revisions);
    await metricsDiff(root, "HEAD~1", undefined, { onErroredRevisions });
    await metricsDiff(root, "HEAD~1", "HEAD", { onErroredRevisions });
    await metricsDiff(root, "HEAD", "HEAD", { onErroredRevisions });
    await metricsDiff(root, "HEAD~1", "HEAD~1", { onErroredRevisions });
    expect(reported).toEqual([["workspace"], ["HEAD"], ["HEAD"]]);
    await metricsDiff(root, "HEAD~1", undefined, { targets: ["gone.json"], onErroredRevisions });
    expect(reported.at(-1)).toEqual(["HEAD~1", "workspace"]);
  });

  it("diff counts a revision whose pipeline does not load, in old-then-new order", async () => {
    write("dvc.yaml", "metrics: [\n");
    const reported: string[][] = [];
    await metricsDiff(root, undefined, undefined, { onErroredRevisions: (r) => reported.push(r) });
    expect(reported).toEqual([["workspace"]]);
  });
});
