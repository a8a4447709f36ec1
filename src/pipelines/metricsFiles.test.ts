import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn } from "../data/gitFixtures.js";
import { metricsDiff, metricsShow, metricsShowAcross } from "./metricsFiles.js";
import { pyJsonDumps } from "./pythonValues.js";

describe("metrics files", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, text: string): void => writeFileSync(join(root, name), text);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-metrics-"));
    git("init", "-q");
    write(
      "dvc.yaml",
      "stages:\n  train:\n    cmd: echo\n    metrics:\n    - metrics.json:\n        cache: false\n    - eval.yaml\n    - scores.toml\nmetrics:\n- extra.json\n",
    );
    write("metrics.json", '{"acc": 0.9, "loss": {"train": 0.1}}');
    write("eval.yaml", "auc: 0.8\n");
    write("scores.toml", "f1 = 0.7\n");
    git("add", "-A");
    git("commit", "-qm", "one");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Regression: a git-ignored dvc.lock failed `metrics show` (255) where dvc warns and exits 0.
  it("reports a workspace whose dvc.lock Git ignores as that revision's error, with dvc's warning", async () => {
    write(".gitignore", "dvc.lock\n");
    const warnings: string[] = [];
    const shown = await metricsShow(root, undefined, { onWarning: (message) => warnings.push(message) });
    const msg = `'${join(root, "dvc.lock")}' is git-ignored.`;
    expect(shown).toEqual({ "": { data: {}, error: { type: "FileIsGitIgnored", msg } } });
    expect(warnings).toEqual([`failed to load metrics in revision '', ${msg}`]);
  });

  // Expected JSON shapes are what `dvc metrics show --json` / `dvc metrics diff --json` print.
  it("shows every metrics file of the workspace under the empty revision key", async () => {
    write("metrics.json", '{"acc": 0.95, "loss": {"train": 0.1}, "new": 1}');
    const shown = await metricsShow(root);
    expect(shown[""]?.data["metrics.json"]).toEqual({ data: { acc: 0.95, loss: { train: 0.1 }, new: 1 } });
    expect(shown[""]?.data["eval.yaml"]).toEqual({ data: { auc: 0.8 } });
    expect(shown[""]?.data["scores.toml"]).toEqual({ data: { f1: 0.7 } });
    expect(shown[""]?.data["extra.json"]).toMatchObject({ error: { type: "FileNotFoundError" } });
    // dvc's order: each stage's metrics as dvc.yaml lists them, then the top-level ones.
    expect(Object.keys(shown[""]?.data ?? {})).toEqual([
      "metrics.json",
      "eval.yaml",
      "scores.toml",
      "extra.json",
    ]);
  });

  it("reads each revision's metrics files from its own dvc.yaml, as dvc does", async () => {
    write(
      "dvc.yaml",
      "stages:\n  train:\n    cmd: echo\n    metrics:\n    - m1.json:\n        cache: false\n",
    );
    write("m1.json", '{"acc": 0.5}');
    write("m2.json", '{"loss": 0.3}');
    git("add", "-A");
    git("commit", "-qm", "m1 only");
    write(
      "dvc.yaml",
      "stages:\n  train:\n    cmd: echo\n    metrics:\n    - m2.json:\n        cache: false\n",
    );
    // Observed: `dvc metrics diff --json` on the same edit.
    const expected =
      '{"m2.json": {"loss": {"old": null, "new": 0.3}}, "m1.json": {"acc": {"old": 0.5, "new": null}}}';
    expect(pyJsonDumps(await metricsDiff(root))).toBe(expected);
    git("commit", "-qam", "m2 only");
    expect(pyJsonDumps(await metricsDiff(root, "HEAD~1", "HEAD"))).toBe(expected);
    expect(Object.keys((await metricsShow(root, "HEAD~1"))["HEAD~1"]?.data ?? {})).toEqual(["m1.json"]);
  });

  it("reads no metrics at a revision whose dvc.yaml is malformed, with a warning, as dvc does", async () => {
    write("dvc.yaml", "stages:\n  train:\n    cmd: [\n");
    git("commit", "-qam", "broken");
    git("checkout", "-q", "HEAD~1", "--", "dvc.yaml");
    const warnings: string[] = [];
    const diff = await metricsDiff(root, undefined, undefined, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      expect.stringMatching(/^failed to load metrics in revision 'HEAD', HEAD:dvc\.yaml/),
    ]);
    expect(diff["eval.yaml"]).toEqual({ auc: { old: null, new: 0.8 } });
  });

  it("diffs HEAD against the workspace as dvc does", async () => {
    write("metrics.json", '{"acc": 0.95, "loss": {"train": 0.1}, "new": 1}');
    expect(pyJsonDumps(await metricsDiff(root))).toBe(
      '{"metrics.json": {"acc": {"old": 0.9, "new": 0.95, "diff": 0.04999999999999993}, "new": {"old": null, "new": 1}}}',
    );
  });

  // Regression: list values (and nulls, empty mappings) were shown and diffed; dvc's `_extract_metrics` keeps
  // only numbers, bools and strings, and drops mappings left empty.
  const WITH_OTHER_TYPES = (acc: number, n: number): string =>
    JSON.stringify({
      acc,
      arr: [1, n],
      ok: n === 2,
      name: `run${n}`,
      none: null,
      empty: {},
      nested: { l: [n], e: {} },
      deep: { a: n, b: [n] },
    });

  it("shows only number, bool and string metrics, as dvc does", async () => {
    write("metrics.json", WITH_OTHER_TYPES(0.95, 3));
    expect(pyJsonDumps(await metricsShow(root))).toContain(
      '"metrics.json": {"data": {"acc": 0.95, "ok": false, "name": "run3", "deep": {"a": 3}}}',
    );
  });

  it("diffs only number, bool and string metrics, with --all too, as dvc does", async () => {
    write("metrics.json", WITH_OTHER_TYPES(0.9, 2));
    git("commit", "-qam", "other types");
    write("metrics.json", WITH_OTHER_TYPES(0.95, 3));
    expect(pyJsonDumps(await metricsDiff(root))).toBe(
      '{"metrics.json": {"acc": {"old": 0.9, "new": 0.95, "diff": 0.04999999999999993}, "ok": {"old": true, "new": false, "diff": -1}, "name": {"old": "run2", "new": "run3"}, "deep.a": {"old": 2, "new": 3, "diff": 1}}}',
    );
    const all = await metricsDiff(root, "HEAD", undefined, { all: true });
    expect(Object.keys(all["metrics.json"] ?? {})).toEqual(["acc", "ok", "name", "deep.a"]);
  });

  it("finds no metrics in a file holding a list, null or a lone 0, and keeps a lone number, as dvc does", async () => {
    write("metrics.json", "[0.9, 0.8]");
    write("eval.yaml", "0.8\n");
    write("scores.toml", "");
    write("extra.json", "0");
    const shown = await metricsShow(root);
    expect(shown[""]?.data["metrics.json"]).toEqual({ data: {} });
    expect(shown[""]?.data["eval.yaml"]).toEqual({ data: 0.8 });
    expect(shown[""]?.data["extra.json"]).toEqual({ data: {} });
  });

  // Each expected string is what `dvc metrics diff --json` printed for the same files.
  it.each([
    ["0.95", '{"m.json": {"": {"old": 0.9, "new": 0.95, "diff": 0.04999999999999993}}}'],
    ["true", '{"m.json": {"": {"old": 0.9, "new": true, "diff": 0.09999999999999998}}}'],
    ['"1.5"', '{"m.json": {"": {"old": 0.9, "new": 1.5, "diff": 0.6}}}'],
    ['"abc"', '{"m.json": {"": {"old": 0.9, "new": "abc"}}}'],
    ['{"acc": 1, "x": []}', '{"m.json": {"acc": {"old": "unable to parse", "new": 1}}}'],
    ["[1, 2]", "{}"],
    ["0", "{}"],
  ])("diffs a file holding a lone 0.9 against %s as dvc does", async (next, expected) => {
    write("dvc.yaml", "metrics:\n- m.json\n");
    write("m.json", "0.9");
    git("add", "-A");
    git("commit", "-qm", "lone value");
    write("m.json", next);
    expect(pyJsonDumps(await metricsDiff(root))).toBe(expected);
  });

  it("includes unchanged metrics with --all", async () => {
    const diff = await metricsDiff(root, "HEAD", undefined, { all: true });
    expect(pyJsonDumps(diff["eval.yaml"])).toBe('{"auc": {"old": 0.8, "new": 0.8, "diff": 0.0}}');
  });

  it("with targets, compares those files, a directory expanded at each revision from Git or the disk", async () => {
    mkdirSync(join(root, "eval"));
    write("eval/a.json", '{"auc": 0.8}');
    write("eval/b.yaml", "f1: 0.5\n");
    git("add", "-A");
    git("commit", "-qm", "eval dir");
    write("eval/a.json", '{"auc": 0.9}');
    write("eval/c.json", '{"new": 1}');
    expect(pyJsonDumps(await metricsDiff(root, "HEAD", undefined, { targets: ["eval"] }))).toBe(
      '{"eval/a.json": {"auc": {"old": 0.8, "new": 0.9, "diff": 0.09999999999999998}}, ' +
        '"eval/c.json": {"new": {"old": null, "new": 1}}}',
    );
    const shown = await metricsShow(root, "HEAD", { targets: ["eval"] });
    expect(Object.keys(shown.HEAD?.data ?? {})).toEqual(["eval/a.json", "eval/b.yaml"]);
  });

  it("across branches and tags: the workspace first (left out when it equals the current branch), names of one commit joined", async () => {
    mkdirSync(join(root, ".dvc"));
    write(".dvc/config", "");
    git("add", "-A");
    git("commit", "-qm", "dvc dir");
    git("branch", "-M", "main");
    git("checkout", "-q", "-b", "feature");
    write("metrics.json", '{"acc": 0.7}');
    git("commit", "-qam", "feature");
    git("tag", "v1");
    git("checkout", "-q", "main");
    const shown = await metricsShowAcross(
      root,
      { allBranches: true, allTags: true },
      { targets: ["metrics.json"] },
    );
    // Observed shape: `dvc metrics show -a -T --json metrics.json`.
    expect(pyJsonDumps(shown)).toBe(
      '{"feature,v1": {"data": {"metrics.json": {"data": {"acc": 0.7}}}}, ' +
        '"main": {"data": {"metrics.json": {"data": {"acc": 0.9, "loss": {"train": 0.1}}}}}}',
    );
    write("metrics.json", '{"acc": 0.5}');
    const changed = await metricsShowAcross(root, { allBranches: true }, { targets: ["metrics.json"] });
    expect(Object.keys(changed)).toEqual(["workspace", "feature", "main"]);
    // The first commit has no .dvc directory: dvc skips it, and so do we.
    const commits = await metricsShowAcross(root, { allCommits: true }, { targets: ["metrics.json"] });
    expect(Object.keys(commits)).toHaveLength(3);
  });
});
