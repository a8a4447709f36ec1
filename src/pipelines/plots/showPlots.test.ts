import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitIn } from "../../data/gitFixtures.js";
import { matchRenderers, plotsJson } from "./matchRenderers.js";
import { diffRevisions, erroredRevisions, showPlots } from "./showPlots.js";

describe("plots show and diff", () => {
  let root: string;
  const git = gitIn(() => root);
  const write = (name: string, content: string | Buffer): void => {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  };
  const json = async (revs?: string[], targets?: string[]): Promise<Record<string, unknown>> => {
    const collected = await showPlots({
      root,
      cwd: root,
      ...(revs ? { revs } : {}),
      ...(targets ? { targets } : {}),
    });
    const warnings: string[] = [];
    const renderers = matchRenderers(collected, {
      out: join(root, "out"),
      onWarning: (m) => warnings.push(m),
    });
    return { ...plotsJson(renderers, new Map()), warnings, errored: erroredRevisions(collected) };
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-plots-"));
    git("init", "-q");
    write(
      "dvc.yaml",
      [
        "stages:",
        "  train:",
        "    cmd: echo",
        "    plots:",
        "    - loss.csv:",
        "        x: step",
        "        cache: false",
        "plots:",
        "- loss.csv:",
        "    y: loss",
        "- img.png",
        "- gone.json",
        "- bad:",
        "    y:",
        "      loss.csv: nope",
        "",
      ].join("\n"),
    );
    write("loss.csv", "step,loss\n0,1.0\n1,0.5\n");
    write("img.png", Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    git("add", "-A");
    git("commit", "-qm", "one");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("names a plot id defined in two places by its config file, and lists missing files and unknown fields", async () => {
    const shown = await json();
    const data = shown.data as Record<
      string,
      { revisions: string[]; content?: { data: { values: unknown[] } } }[]
    >;
    expect(Object.keys(data)).toEqual(["dvc.yaml::loss.csv", "loss.csv", "img.png", "gone.json", "bad"]);
    expect(data["dvc.yaml::loss.csv"]![0]!.content!.data.values).toEqual([
      { step: 0, loss: "1.0", rev: "workspace" },
      { step: 1, loss: "0.5", rev: "workspace" },
    ]);
    expect(data["gone.json"]).toEqual([]);
    expect(data["img.png"]).toEqual([
      { type: "image", revisions: ["workspace"], url: join(root, "out", "workspace_img.png") },
    ]);
    expect(existsSync(join(root, "out", "workspace_img.png"))).toBe(true);
    expect(shown.errors).toEqual([
      {
        name: "gone.json",
        rev: "workspace",
        source: "gone.json",
        type: "FileNotFoundError",
        msg: "[Errno 2] No such file or directory: 'gone.json'",
      },
      {
        name: "bad",
        rev: "workspace",
        type: "FieldNotFoundError",
        msg: "Could not find provided field ('nope') in data fields ('step, loss').",
      },
    ]);
    expect(shown.warnings).toEqual([
      "In 'workspace', could not find provided field ('nope') in data fields ('step, loss').",
    ]);
    expect(shown.errored).toEqual(["workspace"]);
  });

  it("overlays HEAD and the workspace when tracked files changed, the workspace first", async () => {
    expect(await diffRevisions(root, [])).toEqual(["workspace"]);
    write("loss.csv", "step,loss\n0,0.9\n1,0.4\n");
    expect(await diffRevisions(root, [])).toEqual(["HEAD", "workspace"]);
    expect(await diffRevisions(root, ["HEAD"])).toEqual(["HEAD", "workspace"]);
    const shown = await json(["HEAD", "workspace"], ["loss.csv"]);
    const data = shown.data as Record<
      string,
      { revisions: string[]; content: { data: { values: { loss: string; rev: string }[] } } }[]
    >;
    const entry = data["loss.csv"]![0]!;
    expect(entry.revisions).toEqual(["workspace", "HEAD"]);
    expect(entry.content.data.values.map((v) => [v.rev, v.loss])).toEqual([
      ["workspace", "0.9"],
      ["workspace", "0.4"],
      ["HEAD", "1.0"],
      ["HEAD", "0.5"],
    ]);
  });

  it("matches targets as regular expressions at the start of plot ids, and draws a named file with no definition", async () => {
    expect(Object.keys((await json(undefined, ["im"])).data as object)).toEqual(["img.png"]);
    write("other.json", JSON.stringify([{ a: 1, b: 2 }]));
    const shown = await json(undefined, ["other.json"]);
    expect(Object.keys(shown.data as object)).toEqual(["other.json"]);
  });

  it("has nothing to diff in a repository without commits", async () => {
    const empty = mkdtempSync(join(tmpdir(), "flowops-plots-empty-"));
    try {
      execFileSync("git", ["-C", empty, "init", "-q"]);
      expect(await diffRevisions(empty, [])).toBeUndefined();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
