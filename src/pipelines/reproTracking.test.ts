import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { FlowOpsClient, type Run } from "../client/index.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { repro } from "./repro.js";
import { CACHED_TAG, PARENT_RUN_TAG, reproTrackingFor } from "./reproTracking.js";

let server: TestServer;
let client: FlowOpsClient;
let dir: string;
let repo: DataRepo;

beforeAll(async () => {
  server = await startTestServer();
  client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
});
afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-repro-tracking-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await mkdir(join(dir, "raw"));
  await writeFile(join(dir, "raw", "a.csv"), "x\n1\n");
  await writeFile(join(dir, "params.yaml"), "lr: 0.5\ntrain:\n  epochs: 3\n");
  await writeFile(
    join(dir, "train.sh"),
    `echo training\necho '{"acc": 0.75, "loss": {"final": 0.25}}' > metrics.json\necho m > model.bin\n`,
  );
  await writeFile(
    join(dir, "dvc.yaml"),
    `stages:
  prepare:
    cmd: mkdir -p clean && cp raw/a.csv clean/a.csv
    deps: [raw]
    outs: [clean]
  train:
    cmd: sh train.sh
    deps: [clean, train.sh]
    params: [lr, train.epochs]
    outs: [model.bin]
    metrics:
    - metrics.json:
        cache: false
`,
  );
  repo = await initDataRepo(dir);
});
afterEach(async () => {
  closeDataRepo(repo);
  await rm(dir, { recursive: true, force: true });
});

