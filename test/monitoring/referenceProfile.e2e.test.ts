/**
 * The training data's reference profile travels with the run and lands with the model version: `flowops data
 * log` (run in-process) uploads the profile of a logged CSV, a version registered from that run over the REST
 * API (MLflow's wire, as the official client sends it, and FlowOps' client) gets it, and the monitoring API
 * serves it.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from "vitest";
import { dataLogCommand } from "../../src/cli/dataLog.js";
import { FlowOpsClient } from "../../src/client/index.js";
import { addTargets } from "../../src/data/addTargets.js";
import { closeDataRepo, initDataRepo, withDataRepo } from "../../src/data/dataRepo.js";
import type { ReferenceProfile } from "../../src/monitoring/drift/referenceProfile.js";
import { repro } from "../../src/pipelines/repro.js";
import { reproTrackingFor } from "../../src/pipelines/reproTracking.js";
import { startTestServer, type TestServer } from "../support/testServer.js";

let server: TestServer;
let client: FlowOpsClient;
let experimentId: string;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
  experimentId = await client.experiments.create("reference-profiles");
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-reference-profile-"));
  closeDataRepo(await initDataRepo(dir, { noScm: true }));
  await mkdir(join(dir, "data", "images"), { recursive: true });
  await writeFile(join(dir, "data", "images", "a.png"), "png");
  const rows = ["age,plan,churned"];
  for (let i = 0; i < 40; i++)
    rows.push(`${18 + (i % 30)},${i % 4 === 0 ? "pro" : "free"},${i % 3 === 0 ? 1 : 0}`);
  await writeFile(join(dir, "data", "train.csv"), `${rows.join("\n")}\n`);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `flowops data log <args>` in the repository, in this process; output captured. */
async function dataLog(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const previous = process.cwd();
  process.chdir(dir);
  try {
    await dataLogCommand()
      .exitOverride()
      .parseAsync([...args, "--tracking-uri", server.url], { from: "user" });
    return { stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    process.chdir(previous);
    out.mockRestore();
    err.mockRestore();
  }
}

/** The fields of the REST answers this test reads. */
interface RestAnswer {
  model_version: { version: string };
  profile: ReferenceProfile;
}

async function rest(
  method: string,
  path: string,
  body?: object,
): Promise<{ status: number; json: RestAnswer }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as RestAnswer };
}

/** Registers a version from the run as the official MLflow client does (POST model-versions/create). */
async function registerWithMlflowWire(name: string, runId: string): Promise<string> {
  await rest("POST", "/api/2.0/mlflow/registered-models/create", { name });
  const created = await rest("POST", "/api/2.0/mlflow/model-versions/create", {
    name,
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
  expect(created.status).toBe(200);
  return created.json.model_version.version;
}

async function storedProfile(name: string, version: string): Promise<{ status: number; json: RestAnswer }> {
  return rest("GET", `/api/v1/monitoring/profiles?model_name=${name}&version=${version}`);
}

const newRun = async (): Promise<string> => (await client.runs.create({ experimentId })).info.run_id;

describe("reference profiles registered with model versions", () => {
  it("serves the profile of the CSV logged as the run's training input for a version registered over REST", async () => {
    const runId = await newRun();
    const logged = await dataLog(["data/train.csv", "--run", runId, "--context", "training"]);
    expect(logged.stdout).toMatch(/Uploaded its profile as flowops\/profiles\/data_train\.csv\.json/);
    await dataLog(["data/images", "--run", runId, "--context", "evaluation"]);

    const version = await registerWithMlflowWire("churn-e2e", runId);
    const { status, json } = await storedProfile("churn-e2e", version);
    expect(status).toBe(200);
    const profile = json.profile;
    expect(profile.rows).toBe(40);
    expect(profile.columns.map((c) => [c.name, c.kind])).toEqual([
      ["age", "numerical"],
      ["plan", "categorical"],
      ["churned", "numerical"],
    ]);
    const plan = profile.columns[1]!;
    expect(plan.kind === "categorical" && plan.frequencies).toEqual([
      ["free", 30],
      ["pro", 10],
    ]);

    // FlowOps' own client registers through the same route and gets the profile too.
    const second = await client.registry.createModelVersion("churn-e2e", `runs:/${runId}/model`, { runId });
    expect((await storedProfile("churn-e2e", second.version)).json.profile).toEqual(profile);
  });

  it("uploads no profile with --no-profile, so the version has none", async () => {
    const runId = await newRun();
    const logged = await dataLog(["data/train.csv", "--run", runId, "--no-profile", "--json"]);
    expect(JSON.parse(logged.stdout)).not.toHaveProperty("profile_artifact");
    expect(await client.artifacts.listArtifacts({ runId }, "flowops/profiles")).toEqual([]);
    const version = await registerWithMlflowWire("churn-no-profile", runId);
    expect((await storedProfile("churn-no-profile", version)).status).toBe(404);
  });

  it("skips a directory silently, with a note only in verbose output", async () => {
    const runId = await newRun();
    const quiet = await dataLog(["data/images", "--run", runId]);
    expect(quiet.stderr).toBe("");
    const verbose = await dataLog(["data/images", "--run", runId, "--verbose"]);
    expect(verbose.stderr).toMatch(/No profile uploaded: .*images is a directory/);
    expect(await client.artifacts.listArtifacts({ runId }, "flowops/profiles")).toEqual([]);
  });

  it("stores the profile logged by training code with its predictions column", async () => {
    const runId = await newRun();
    const predictions = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 0.9 : 0.1));
    const { artifactPath } = await client.monitoring.logTrainingProfile(
      runId,
      join(dir, "data", "train.csv"),
      {
        columns: ["age", "plan"],
        predictions,
      },
    );
    expect(artifactPath).toBe("flowops/profiles/train.csv.json");
    const version = await registerWithMlflowWire("churn-training-code", runId);
    const profile = (await storedProfile("churn-training-code", version)).json.profile;
    expect(profile.columns.map((c) => c.name)).toEqual(["age", "plan", "prediction"]);
  });

  it("stores the profile a pipeline stage's run got for its tracked CSV dependency", async () => {
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  train:\n    cmd: echo model > model.bin\n    deps: [data/train.csv]\n    outs: [model.bin]\n",
    );
    const tracking = reproTrackingFor(dir, {
      trackingUri: server.url,
      experiment: "profiled-pipeline",
      env: {},
    });
    const result = await withDataRepo(dir, async (repo) => {
      await addTargets(repo, ["data/train.csv"], { cwd: dir });
      return repro(repo, { ...(tracking === undefined ? {} : { tracking }) });
    });
    expect(result.ok).toBe(true);
    const experiment = await client.experiments.getByName("profiled-pipeline");
    const runs = (await client.runs.search({ experimentIds: [experiment!.experiment_id] })).items;
    const train = runs.find((run) => run.info.run_name === "train")!;
    const files = await client.artifacts.listArtifacts({ runId: train.info.run_id }, "flowops/profiles");
    expect(files.map((file) => file.path)).toEqual(["flowops/profiles/data_train.csv.json"]);

    const version = await registerWithMlflowWire("churn-pipeline", train.info.run_id);
    const profile = (await storedProfile("churn-pipeline", version)).json.profile;
    expect(profile.rows).toBe(40);
  });
});
