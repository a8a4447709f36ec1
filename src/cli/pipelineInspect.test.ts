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
    expect(diff?.options.map((o) => o.long)).toEqual(["--all", "--json"]);
    expect(metricsCommand().commands.map((c) => c.name())).toEqual(["show", "diff"]);
  });
});
