import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { gitIn } from "../data/gitFixtures.js";
import { paramsCommand } from "./pipelineInspect.js";

/** What `flowops params diff <args>` writes to stdout and stderr, run in `cwd`. */
async function paramsDiffIn(cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const before = process.cwd();
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    process.chdir(cwd);
    await paramsCommand().parseAsync(["node", "params", "diff", ...args]);
  } finally {
    process.chdir(before);
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { stdout: out.join(""), stderr: err.join("") };
}

// Expected output is what dvc 3.67.1 printed for the same repository (`dvc params diff`, exit status 0).
describe("flowops params diff with params files it cannot read", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, text: string): void => writeFileSync(join(root, name), text);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-paramscli-"));
    git("init", "-q");
    mkdirSync(join(root, ".dvc"));
    write("dvc.yaml", "stages:\n  train:\n    cmd: echo\n    params:\n    - lr\n");
    write("params.yaml", "lr: 0.1\n");
    git("add", "-A");
    git("commit", "-qm", "one");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Regression: a missing params.yaml printed no closing line.
  it("closes with the revisions that could not read a tracked params file, before the JSON", async () => {
    rmSync(join(root, "params.yaml"));
    expect(await paramsDiffIn(root, ["--json"])).toEqual({
      stdout: '{"params.yaml": {"lr": {"old": 0.1, "new": null}}}\n',
      stderr: "DVC failed to load some metrics for following revisions: 'workspace'.\n",
    });
  });

  // Regression: the warning carried FlowOps' own parser message and the file's absolute path.
  it("warns with dvc's message for a corrupt params.yaml, then closes", async () => {
    write("params.yaml", "lr: [0.1\nb: 2\n");
    mkdirSync(join(root, "sub"));
    const shown = await paramsDiffIn(join(root, "sub"), []);
    expect(shown.stderr).toBe(
      "WARNING: failed to load params in revision 'workspace', unable to read: '../params.yaml', YAML file structure is corrupted\n" +
        "DVC failed to load some metrics for following revisions: 'workspace'.\n",
    );
    expect(shown.stdout).toBe(
      "Path            Param    HEAD    workspace\n../params.yaml  lr       0.1     -\n",
    );
  });

  // Regression: HEAD's warning came first; dvc's brancher loads the workspace before any commit.
  it("warns for the workspace before HEAD when both are corrupt", async () => {
    write("params.yaml", "lr: [0.1\n");
    git("commit", "-qam", "corrupt");
    const shown = await paramsDiffIn(root, []);
    expect(shown.stderr).toBe(
      "WARNING: failed to load params in revision 'workspace', unable to read: 'params.yaml', YAML file structure is corrupted\n" +
        "WARNING: failed to load params in revision 'HEAD', unable to read: 'params.yaml', YAML file structure is corrupted\n" +
        "DVC failed to load some metrics for following revisions: 'HEAD, workspace'.\n",
    );
  });
});
