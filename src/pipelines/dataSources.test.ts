import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_IMPORT_MD5, repoImportDvcFile } from "../data/importFixtures.js";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { readDvcFile } from "../data/dvcFile.js";
import { importUrl } from "../data/importUrl.js";
import { singleStageMd5 } from "../data/stageMd5.js";
import { readPipelines } from "./pipelineFiles.js";
import { planStages } from "./reproPlan.js";
import { repro, type ReproOptions, type ReproResult } from "./repro.js";
import { pipelineStatus } from "./pipelineStatus.js";

let dir: string;
let repo: DataRepo;

// raw.txt (raw.txt.dvc) feeds prep -> train; other.txt (other.txt.dvc) feeds nothing; lone reads nothing.
const PIPELINE = `stages:
  prep:
    cmd: cat raw.txt > prep.txt
    deps: [raw.txt]
    outs: [prep.txt]
  train:
    cmd: cat prep.txt > model.txt
    deps: [prep.txt]
    outs: [model.txt]
  lone:
    cmd: echo lone > lone.txt
    outs: [lone.txt]
`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-data-sources-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  repo = await initDataRepo(dir);
  await writeFile(join(dir, "raw.txt"), "one\n");
  await writeFile(join(dir, "other.txt"), "other\n");
  await addTargets(repo, ["raw.txt", "other.txt"], { cwd: dir });
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
});

afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const run = async (options: ReproOptions = {}): Promise<ReproResult> =>
  repro(repo, { cwd: dir, pipeline: await readPipelines(repo), ...options });

const sources = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(result.dataSources.map((s) => [s.dvcFile.slice(dir.length + 1), s.outcome]));

const outcomes = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(result.stages.map((s) => [s.name, s.outcome]));

describe("planStages with data sources", () => {
  it("plans each .dvc file where dvc's walk meets it: upstream of the first stage that reads it", async () => {
    const pipeline = await readPipelines(repo);
    const plan = (options: ReproOptions): string[] =>
      planStages(pipeline, options).map((p) =>
        p.dataSource === undefined ? p.name : p.name.slice(dir.length + 1),
      );
    // Index order: dvc.yaml's stages, then the .dvc files (files sorted).
    expect(plan({ cwd: dir, targets: ["train"] })).toEqual(["raw.txt.dvc", "prep", "train"]);
    expect(plan({ cwd: dir, targets: ["other.txt.dvc", "lone"] })).toEqual(["lone", "other.txt.dvc"]);
    expect(plan({ cwd: dir, targets: ["train"], singleItem: true })).toEqual(["train"]);
    expect(plan({ cwd: dir, targets: ["other.txt.dvc", "lone"], singleItem: true })).toEqual([
      "other.txt.dvc",
      "lone",
    ]);
    expect(plan({ cwd: dir, targets: ["raw.txt.dvc"], downstream: true })).toEqual([
      "raw.txt.dvc",
      "prep",
      "train",
    ]);
    // No targets: the cwd's dvc.yaml, whose stages read raw.txt only.
    expect(plan({ cwd: dir })).toEqual(["raw.txt.dvc", "prep", "train", "lone"]);
    expect(plan({})).toEqual(["raw.txt.dvc", "prep", "train", "lone", "other.txt.dvc"]);
  });
});

