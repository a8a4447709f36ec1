import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn } from "../data/gitFixtures.js";
import { metricsDiff, metricsShow } from "./metricsFiles.js";
import { showPlots } from "./plots/showPlots.js";

const DVC_YAML = `stages:
  train:
    cmd: echo
    params:
    - lr
    metrics:
    - m.json:
        cache: false
    plots:
    - p.json:
        cache: false
`;
const CORRUPT = "unable to read: 'params.yaml', YAML file structure is corrupted";

// Expected warnings and errors are what dvc 3.67.1 printed for the same repository (`dvc metrics show --json`,
// `dvc metrics diff HEAD~1 HEAD`, `dvc plots show --json`), each exiting 0.
describe("metrics and plots on a params.yaml dvc cannot read", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, text: string | Uint8Array): void => writeFileSync(join(root, name), text);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-loadfailure-"));
    git("init", "-q");
    write("dvc.yaml", DVC_YAML);
    write("params.yaml", "lr: 0.1\n");
    write("m.json", '{"acc": 1}');
    write("p.json", '[{"x": 1, "y": 2}]');
    git("add", "-A");
    git("commit", "-qm", "one");
    write("m.json", '{"acc": 2}');
    git("commit", "-qam", "two");
    mkdirSync(join(root, "sub"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Regression: the warning and the error carried FlowOps' "<abs>/params.yaml:2: invalid YAML: ..." (DvcException).
  it("metrics show reports a corrupt params.yaml as dvc does, relative to the cwd", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    const warnings: string[] = [];
    const shown = await metricsShow(root, undefined, {
      cwd: join(root, "sub"),
      onWarning: (m) => warnings.push(m),
    });
    const msg = "unable to read: '../params.yaml', YAML file structure is corrupted";
    expect(shown[""]?.error).toEqual({ type: "YAMLFileCorruptedError", msg });
    expect(warnings).toEqual([`failed to load metrics in revision '', ${msg}`]);
  });

  it("metrics show reports a params.yaml that is not UTF-8 as dvc's EncodingError", async () => {
    write("params.yaml", Buffer.from("lr: 0.1\n\xff\xfe: 2\n", "latin1"));
    const shown = await metricsShow(root, undefined, {});
    expect(shown[""]?.error).toEqual({
      type: "EncodingError",
      msg: "unable to read: 'params.yaml', is not valid utf-8",
    });
  });

  // Regression: comparing two commits said nothing of the workspace, which dvc loads first and warns about.
  it("metrics diff of two commits warns about a broken workspace, without naming it in the closing line", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    const warnings: string[] = [];
    let errored: string[] = [];
    const diff = await metricsDiff(root, "HEAD~1", "HEAD", {
      cwd: root,
      onWarning: (m) => warnings.push(m),
      onErroredRevisions: (revisions) => (errored = revisions),
    });
    expect(warnings).toEqual([`failed to load metrics in revision 'workspace', ${CORRUPT}`]);
    expect(errored).toEqual([]);
    expect(Object.keys(diff)).toEqual(["m.json"]);
  });

  it("metrics diff with targets loads no workspace pipeline, so does not warn, as dvc", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    const warnings: string[] = [];
    await metricsDiff(root, "HEAD~1", "HEAD", { targets: ["m.json"], onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
  });

  it("metrics diff against the workspace names the file in dvc's words", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    const warnings: string[] = [];
    await metricsDiff(root, "HEAD", undefined, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`failed to load metrics in revision 'workspace', ${CORRUPT}`]);
  });

  it("plots show reports a corrupt params.yaml as dvc's YAMLFileCorruptedError", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    const shown = await showPlots({ root, cwd: root });
    expect(shown.get("workspace")).toEqual({
      definitionsError: { type: "YAMLFileCorruptedError", msg: CORRUPT },
    });
  });
});
