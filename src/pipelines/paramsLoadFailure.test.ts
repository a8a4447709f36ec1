import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn } from "../data/gitFixtures.js";
import { paramsDiff, type ParamsDiffOptions } from "./paramsDiff.js";
import { pyJsonDumps } from "./pythonValues.js";

const DVC_YAML = `stages:
  train:
    cmd: echo
    params:
    - lr
    - other.yaml:
      - x
`;

// Expected warnings, diffs and revisions are what dvc 3.67.1 printed for the same repository and edit
// (`dvc params diff --json`; the revisions are those of "DVC failed to load some metrics for following revisions").
describe("paramsDiff on params files dvc cannot read", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, text: string | Uint8Array): void => writeFileSync(join(root, name), text);

  /** The diff, dvc's warnings and the revisions of its closing line. */
  async function diffOf(
    a?: string,
    b?: string,
    options: ParamsDiffOptions = {},
  ): Promise<{ json: string; warnings: string[]; errored: string[] }> {
    const warnings: string[] = [];
    let errored: string[] = [];
    const diff = await paramsDiff(root, a, b, {
      ...options,
      onWarning: (message) => warnings.push(message),
      onErroredRevisions: (revisions) => (errored = revisions),
    });
    return { json: pyJsonDumps(diff), warnings, errored };
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-paramsload-"));
    git("init", "-q");
    write("dvc.yaml", DVC_YAML);
    write("params.yaml", "lr: 0.1\nb: 2\n");
    write("other.yaml", "x: 1\n");
    git("add", "-A");
    git("commit", "-qm", "one");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Regression: the warning carried FlowOps' parser message ("<abs path>:2: invalid YAML: ...").
  it("names a corrupt params.yaml in the workspace with dvc's message, relative to the cwd", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    mkdirSync(join(root, "sub"));
    const fromSub = await diffOf(undefined, undefined, { cwd: join(root, "sub") });
    expect(fromSub.warnings).toEqual([
      "failed to load params in revision 'workspace', unable to read: '../params.yaml', YAML file structure is corrupted",
    ]);
    expect(fromSub.errored).toEqual(["workspace"]);
    // The whole revision fails to load, so other.yaml reads as missing too.
    expect(fromSub.json).toBe(
      '{"params.yaml": {"lr": {"old": 0.1, "new": null}, "b": {"old": 2, "new": null}}, "other.yaml": {"x": {"old": 1, "new": null}}}',
    );
    const fromRoot = await diffOf();
    expect(fromRoot.warnings[0]).toBe(
      "failed to load params in revision 'workspace', unable to read: 'params.yaml', YAML file structure is corrupted",
    );
  });

  it("names a params.yaml with duplicate keys or bytes that are not UTF-8 as dvc does", async () => {
    write("params.yaml", "lr: 1\nlr: 2\n");
    expect((await diffOf()).warnings).toEqual([
      "failed to load params in revision 'workspace', unable to read: 'params.yaml', YAML file structure is corrupted",
    ]);
    write("params.yaml", Buffer.from("lr: 0.1\n\xff\xfe: 2\n", "latin1"));
    expect((await diffOf()).warnings).toEqual([
      "failed to load params in revision 'workspace', unable to read: 'params.yaml', is not valid utf-8",
    ]);
  });

  it("names a params.yaml corrupt at a past revision by its path, not `rev:path`", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    git("commit", "-qam", "corrupt");
    write("params.yaml", "lr: 0.2\nb: 2\n");
    git("commit", "-qam", "fixed");
    mkdirSync(join(root, "sub"));
    const shown = await diffOf("HEAD~1", "HEAD", { cwd: join(root, "sub") });
    expect(shown.warnings).toEqual([
      "failed to load params in revision 'HEAD~1', unable to read: '../params.yaml', YAML file structure is corrupted",
    ]);
    expect(shown.errored).toEqual(["HEAD~1"]);
    // Regression: dvc loads the workspace first even when comparing two commits, and warns about it alone.
    write("params.yaml", "lr: [0.1\n");
    const both = await diffOf("HEAD~1", "HEAD");
    expect(both.warnings).toEqual([
      "failed to load params in revision 'workspace', unable to read: 'params.yaml', YAML file structure is corrupted",
      "failed to load params in revision 'HEAD~1', unable to read: 'params.yaml', YAML file structure is corrupted",
    ]);
    expect(both.errored).toEqual(["HEAD~1"]);
  });

  // Regression: a missing tracked params.yaml was silent, and a corrupt other params file stopped the command.
  it("counts a tracked params file that is missing or corrupt as a failed revision, without a warning", async () => {
    write("params.yaml", "b: 2\n");
    write("other.yaml", "x: [1\ny: 2\n");
    const corrupt = await diffOf();
    expect(JSON.parse(corrupt.json)).toEqual({
      "params.yaml": { lr: { old: 0.1, new: null } },
      "other.yaml": { x: { old: 1, new: null } },
    });
    expect(corrupt.warnings).toEqual([]);
    expect(corrupt.errored).toEqual(["workspace"]);
    rmSync(join(root, "params.yaml"));
    rmSync(join(root, "other.yaml"));
    const missing = await diffOf();
    expect(missing.warnings).toEqual([]);
    expect(missing.errored).toEqual(["workspace"]);
  });

  it("fails JSON, TOML and Python params files, and missing targets, at each revision that cannot read them", async () => {
    write(
      "dvc.yaml",
      "stages:\n  train:\n    cmd: echo\n    params:\n    - o.json:\n      - x\n    - o.toml:\n      - x\n    - o.py:\n      - x\n",
    );
    write("o.json", '{"x": 1}');
    write("o.toml", "x = 1\n");
    write("o.py", "x = 1\n");
    git("add", "-A");
    git("commit", "-qm", "formats");
    write("o.json", '{"x": 1');
    write("o.toml", "x = = 1\n");
    write("o.py", "x = (\n");
    const shown = await diffOf(undefined, undefined, { depsOnly: true });
    expect(JSON.parse(shown.json)).toEqual({
      "o.json": { x: { old: 1, new: null } },
      "o.toml": { x: { old: 1, new: null } },
      "o.py": { x: { old: 1, new: null } },
    });
    expect(shown.errored).toEqual(["workspace"]);
    expect((await diffOf(undefined, undefined, { targets: ["nothere.yaml"] })).errored).toEqual([
      "HEAD",
      "workspace",
    ]);
  });

  it("reads no error from a default params.yaml that is absent and that no stage lists", async () => {
    write("dvc.yaml", "stages:\n  train:\n    cmd: echo\n    params:\n    - other.yaml:\n      - x\n");
    rmSync(join(root, "params.yaml"));
    git("add", "-A");
    git("commit", "-qm", "no params.yaml");
    const shown = await diffOf("HEAD", undefined, { all: true });
    expect(shown).toEqual({
      json: '{"other.yaml": {"x": {"old": 1, "new": 1, "diff": 0}}}',
      warnings: [],
      errored: [],
    });
  });
});