describe("repro of data sources", () => {
  it("records changed data in its .dvc file and the cache before the stages that read it, as dvc repro", async () => {
    expect(sources(await run())).toEqual({ "raw.txt.dvc": "skipped" });
    const before = await readFile(join(dir, "raw.txt.dvc"), "utf8");
    await writeFile(join(dir, "raw.txt"), "two\n");
    const result = await run({ targets: ["train"] });
    expect(sources(result)).toEqual({ "raw.txt.dvc": "verified" });
    expect(result.dataSources[0]!.changes).toEqual([{ path: join(dir, "raw.txt"), status: "modified" }]);
    expect(outcomes(result)).toEqual({ prep: "ran", train: "ran" });
    const after = await readFile(join(dir, "raw.txt.dvc"), "utf8");
    expect(after).not.toBe(before);
    // The new content is in the cache, so the .dvc file and the data agree and nothing is left to do.
    expect(after).toContain("md5: c193497a1a06b2c72230e6146ff47080");
    expect(await repo.cache.has("c193497a1a06b2c72230e6146ff47080")).toBe(true);
    // What dvc would tell the user to `git add`: the rewritten .dvc file and the dvc.lock whose entries changed.
    expect(result.filesToTrack.sort()).toEqual([join(dir, "dvc.lock"), join(dir, "raw.txt.dvc")]);
    const again = await run({ targets: ["train"] });
    expect(sources(again)).toEqual({ "raw.txt.dvc": "skipped" });
    expect(again.filesToTrack).toEqual([]);
    expect((await pipelineStatus(repo, { targets: ["train"], withDeps: true, cwd: dir })).stages).toEqual([]);
  });

  it("with --dry and --no-commit changes nothing, or records without committing", async () => {
    await run();
    await writeFile(join(dir, "raw.txt"), "two\n");
    const before = await readFile(join(dir, "raw.txt.dvc"), "utf8");
    const dry = await run({ dry: true });
    expect(dry.dataSources[0]).toMatchObject({ outcome: "skipped", wouldVerify: true });
    expect(await readFile(join(dir, "raw.txt.dvc"), "utf8")).toBe(before);
    await run({ noCommit: true });
    expect(await readFile(join(dir, "raw.txt.dvc"), "utf8")).toContain("c193497a1a06b2c72230e6146ff47080");
    expect(await repo.cache.has("c193497a1a06b2c72230e6146ff47080")).toBe(false);
  });

  it("fails on missing data with dvc's words and stops the stages, or only those below it with keepGoing", async () => {
    await run();
    await rm(join(dir, "raw.txt"));
    const stopped = await run({ targets: ["train", "lone"], force: true });
    expect(stopped.ok).toBe(false);
    expect(stopped.dataSources[0]!.message).toBe(
      "failed to reproduce 'raw.txt.dvc': missing data 'source': raw.txt",
    );
    // Planned before what reads it, it stops the run there: its readers are below a failure, lone is not run.
    expect(outcomes(stopped)).toEqual({
      prep: "not-run-upstream-failed",
      train: "not-run-upstream-failed",
      lone: "cancelled",
    });
    expect(stopped.stages.find((s) => s.name === "lone")!.message).toBe(
      "not run: stage 'raw.txt.dvc' failed (--keep-going runs the stages that do not depend on it)",
    );
    const going = await run({ targets: ["train", "lone"], force: true, keepGoing: true });
    expect(outcomes(going)).toEqual({
      prep: "not-run-upstream-failed",
      train: "not-run-upstream-failed",
      lone: "ran",
    });
    expect(going.stages.find((s) => s.name === "prep")!.message).toBe("upstream stage 'raw.txt.dvc' failed");
    // --allow-missing does not count data missing from the workspace as a change.
    expect(sources(await run({ targets: ["train"], allowMissing: true }))).toEqual({
      "raw.txt.dvc": "skipped",
    });
  });
});

describe("data sources in a parallel repro", () => {
  it("runs each alone, where the plan puts it, with --jobs", async () => {
    await run();
    await writeFile(join(dir, "other.txt"), "changed\n");
    const events: string[] = [];
    await run({
      targets: ["lone", "other.txt.dvc", "train"],
      jobs: 4,
      force: true,
      onEvent: (event) => {
        if (event.type === "stage-start") events.push(`start ${event.stage}`);
        if (event.type === "stage-end") events.push(`end ${event.result.name}`);
        if (event.type === "data-source") events.push(event.result.dvcFile.slice(dir.length + 1));
      },
    });
    // Plan: raw.txt.dvc, prep, train, lone, other.txt.dvc. Neither source starts beside a stage.
    expect(events.indexOf("raw.txt.dvc")).toBe(0);
    const other = events.indexOf("other.txt.dvc");
    expect(events.slice(other + 1).filter((e) => e.startsWith("start"))).toEqual([]);
    expect(events.slice(0, other)).toEqual(expect.arrayContaining(["end lone", "end train"]));
  });
});

describe("a .dvc file as a repro target", () => {
  it("alone is verified with no stage; --downstream and -p add the stages that read it", async () => {
    await run();
    await writeFile(join(dir, "raw.txt"), "two\n");
    const alone = await run({ targets: ["raw.txt.dvc"], dry: true });
    expect(sources(alone)).toEqual({ "raw.txt.dvc": "skipped" });
    expect(alone.stages).toEqual([]);
    const below = await run({ targets: ["raw.txt.dvc"], downstream: true });
    expect(sources(below)).toEqual({ "raw.txt.dvc": "verified" });
    expect(outcomes(below)).toEqual({ prep: "ran", train: "ran" });
    const whole = await run({ targets: ["raw.txt.dvc"], wholePipeline: true });
    expect(sources(whole)).toEqual({ "raw.txt.dvc": "skipped" });
    expect(outcomes(whole)).toEqual({ prep: "skipped", train: "skipped" });
  });
});

describe("a .dvc file among -s items", () => {
  // dvc 3.67.1 `repro -s -k -f data.txt.dvc b` with data.txt gone still runs b ("failed to reproduce
  // stages: 'data.txt.dvc' and 'b'"): there is no graph between -s items for a failure to skip along.
  it("with keepGoing does not keep a later item that reads it from running when it fails", async () => {
    await run();
    await rm(join(dir, "raw.txt"));
    const result = await run({
      targets: ["raw.txt.dvc", "prep"],
      singleItem: true,
      keepGoing: true,
      force: true,
    });
    expect(sources(result)).toEqual({ "raw.txt.dvc": "failed" });
    // prep is tried, and fails on its own missing dep, as b does in dvc.
    expect(outcomes(result)).toEqual({ prep: "failed" });
  });
});

