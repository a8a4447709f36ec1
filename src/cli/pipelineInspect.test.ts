import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dagCommand, findPipelineRoot, metricsCommand, paramsCommand } from "./pipelineInspect.js";

/** What `run` writes to stdout, each write apart, run with `cwd` as the current directory. */
async function printedIn(cwd: string, run: () => Promise<unknown>): Promise<string[]> {
  const before = process.cwd();
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    process.chdir(cwd);
    await run();
  } finally {
    process.chdir(before);
    write.mockRestore();
  }
  return written;
}

describe("pipeline inspection commands", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-inspect-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("finds the repository root above the current directory, past a subdirectory's own dvc.yaml", () => {
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    writeFileSync(join(dir, "a", "dvc.yaml"), "stages: {}\n");
    expect(findPipelineRoot(join(dir, "a", "b"))).toBe(join(dir, "a"));
    mkdirSync(join(dir, ".dvc"));
    expect(findPipelineRoot(join(dir, "a", "b"))).toBe(dir);
  });

  it("shows the whole repository's pipeline from a subdirectory, reading targets relative to it", async () => {
    mkdirSync(join(dir, ".dvc"));
    mkdirSync(join(dir, "pipe"));
    writeFileSync(
      join(dir, "pipe", "dvc.yaml"),
      "stages:\n  s:\n    cmd: cp in out\n    deps: [in]\n    outs: [out]\n",
    );
    writeFileSync(
      join(dir, "dvc.yaml"),
      "stages:\n  top:\n    cmd: cp pipe/out top.txt\n    deps: [pipe/out]\n    outs: [top.txt]\n  other:\n    cmd: echo\n",
    );
    const written = await printedIn(join(dir, "pipe"), async () => {
      await dagCommand().parseAsync(["node", "dag", "--json"]);
      await dagCommand().parseAsync(["node", "dag", "--json", "../dvc.yaml:top"]);
    });
    const names = written.map((text) =>
      (JSON.parse(text) as { stages: { name: string }[] }).stages.map((s) => s.name).sort(),
    );
    expect(names).toEqual([
      ["other", "pipe/dvc.yaml:s", "top"],
      ["pipe/dvc.yaml:s", "top"],
    ]);
  });

  it("shows metric columns sorted by name, as dvc metrics show", async () => {
    mkdirSync(join(dir, ".dvc"));
    writeFileSync(
      join(dir, "dvc.yaml"),
      "stages:\n  s:\n    cmd: echo\n    metrics:\n    - m.json:\n        cache: false\n",
    );
    writeFileSync(join(dir, "m.json"), '{"zeta": 1, "alpha": {"y": 2, "b": 3}, "mid": 0.5}');
    const written = await printedIn(dir, () => metricsCommand().parseAsync(["node", "metrics", "show"]));
    expect(written.join("").split("\n")[0]?.split(/\s+/)).toEqual([
      "Path",
      "alpha.b",
      "alpha.y",
      "mid",
      "zeta",
    ]);
  });

  it("prints rounded floats as floats and a lone value under an unnamed column, as dvc metrics show", async () => {
    mkdirSync(join(dir, ".dvc"));
    writeFileSync(join(dir, "dvc.yaml"), "metrics:\n- m.json\n- n.json\n");
    writeFileSync(join(dir, "m.json"), '{"a": 12.345678, "b": 0.0, "d": 1e-7, "e": 3}');
    writeFileSync(join(dir, "n.json"), "0.95");
    const written = await printedIn(dir, () => metricsCommand().parseAsync(["node", "metrics", "show"]));
    // Observed: `dvc metrics show` on the same files.
    expect(written.join("")).toBe(
      "Path          a         b    d    e\n" +
        "m.json  -     12.34568  0.0  0.0  3\n" +
        "n.json  0.95  -         -    -    -\n",
    );
  });

  // Regression: each unreadable file got a "warning: path: msg" line; dvc prints one line naming the revision.
  it("reports a missing or corrupt metrics file as dvc does: one closing line on stderr", async () => {
    mkdirSync(join(dir, ".dvc"));
    writeFileSync(join(dir, "dvc.yaml"), "metrics:\n- m.json\n- gone.json\n");
    writeFileSync(join(dir, "m.json"), '{"a": 1,');
    const errors: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      await printedIn(dir, () => metricsCommand().parseAsync(["node", "metrics", "show"]));
      await printedIn(dir, () => metricsCommand().parseAsync(["node", "metrics", "show", "--json"]));
    } finally {
      stderr.mockRestore();
    }
    // Observed: `dvc metrics show` and `dvc metrics show --json` on the same files.
    const line = "DVC failed to load some metrics for following revisions: ''.\n";
    expect(errors).toEqual([line, line]);
  });

  it("prints -0.0 as dvc metrics show does, sign kept", async () => {
    mkdirSync(join(dir, ".dvc"));
    writeFileSync(join(dir, "dvc.yaml"), "metrics:\n- m.json\n");
    writeFileSync(join(dir, "m.json"), '{"z": -0.0, "y": -0.000001, "x": 0.0}');
    const written = await printedIn(dir, () => metricsCommand().parseAsync(["node", "metrics", "show"]));
    // Observed: dvc 3.67.1 on the same file.
    expect(written.join("")).toBe("Path    x    y     z\nm.json  0.0  -0.0  -0.0\n");
  });

  it("declares dvc's options", () => {
    expect(dagCommand().options.map((o) => o.long)).toEqual([
      "--dot",
      "--mermaid",
      "--md",
      "--json",
      "--full",
      "--outs",
      "--collapse-foreach-matrix",
    ]);
    const diff = paramsCommand().commands.find((c) => c.name() === "diff");
    expect(diff?.options.map((o) => o.long)).toEqual([
      "--all",
      "--json",
      "--targets",
      "--md",
      "--no-path",
      "--deps",
    ]);
    expect(metricsCommand().commands.map((c) => c.name())).toEqual(["show", "diff"]);
  });

  it("shows the files given instead, a directory's files included, paths from the cwd, as dvc", async () => {
    mkdirSync(join(dir, ".dvc"));
    mkdirSync(join(dir, "eval"));
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "dvc.yaml"), "metrics:\n- m.json\n");
    writeFileSync(join(dir, "m.json"), '{"acc": 0.9}');
    writeFileSync(join(dir, "eval", "a.json"), '{"auc": 0.8}');
    writeFileSync(join(dir, "eval", "b.yaml"), "f1: 0.5\n");
    const show = (cwd: string, ...args: string[]): Promise<string> =>
      printedIn(cwd, () => metricsCommand().parseAsync(["node", "metrics", "show", ...args])).then((w) =>
        w.join(""),
      );
    // Observed: `dvc metrics show eval` and `dvc metrics show --md ../eval` (from sub/) on the same files.
    expect(await show(dir, "eval")).toBe(
      "Path         auc    f1\neval/a.json  0.8    -\neval/b.yaml  -      0.5\n",
    );
    expect(await show(join(dir, "sub"), "--md", "../eval")).toBe(
      "| Path           | auc   | f1   |\n" +
        "|----------------|-------|------|\n" +
        "| ../eval/a.json | 0.8   | -    |\n" +
        "| ../eval/b.yaml | -     | 0.5  |\n\n",
    );
    expect(JSON.parse(await show(dir, "--json", "m.json"))).toEqual({
      "": { data: { "m.json": { data: { acc: 0.9 } } } },
    });
  });

  it("prints a params diff without paths or as Markdown, as dvc params diff --no-path / --md", async () => {
    const git = (...args: string[]): void => {
      execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: dir });
    };
    git("init", "-q");
    mkdirSync(join(dir, ".dvc"));
    writeFileSync(join(dir, "params.yaml"), "lr: 0.1\nbs: 32\n");
    writeFileSync(join(dir, "dvc.yaml"), "stages:\n  t:\n    cmd: echo\n    params: [lr, bs]\n");
    git("add", "-A");
    git("commit", "-qm", "one");
    writeFileSync(join(dir, "params.yaml"), "lr: 0.2\nbs: 32\n");
    const diff = (...args: string[]): Promise<string> =>
      printedIn(dir, () => paramsCommand().parseAsync(["node", "params", "diff", ...args])).then((w) =>
        w.join(""),
      );
    // Observed: dvc 3.67 on the same repository.
    expect(await diff("--no-path")).toBe("Param    HEAD    workspace\nlr       0.1     0.2\n");
    expect(await diff("--md", "--all")).toBe(
      "| Path        | Param   | HEAD   | workspace   |\n" +
        "|-------------|---------|--------|-------------|\n" +
        "| params.yaml | bs      | 32     | 32          |\n" +
        "| params.yaml | lr      | 0.1    | 0.2         |\n\n",
    );
    // --targets reads any params file whole; --deps leaves out the files no stage depends on.
    writeFileSync(join(dir, "other.yaml"), "x: 3\n");
    writeFileSync(
      join(dir, "dvc.yaml"),
      "stages:\n  t:\n    cmd: echo\n    params: [lr]\nparams:\n- other.yaml\n",
    );
    expect(await diff("--json", "--targets", "other.yaml")).toBe(
      '{"other.yaml": {"x": {"old": null, "new": 3}}}\n',
    );
    expect(await diff("--json", "--deps", "--all")).toBe(
      '{"params.yaml": {"lr": {"old": 0.1, "new": 0.2, "diff": 0.1}, "bs": {"old": 32, "new": null}}}\n',
    );
    // Params are never rounded, unlike metrics (dvc formats them without a precision).
    writeFileSync(join(dir, "params.yaml"), "lr: 1.0e-07\nbs: 0.000123456\n");
    git("add", "-A");
    git("commit", "-qm", "small");
    writeFileSync(join(dir, "params.yaml"), "lr: 2.0e-07\nbs: 0.000123457\n");
    expect(await diff()).toBe(
      "Path         Param    HEAD         workspace\n" +
        "params.yaml  bs       0.000123456  0.000123457\n" +
        "params.yaml  lr       1e-07        2e-07\n",
    );
  });
});
