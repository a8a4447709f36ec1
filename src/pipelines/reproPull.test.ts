import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "../data/dataRepo.js";
import { push } from "../data/pushPull.js";
import { repro, type ReproResult } from "./repro.js";
import { pullRunCache, reproPull, type ReproPullOptions } from "./reproPull.js";

let root: string;
let dir: string;
let repo: DataRepo | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-repro-pull-"));
  dir = join(root, "project");
  await mkdir(dir);
  execFileSync("git", ["init", "-q"], { cwd: dir });
});

afterEach(async () => {
  if (repo !== undefined) closeDataRepo(repo);
  repo = undefined;
  await rm(root, { recursive: true, force: true });
});

const PIPELINE = `stages:
  prep:
    cmd: cat data.txt > prep.txt && echo prep >> runs.log
    deps:
    - data.txt
    outs:
    - prep.txt
  train:
    cmd: cat prep.txt prep.txt > model.txt && echo train >> runs.log
    deps:
    - prep.txt
    outs:
    - model.txt
`;

/** A repo with a local directory remote, the pipeline above, and `data.txt` as given. */
async function setUp(data: string, options: { trackData: boolean }): Promise<DataRepo> {
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  await writeFile(join(dir, "data.txt"), data);
  closeDataRepo(await initDataRepo(dir));
  await writeFile(
    join(dir, ".dvc", "config"),
    `[core]\n    remote = storage\n['remote "storage"']\n    url = ${join(root, "remote")}\n`,
  );
  repo = await openDataRepo(dir);
  if (options.trackData) {
    const oid = createHash("md5").update(data).digest("hex");
    await repo.cache.addBytes(oid, Buffer.from(data));
    await writeFile(
      join(dir, "data.txt.dvc"),
      `outs:\n- md5: ${oid}\n  size: ${Buffer.byteLength(data)}\n  hash: md5\n  path: data.txt\n`,
    );
  }
  return repo;
}

function opened(): DataRepo {
  if (repo === undefined) throw new Error("setUp first");
  return repo;
}

const read = (path: string): Promise<string> => readFile(join(dir, path), "utf8");

const outcomes = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(result.stages.map((s) => [s.name, `${s.outcome}${s.message ? `:${s.message}` : ""}`]));

/** What the pull reports, in order: each callback's name and what it was given. */
function reportsInto(reports: [string, unknown][]): ReproPullOptions {
  return {
    onMissingObjects: (missing) => reports.push(["missing", missing]),
    onOutsNotPulled: (stage) => reports.push(["not pulled", stage.name]),
    onMissingAgain: (missing) => reports.push(["missing again", missing]),
    onWarning: (message) => reports.push(["warning", message]),
  };
}

async function forgetLocalData(paths: readonly string[]): Promise<void> {
  await rm(join(opened().cacheDir, "files"), { recursive: true, force: true });
  for (const path of paths) await rm(join(dir, path), { force: true });
}