const tagOf = (run: Run, key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;

async function runsOf(experimentName: string): Promise<Run[]> {
  const experiment = await client.experiments.getByName(experimentName);
  return (await client.runs.search({ experimentIds: [experiment!.experiment_id], maxResults: 100 })).items;
}

describe("repro tracking", () => {
  it("records a parent run and one nested run per stage with params, metrics, log and dataset inputs", async () => {
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-a", env: {} });
    const result = await repro(repo, { ...(tracking ? { tracking } : {}) });
    expect(result.ok).toBe(true);

    const runs = await runsOf("pipeline-a");
    const parent = runs.find((r) => tagOf(r, PARENT_RUN_TAG) === undefined)!;
    expect(parent.info.status).toBe("FINISHED");
    expect(tagOf(parent, "flowops.repro.id")).toBe(result.runId);
    const train = runs.find((r) => r.info.run_name === "train")!;
    expect(tagOf(train, PARENT_RUN_TAG)).toBe(parent.info.run_id);
    expect(tagOf(train, CACHED_TAG)).toBe("false");
    expect(tagOf(train, "flowops.stage.exit_code")).toBe("0");
    expect(train.info.status).toBe("FINISHED");
    expect(Object.fromEntries(train.data.params.map((p) => [p.key, p.value]))).toEqual({
      lr: "0.5",
      "train.epochs": "3",
    });
    const metrics = Object.fromEntries(train.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics).toMatchObject({ acc: 0.75, "loss.final": 0.25 });
    expect(metrics["flowops.stage.duration_s"]).toBeGreaterThanOrEqual(0);

    // The DVC-produced directory is a dataset input; the script train.sh (tracked by Git) is not.
    const full = await client.runs.get(train.info.run_id);
    const datasets = full.inputs.dataset_inputs.map((d) => d.dataset);
    const clean = result.stages.find((s) => s.name === "prepare")?.lock?.outs[0]?.md5;
    expect(datasets).toEqual([expect.objectContaining({ name: "clean", digest: clean, source_type: "dvc" })]);
    const logs = await client.artifacts.listArtifacts({ runId: train.info.run_id }, "logs");
    expect(logs.map((f) => f.path)).toEqual(["logs/train.log"]);
  });

  it("records stages that did not run as nested runs tagged cached", async () => {
    await repro(repo);
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-b", env: {} });
    await repro(repo, { ...(tracking ? { tracking } : {}) });
    const nested = (await runsOf("pipeline-b")).filter((r) => tagOf(r, PARENT_RUN_TAG) !== undefined);
    expect(
      nested.map((r) => [r.info.run_name, tagOf(r, CACHED_TAG), tagOf(r, "flowops.stage.outcome")]).sort(),
    ).toEqual([
      ["prepare", "true", "skipped"],
      ["train", "true", "skipped"],
    ]);
  });

  it("marks the parent run failed and the failing stage's run FAILED", async () => {
    await writeFile(join(dir, "train.sh"), "echo broken >&2; exit 2\n");
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-c", env: {} });
    const result = await repro(repo, { ...(tracking ? { tracking } : {}) });
    expect(result.ok).toBe(false);
    const runs = await runsOf("pipeline-c");
    expect(runs.find((r) => r.info.run_name === "train")?.info.status).toBe("FAILED");
    expect(runs.find((r) => tagOf(r, PARENT_RUN_TAG) === undefined)?.info.status).toBe("FAILED");
  });

  // Regression: a failed stage's run took its params and dataset digests from the previous run's dvc.lock entry.
  it("records the params and dep digests a failed attempt ran with, not the previous run's", async () => {
    expect((await repro(repo)).ok).toBe(true);
    await writeFile(join(dir, "params.yaml"), "lr: 0.7\ntrain:\n  epochs: 4\n");
    await writeFile(join(dir, "raw", "a.csv"), "x\n1\n2\n");
    await writeFile(join(dir, "train.sh"), "echo broken >&2; exit 2\n");
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-e", env: {} });
    const result = await repro(repo, { ...(tracking ? { tracking } : {}) });
    expect(result.stages.map((s) => [s.name, s.outcome])).toEqual([
      ["prepare", "ran"],
      ["train", "failed"],
    ]);

    const train = (await runsOf("pipeline-e")).find((r) => r.info.run_name === "train")!;
    expect(train.info.status).toBe("FAILED");
    expect(Object.fromEntries(train.data.params.map((p) => [p.key, p.value]))).toEqual({
      lr: "0.7",
      "train.epochs": "4",
    });
    const clean = result.stages.find((s) => s.name === "prepare")?.lock?.outs[0]?.md5;
    const datasets = (await client.runs.get(train.info.run_id)).inputs.dataset_inputs.map((d) => d.dataset);
    expect(datasets).toEqual([expect.objectContaining({ name: "clean", digest: clean })]);
  });

  it("records the params and dep digests of a stage that fails before it ever had a dvc.lock entry", async () => {
    await writeFile(join(dir, "train.sh"), "echo broken >&2; exit 2\n");
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-f", env: {} });
    const result = await repro(repo, { ...(tracking ? { tracking } : {}) });
    expect(result.stages.find((s) => s.name === "train")?.outcome).toBe("failed");

    const train = (await runsOf("pipeline-f")).find((r) => r.info.run_name === "train")!;
    expect(Object.fromEntries(train.data.params.map((p) => [p.key, p.value]))).toEqual({
      lr: "0.5",
      "train.epochs": "3",
    });
    const clean = result.stages.find((s) => s.name === "prepare")?.lock?.outs[0]?.md5;
    const datasets = (await client.runs.get(train.info.run_id)).inputs.dataset_inputs.map((d) => d.dataset);
    expect(datasets).toEqual([expect.objectContaining({ name: "clean", digest: clean })]);
  });

  it("records no params or inputs for a stage whose attempt could not read its deps", async () => {
    expect((await repro(repo)).ok).toBe(true);
    await writeFile(join(dir, "params.yaml"), "lr: 0.7\ntrain:\n  epochs: 4\n");
    await rm(join(dir, "train.sh"));
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-g", env: {} });
    const result = await repro(repo, { ...(tracking ? { tracking } : {}) });
    expect(result.stages.find((s) => s.name === "train")?.message).toMatch(
      /No such file or directory: '.*train\.sh'$/,
    );

    const train = (await runsOf("pipeline-g")).find((r) => r.info.run_name === "train")!;
    expect(train.info.status).toBe("FAILED");
    expect(train.data.params).toEqual([]);
    expect((await client.runs.get(train.info.run_id)).inputs.dataset_inputs).toEqual([]);
  });

  it("points each executed stage's command at its own run so the command can log into it", async () => {
    await writeFile(
      join(dir, "train.sh"),
      `echo "$MLFLOW_RUN_ID $MLFLOW_TRACKING_URI" > seen.txt\necho '{"acc": 1}' > metrics.json\necho m > model.bin\n`,
    );
    const tracking = reproTrackingFor(dir, { trackingUri: server.url, experiment: "pipeline-d", env: {} });
    await repro(repo, { ...(tracking ? { tracking } : {}) });
    const train = (await runsOf("pipeline-d")).find((r) => r.info.run_name === "train")!;
    const seen = (await readFile(join(dir, "seen.txt"), "utf8")).trim();
    expect(seen).toBe(`${train.info.run_id} ${server.url}`);
    expect(tagOf(train, "flowops.stage.outcome")).toBe("ran");
  });

  it("is off without a tracking URI", () => {
    expect(reproTrackingFor(dir, { env: {} })).toBeUndefined();
    expect(reproTrackingFor(dir, { env: { MLFLOW_TRACKING_URI: server.url } })).toBeDefined();
  });
});
