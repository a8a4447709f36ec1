import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsClient } from "../../client/index.js";
import type { GateRecord } from "../../quality/gates/gateRecords.js";
import type { GateResult } from "../../quality/gates/gateResult.js";
import type { ServerConfig } from "../context.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

interface WireBody {
  error_code?: string;
  message?: string;
  gate?: GateResult;
  record_id?: string;
  warnings?: string[];
  records?: GateRecord[];
  experiment_id?: string;
  run?: { info: { run_id: string; artifact_uri: string } };
  model_version?: { version: string; current_stage: string; tags?: { key: string; value: string }[] };
}

const POLICY = `name: prod-gate
conditions:
  - accuracy >= 0.9
  - expectations: all pass
`;

/** One server and its own little world: an experiment, helpers to make runs and model versions. */
class GateWorld {
  private experimentId = "";
  constructor(readonly server: TestServer) {}

  static async start(config: Partial<ServerConfig> = {}): Promise<GateWorld> {
    const world = new GateWorld(await startTestServer({ config }));
    const created = await world.mlflow("POST", "experiments/create", { name: "gates" });
    world.experimentId = created.json.experiment_id ?? "";
    await world.mlflow("POST", "registered-models/create", { name: "churn" });
    return world;
  }

  async request(method: string, path: string, body?: object): Promise<{ status: number; json: WireBody }> {
    const url = `${this.server.url}${path}`;
    const response =
      method === "GET"
        ? await fetch(body ? `${url}?${new URLSearchParams(body as Record<string, string>).toString()}` : url)
        : await fetch(url, {
            method,
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body ?? {}),
          });
    return { status: response.status, json: (await response.json()) as WireBody };
  }

  mlflow(method: string, path: string, body?: object) {
    return this.request(method, `/api/2.0/mlflow/${path}`, body);
  }

  async run(metrics: Record<string, number>, experimentId = this.experimentId) {
    const created = await this.mlflow("POST", "runs/create", { experiment_id: experimentId });
    const info = created.json.run?.info;
    if (info === undefined) throw new Error(`runs/create failed: ${JSON.stringify(created.json)}`);
    const timestamp = Date.now();
    const logged = await this.mlflow("POST", "runs/log-batch", {
      run_id: info.run_id,
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
    });
    expect(logged.status).toBe(200);
    return info;
  }

  async version(runId: string): Promise<string> {
    const created = await this.mlflow("POST", "model-versions/create", {
      name: "churn",
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
    return created.json.model_version?.version ?? "";
  }

  gate(fields: object, policy = POLICY) {
    return this.request("POST", "/api/v1/gates/evaluate", {
      policy_yaml: policy,
      policy_file: "gates.yaml",
      ...fields,
    });
  }

  setAlias(alias: string, version: string) {
    return this.mlflow("POST", "registered-models/alias", { name: "churn", alias, version });
  }

  transition(version: string, stage: string, archive = false) {
    return this.mlflow("POST", "model-versions/transition-stage", {
      name: "churn",
      version,
      stage,
      archive_existing_versions: archive,
    });
  }
}

const GOOD = { accuracy: 0.95, validation_unsuccessful_expectations: 0 };
const BAD = { accuracy: 0.5, validation_unsuccessful_expectations: 0 };

describe("quality gate routes and promotion guard", () => {
  let world: GateWorld;
  beforeAll(async () => {
    world = await GateWorld.start();
  });
  afterAll(async () => world.server.close());

  it("evaluates a policy for a run and stores Markdown and HTML reports with the run's artifacts", async () => {
    const run = await world.run(GOOD);
    const { status, json } = await world.gate({ run_id: run.run_id });
    expect(status).toBe(200);
    expect(json.gate).toMatchObject({
      passed: true,
      run_id: run.run_id,
      policy_name: "prod-gate",
      policy_file: "gates.yaml",
    });
    expect(json.record_id).toBeUndefined();
    expect(json.warnings).toBeUndefined();
    const listed = await world.mlflow("GET", "artifacts/list", { run_id: run.run_id, path: "gate" });
    expect(JSON.stringify(listed.json)).toContain("gate/report.html");
    const dir = join(world.server.artifactsDir, run.artifact_uri.replace(/^mlflow-artifacts:\//, ""));
    expect(await readFile(join(dir, "gate/report.md"), "utf8")).toContain(
      "| `accuracy >= 0.9` | pass | 0.95 | 0.9 |",
    );
    expect(await readFile(join(dir, "gate/report.html"), "utf8")).toContain("<!doctype html>");
  });

  it("answers a policy it cannot read with 400 naming the file and line", async () => {
    const run = await world.run(GOOD);
    const { status, json } = await world.gate(
      { run_id: run.run_id },
      "name: g\nconditions:\n  - accuracy >> 1\n",
    );
    expect(status).toBe(400);
    expect(json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(json.message).toMatch(/^gates\.yaml line 3: condition 'accuracy >> 1'/);
  });

  it("refuses the production alias and stage with 403 until the version has a passing gate record", async () => {
    const run = await world.run(GOOD);
    const version = await world.version(run.run_id);

    const alias = await world.setAlias("production", version);
    expect(alias.status).toBe(403);
    expect(alias.json).toEqual({
      error_code: "PERMISSION_DENIED",
      sqlstate: "KAM00",
      error_class: "PERMISSION_DENIED",
      message:
        `Model version churn/${version} has no passing quality gate record: run ` +
        `\`flowops gate --policy <gates.yaml> --run <run_id> --model churn --version ${version}\` before setting alias 'production'.`,
    });
    const stage = await world.transition(version, "production", true);
    expect(stage.status).toBe(403);
    expect(stage.json.message).toMatch(/before transitioning to stage 'Production'\.$/);

    const gated = await world.gate({ run_id: run.run_id, model_name: "churn", version });
    expect(gated.json.gate?.passed).toBe(true);
    expect(gated.json.record_id).toMatch(/^\d+$/);
    expect((await world.setAlias("production", version)).status).toBe(200);
    const moved = await world.transition(version, "Production", true);
    expect(moved.status).toBe(200);
    expect(moved.json.model_version?.current_stage).toBe("Production");
  });

  it("blocks again when a later gate for the version fails, and says which conditions failed", async () => {
    const run = await world.run(GOOD);
    const version = await world.version(run.run_id);
    await world.gate({ run_id: run.run_id, model_name: "churn", version });
    const strict = "name: prod-gate\nconditions:\n  - accuracy >= 0.99\n";
    const failed = await world.gate({ model_name: "churn", version }, strict);
    expect(failed.json.gate?.passed).toBe(false);
    const refused = await world.setAlias("production", version);
    expect(refused.status).toBe(403);
    expect(refused.json.message).toMatch(
      /\(the latest, policy 'prod-gate' at .+, failed: accuracy >= 0\.99\)/,
    );

    const records = await world.request("GET", "/api/v1/gates/records", { model_name: "churn", version });
    expect(records.json.records?.map((r) => [r.passed, r.run_id])).toEqual([
      [false, run.run_id],
      [true, run.run_id],
    ]);
  });

  // Regression: a good run's pass was recorded on a version registered from a failing run.
  it("refuses with 400 a gate for a version that names another run than the version's", async () => {
    const good = await world.run(GOOD);
    const bad = await world.run(BAD);
    const version = await world.version(bad.run_id);
    const gated = await world.gate({ run_id: good.run_id, model_name: "churn", version });
    expect(gated.status).toBe(400);
    expect(gated.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(gated.json.message).toContain(
      `Run ${good.run_id} is not the run of model version churn/${version}, which was registered from run ${bad.run_id}`,
    );
    expect((await world.setAlias("production", version)).status).toBe(403);

    const own = await world.gate({ model_name: "churn", version });
    expect(own.status).toBe(200);
    expect(own.json.gate).toMatchObject({ run_id: bad.run_id, passed: false });
    expect((await world.setAlias("production", version)).status).toBe(403);
  });

  it("does not trust a passing record that judged another run than the version's", async () => {
    const good = await world.run(GOOD);
    const bad = await world.run(BAD);
    const version = await world.version(bad.run_id);
    // Such records were written before gates were tied to the version's run.
    await world.server.ctx.meta.db
      .insertInto("gate_records")
      .values({
        model_name: "churn",
        version: Number(version),
        run_id: good.run_id,
        policy_name: "prod-gate",
        policy_digest: "0".repeat(64),
        passed: 1,
        report_json: JSON.stringify({ conditions: [] }),
        created_at: Date.now(),
      })
      .execute();
    const refused = await world.setAlias("production", version);
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain(
      `latest passing quality gate record judged run ${good.run_id}, not the version's own run ${bad.run_id}`,
    );
  });

  it("lets a version without a gate record take unprotected aliases and stages", async () => {
    const run = await world.run(BAD);
    const version = await world.version(run.run_id);
    expect((await world.setAlias("challenger", version)).status).toBe(200);
    expect((await world.transition(version, "Staging")).status).toBe(200);
  });

  it("refuses to set, delete or create flowops.gate.* tags through the MLflow tag API", async () => {
    const run = await world.run(GOOD);
    const version = await world.version(run.run_id);
    const set = await world.mlflow("POST", "model-versions/set-tag", {
      name: "churn",
      version,
      key: "flowops.gate.status",
      value: "passed",
    });
    expect(set.status).toBe(400);
    expect(set.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(set.json.message).toMatch(/^Model version tag 'flowops.gate.status' is reserved/);
    const del = await world.mlflow("DELETE", "model-versions/delete-tag", {
      name: "churn",
      version,
      key: "flowops.gate.at",
    });
    expect(del.status).toBe(400);
    const created = await world.mlflow("POST", "model-versions/create", {
      name: "churn",
      source: `runs:/${run.run_id}/model`,
      run_id: run.run_id,
      tags: [{ key: "flowops.gate.status", value: "passed" }],
    });
    expect(created.status).toBe(400);
    expect(created.json.message).toMatch(/^Model version tag 'flowops.gate.status' is reserved/);
    expect(
      (
        await world.mlflow("POST", "model-versions/set-tag", {
          name: "churn",
          version,
          key: "owner",
          value: "me",
        })
      ).status,
    ).toBe(200);
  });

  it("records the gate and warns when the run's artifact location cannot be written", async () => {
    const blocker = join(world.server.artifactsDir, "a-file");
    await writeFile(blocker, "not a directory");
    const experiment = await world.mlflow("POST", "experiments/create", {
      name: "unwritable",
      artifact_location: join(blocker, "below"),
    });
    const run = await world.run(GOOD, experiment.json.experiment_id);
    const version = await world.version(run.run_id);
    const { status, json } = await world.gate({ run_id: run.run_id, model_name: "churn", version });
    expect(status).toBe(200);
    expect(json.gate?.passed).toBe(true);
    expect(json.warnings?.[0]).toMatch(
      /^The gate was recorded, but its reports could not be written to the run's artifact location/,
    );
    expect((await world.setAlias("production", version)).status).toBe(200);
  });

  it("serves evaluation and records to the TypeScript client", async () => {
    const client = new FlowOpsClient({ trackingUri: world.server.url, retries: 0 });
    const run = await world.run(GOOD);
    const version = await world.version(run.run_id);
    const evaluated = await client.gates.evaluate({
      policyYaml: POLICY,
      runId: run.run_id,
      modelName: "churn",
      version,
    });
    expect(evaluated.gate.passed).toBe(true);
    expect(evaluated.warnings).toEqual([]);
    const records = await client.gates.records({ modelName: "churn", version });
    expect(records).toHaveLength(1);
    expect(records[0]?.id).toBe(evaluated.recordId);
    await expect(client.registry.setAlias("churn", "production", version)).resolves.toBeUndefined();
  });
});

describe("configurable promotion protection", () => {
  let world: GateWorld;
  beforeAll(async () => {
    world = await GateWorld.start({ protectedAliases: ["gold"], protectedStages: [] });
  });
  afterAll(async () => world.server.close());

  it("guards only the configured aliases and stages", async () => {
    const run = await world.run(BAD);
    const version = await world.version(run.run_id);
    expect((await world.setAlias("production", version)).status).toBe(200);
    expect((await world.transition(version, "Production")).status).toBe(200);
    const gold = await world.setAlias("GOLD", version);
    expect(gold.status).toBe(403);
    expect(gold.json.message).toMatch(/before setting alias 'GOLD'\.$/);
  });
});