describe("repro with pull", () => {
  it("checks out pushed outputs of unchanged stages instead of running them", async () => {
    await setUp("v1\n", { trackData: true });
    expect(outcomes(await repro(opened()))).toEqual({ prep: "ran", train: "ran" });
    expect((await push(opened())).failed).toEqual([]);
    await forgetLocalData(["data.txt", "prep.txt", "model.txt"]);

    const result = await repro(opened(), { pull: reproPull(opened()) });

    expect(outcomes(result)).toEqual({ prep: "skipped:pulled", train: "skipped:pulled" });
    expect(await read("runs.log")).toBe("prep\ntrain\n");
    expect(await read("data.txt")).toBe("v1\n");
    expect(await read("prep.txt")).toBe("v1\n");
    expect(await read("model.txt")).toBe("v1\nv1\n");
  });

  it("pulls a missing tracked dep before running a stage whose command changed", async () => {
    await setUp("v1\n", { trackData: true });
    await repro(opened());
    await push(opened());
    await forgetLocalData(["data.txt"]);
    await writeFile(join(dir, "dvc.yaml"), PIPELINE.replace("> prep.txt", "> prep.txt && true"));
    const warnings: string[] = [];

    const result = await repro(opened(), {
      pull: reproPull(opened(), { onWarning: (m) => warnings.push(m) }),
    });

    // model.txt is in the workspace but no longer in the cache: it is fetched, as dvc does.
    expect(outcomes(result)).toEqual({ prep: "ran", train: "skipped:pulled" });
    expect(warnings).toEqual([]);
    expect(await read("data.txt")).toBe("v1\n");
    expect(await read("runs.log")).toBe("prep\ntrain\nprep\n");
  });

  it("still runs a stage whose deps changed, and the stages after it", async () => {
    await setUp("v1\n", { trackData: false });
    await repro(opened());
    await push(opened());
    await forgetLocalData(["prep.txt", "model.txt"]);
    await writeFile(join(dir, "data.txt"), "v2\n");

    const result = await repro(opened(), { pull: reproPull(opened(), { runCache: false }), runCache: false });

    expect(outcomes(result)).toEqual({ prep: "ran", train: "ran" });
    expect(await read("runs.log")).toBe("prep\ntrain\nprep\ntrain\n");
    expect(await read("model.txt")).toBe("v2\nv2\n");
  });

  it("without --pull, runs the stages whose outputs are missing", async () => {
    await setUp("v1\n", { trackData: false });
    await repro(opened());
    await push(opened());
    await forgetLocalData(["prep.txt", "model.txt"]);

    expect(outcomes(await repro(opened(), { runCache: false }))).toEqual({ prep: "ran", train: "ran" });
  });

  it("leaves a stage with only missing data alone with --allow-missing, as dvc does", async () => {
    await setUp("v1\n", { trackData: false });
    await repro(opened());
    await push(opened());
    await forgetLocalData(["prep.txt", "model.txt"]);

    const result = await repro(opened(), { pull: reproPull(opened()), allowMissing: true });

    expect(outcomes(result)).toEqual({ prep: "skipped", train: "skipped" });
    expect(existsSync(join(dir, "prep.txt"))).toBe(false);
  });

  it("restores a changed stage from a pulled run-cache entry whose outputs are fetched", async () => {
    await setUp("v1\n", { trackData: false });
    await repro(opened());
    await push(opened());
    // `dvc push --run-cache` leaves the entries under the remote's runs/.
    await cp(join(opened().cacheDir, "runs"), join(root, "remote", "runs"), { recursive: true });
    await writeFile(join(dir, "data.txt"), "v2\n");
    await repro(opened());
    await rm(opened().cacheDir, { recursive: true, force: true });
    await forgetLocalData(["prep.txt", "model.txt"]);
    await writeFile(join(dir, "data.txt"), "v1\n");

    expect(await pullRunCache(opened())).toBe(2);
    const result = await repro(opened(), { pull: reproPull(opened()) });

    expect(outcomes(result)).toEqual({ prep: "restored", train: "restored" });
    expect(await read("runs.log")).toBe("prep\ntrain\nprep\ntrain\n");
    expect(await read("model.txt")).toBe("v1\nv1\n");
  });

  // Regression: a failed download used to be followed by a checkout of what did arrive, then a run.
  it("fails a stage whose pull failed to download, before any checkout or run, as dvc's DownloadError", async () => {
    await setUp("v1\n", { trackData: false });
    const dirPipeline = "stages:\n  prep:\n    cmd: mkdir -p out && cp data.txt out/a && echo b > out/b\n";
    await writeFile(join(dir, "dvc.yaml"), `${dirPipeline}    deps:\n    - data.txt\n    outs:\n    - out\n`);
    await repro(opened());
    await push(opened());
    const b = createHash("md5").update("b\n").digest("hex");
    await rm(join(root, "remote", "files", "md5", b.slice(0, 2), b.slice(2)));
    await rm(join(opened().cacheDir, "runs"), { recursive: true, force: true });
    await forgetLocalData([]);
    await rm(join(dir, "out"), { recursive: true, force: true });
    const errors: string[] = [];

    const result = await repro(opened(), {
      pull: reproPull(opened(), { onTransferError: (line) => errors.push(line) }),
    });

    // The manifest fails with its file: "2 files", as dvc-data counts them.
    expect(outcomes(result)).toEqual({
      prep: "failed:failed to reproduce 'prep': 2 files failed to download",
    });
    expect(errors).toEqual([
      `ERROR: failed to transfer '${b}' - [Errno 2] No such file or directory: '${join(root, "remote", "files", "md5", b.slice(0, 2), b.slice(2))}'`,
    ]);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
  // Regression: the out's object missing everywhere was only a FlowOps warning, without dvc's two warnings.
  it("reports outs missing everywhere as dvc's pull and its restore from dvc.lock find them, then runs", async () => {
    await setUp("v1\n", { trackData: false });
    await writeFile(join(dir, "dvc.yaml"), PIPELINE.slice(0, PIPELINE.indexOf("  train:")));
    await repro(opened());
    await rm(opened().cacheDir, { recursive: true, force: true });
    await forgetLocalData(["prep.txt"]);
    const reports: [string, unknown][] = [];

    const result = await repro(opened(), { pull: reproPull(opened(), reportsInto(reports)) });

    const oid = createHash("md5").update("v1\n").digest("hex");
    const item = { oid, path: "prep.txt", reason: expect.any(String) as string, missing: true };
    expect(reports).toEqual([
      ["missing", [expect.objectContaining(item)]],
      ["not pulled", "prep"],
      ["missing again", [expect.objectContaining({ ...item, name: "prep.txt" })]],
    ]);
    expect(outcomes(result)).toEqual({ prep: "ran" });
    expect(await read("runs.log")).toBe("prep\nprep\n");
  });

  // Regression: a `.dvc` file missing its data was skipped as unchanged, and the stage reading it failed.
  it("pulls a .dvc file's missing data as its own stage, and verifies (fails) it when missing everywhere", async () => {
    await setUp("v1\n", { trackData: true });
    await repro(opened());
    await rm(opened().cacheDir, { recursive: true, force: true });
    await forgetLocalData(["data.txt", "prep.txt"]);
    const reports: [string, unknown][] = [];

    const result = await repro(opened(), { pull: reproPull(opened(), reportsInto(reports)) });

    const oid = createHash("md5").update("v1\n").digest("hex");
    expect(reports).toEqual([
      ["missing", [expect.objectContaining({ oid, path: "data.txt", missing: true })]],
      ["not pulled", "data.txt.dvc"],
    ]);
    expect(result.dataSources).toEqual([
      expect.objectContaining({
        outcome: "failed",
        verifying: true,
        message: "failed to reproduce 'data.txt.dvc': missing data 'source': data.txt",
      }),
    ]);
    expect(result.ok).toBe(false);
    expect(outcomes(result)).toEqual({
      prep: "not-run-upstream-failed:upstream stage 'data.txt.dvc' failed",
      train: "not-run-upstream-failed:upstream stage 'data.txt.dvc' failed",
    });
    expect(await read("runs.log")).toBe("prep\ntrain\n");
  });

  it("checks out a .dvc file's data from the remote as its own stage, which then did not change", async () => {
    await setUp("v1\n", { trackData: true });
    await repro(opened());
    expect((await push(opened())).failed).toEqual([]);
    await forgetLocalData(["data.txt"]);

    const result = await repro(opened(), { pull: reproPull(opened()) });

    expect(result.dataSources).toEqual([expect.objectContaining({ outcome: "skipped", pulled: true })]);
    expect(await read("data.txt")).toBe("v1\n");
    // prep.txt holds the same bytes, so its object came with data.txt's.
    expect(outcomes(result)).toEqual({ prep: "skipped", train: "skipped:pulled" });
    expect(await read("runs.log")).toBe("prep\ntrain\n");
  });

  it("names a directory whose manifest is missing everywhere None, alone, as dvc's get_dir_cache", async () => {
    await setUp("v1\n", { trackData: false });
    const outs = "    outs:\n    - z.txt\n    - out\n";
    const cmd = "mkdir -p out && cp data.txt out/a && cp data.txt z.txt";
    await writeFile(
      join(dir, "dvc.yaml"),
      `stages:\n  prep:\n    cmd: ${cmd}\n    deps:\n    - data.txt\n${outs}`,
    );
    await repro(opened());
    await rm(opened().cacheDir, { recursive: true, force: true });
    await forgetLocalData(["z.txt"]);
    await rm(join(dir, "out"), { recursive: true, force: true });
    const reports: [string, unknown][] = [];

    await repro(opened(), { pull: reproPull(opened(), reportsInto(reports)) });

    const paths = (items: unknown): string[] => (items as { path: string }[]).map((item) => item.path).sort();
    expect(reports.map(([kind, items]) => (kind === "missing" ? paths(items) : kind))).toEqual([
      ["out", "z.txt"],
      "not pulled",
      "missing again",
    ]);
    const again = reports.find(([kind]) => kind === "missing again")?.[1] as {
      name?: string;
      path: string;
    }[];
    expect(again.map(({ name, path }) => [name, path])).toEqual([[undefined, "out"]]);
  });
});