describe("status --with-deps", () => {
  it("lists the .dvc files upstream of a stage before it, as dvc status -d", async () => {
    await run();
    await writeFile(join(dir, "raw.txt"), "two\n");
    const status = await pipelineStatus(repo, { targets: ["train"], withDeps: true, cwd: dir });
    expect(status.stages.map((entry) => entry.stage)).toEqual(["raw.txt.dvc", "prep"]);
    expect(status.stages[0]!.items).toEqual([{ "changed outs": { "raw.txt": "modified" } }]);
  });
});

describe("imports in a repro", () => {
  // src.txt lives outside the workspace; raw2.txt is its import and feeds `use`.
  const USES_IMPORT = `stages:
  use:
    cmd: cat raw2.txt > used.txt
    deps: [raw2.txt]
    outs: [used.txt]
`;
  let outside: string;

  beforeEach(async () => {
    outside = await mkdtemp(join(tmpdir(), "flowops-import-source-"));
    await writeFile(join(outside, "src.txt"), "v1\n");
    await importUrl(repo, join(outside, "src.txt"), "raw2.txt", { cwd: dir });
    await writeFile(join(dir, "dvc.yaml"), USES_IMPORT);
  });

  afterEach(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  it("leaves a frozen import alone when its source changes, and re-imports it once unfrozen", async () => {
    expect(sources(await run())).toEqual({ "raw2.txt.dvc": "skipped" });
    await writeFile(join(outside, "src.txt"), "v2\n");
    const frozen = await run();
    expect(sources(frozen)).toEqual({ "raw2.txt.dvc": "skipped" });
    expect(outcomes(frozen)).toEqual({ use: "skipped" });

    const dvcFile = join(dir, "raw2.txt.dvc");
    await writeFile(dvcFile, (await readFile(dvcFile, "utf8")).replace("frozen: true\n", ""));
    const dry = await run({ dry: true });
    expect(dry.dataSources[0]).toMatchObject({
      outcome: "skipped",
      wouldVerify: true,
      importing: { source: join(outside, "src.txt"), out: "raw2.txt" },
    });
    expect(await readFile(join(dir, "raw2.txt"), "utf8")).toBe("v1\n");

    // Only the copy missing, with --allow-missing: no change, as in dvc.
    await writeFile(join(outside, "src.txt"), "v1\n");
    await rm(join(dir, "raw2.txt"));
    expect(sources(await run({ allowMissing: true }))).toEqual({ "raw2.txt.dvc": "skipped" });
    await writeFile(join(outside, "src.txt"), "v2\n");

    const result = await run();
    expect(sources(result)).toEqual({ "raw2.txt.dvc": "imported" });
    // The stage sees the new data: what was hashed before the import is not trusted after it.
    expect(outcomes(result)).toEqual({ use: "ran" });
    expect(await readFile(join(dir, "used.txt"), "utf8")).toBe("v2\n");
    expect((await pipelineStatus(repo, { targets: ["raw2.txt.dvc"], cwd: dir })).stages).toEqual([]);
  });

  it("verifies a frozen import's changed out and records it with a new stage md5", async () => {
    await run();
    await writeFile(join(dir, "raw2.txt"), "edited\n", { flag: "w" });
    const result = await run();
    expect(result.dataSources[0]).toMatchObject({ outcome: "verified", frozenImport: true });
    const doc = await readDvcFile(join(dir, "raw2.txt.dvc"), dir);
    expect(doc.outs[0]!.size).toBe(7);
    expect(doc.md5).toBe(singleStageMd5(doc.raw));
    await rm(join(dir, "raw2.txt"));
    const missing = await run();
    expect(missing.dataSources[0]).toMatchObject({
      outcome: "failed",
      frozenImport: true,
      message: "failed to reproduce 'raw2.txt.dvc': missing data 'source': raw2.txt",
    });
  });

  it("verifies a frozen import from another repository, and skips it when unchanged", async () => {
    await writeFile(join(dir, "f.txt.dvc"), repoImportDvcFile(true));
    await writeFile(join(dir, "f.txt"), "hi\n");
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  use:\n    cmd: cat f.txt > g.txt\n    deps: [f.txt]\n    outs: [g.txt]\n",
    );
    // Not in the cache yet: dvc's verification commits it, and the md5 (which covers the outs) stays dvc's.
    expect(sources(await run())).toEqual({ "f.txt.dvc": "verified" });
    expect((await readDvcFile(join(dir, "f.txt.dvc"), dir)).md5).toBe(REPO_IMPORT_MD5);
    expect(sources(await run())).toEqual({ "f.txt.dvc": "skipped" });
  });
});
