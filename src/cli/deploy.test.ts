import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sqliteBackend } from "../../test/support/backends.js";
import type { DeliveryController, DeploymentStatus } from "../delivery/deployments/deliveryController.js";
import { FlowOpsError } from "../errors.js";
import { buildServer } from "../server/app.js";
import { statusOf } from "../server/routes/deploymentsFixtures.js";
import { deployCommand } from "./deploy.js";
import { quietCommandOutput, ROLLOUT_YAML, run, TEMPLATE_YAML } from "./deployFixtures.js";
import { formatDeploymentStatus, rolloutCommand } from "./rollout.js";

quietCommandOutput();

describe("flowops deploy and rollout against a server", () => {
  const endpoints = new Map<string, DeploymentStatus>();
  const calls: string[] = [];
  let statusSequence: DeploymentStatus[] = [];
  let app: FastifyInstance;
  let url: string;
  let closeDb: () => Promise<void>;
  let dir: string;

  const missing = (name: string) =>
    new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `Deployment '${name}' does not exist.`);
  const delivery = {
    async create(input: { name: string; modelUri: string; specFile?: string; templates?: unknown[] }) {
      calls.push(
        `create ${input.name} ${input.modelUri} ${input.specFile ?? "-"} ${input.templates?.length ?? 0}`,
      );
      const status = statusOf(input.name, { stable: input.modelUri });
      endpoints.set(input.name, status);
      return status;
    },
    async deploy(
      name: string,
      modelUri: string,
      update?: { specFile?: string; strategy?: string; templates?: unknown[]; webhooks?: string[] },
    ) {
      const described =
        update === undefined
          ? ""
          : ` ${update.specFile ?? update.strategy ?? "-"} ${update.templates?.length ?? 0} ` +
            `${update.webhooks?.join(",") ?? "-"}`;
      calls.push(`deploy ${name} ${modelUri}${described}`);
      const current = endpoints.get(name);
      if (current === undefined) throw missing(name);
      const respecified = update?.specFile === undefined ? {} : { steps: 4 };
      return { ...current, ...respecified, phase: "Progressing", candidate: modelUri };
    },
    async status(name: string) {
      const next = statusSequence.shift();
      if (next !== undefined) return next;
      const current = endpoints.get(name);
      if (current === undefined) throw missing(name);
      return current;
    },
    async promote(name: string, full: boolean) {
      calls.push(`promote ${name} ${full}`);
      return statusOf(name);
    },
    async events() {
      return [{ id: 3, deployment: "churn", at: 0, kind: "RolloutAborted", details: "error-rate failed" }];
    },
  };

  beforeAll(async () => {
    const opened = await sqliteBackend.open();
    closeDb = opened.close;
    app = await buildServer(
      {
        config: {
          host: "127.0.0.1",
          port: 0,
          backendStoreUri: opened.uri,
          defaultArtifactRoot: "mlflow-artifacts:/",
          artifactsDestination: "unused",
          serveArtifacts: false,
          bodyLimit: 1024 * 1024,
        },
        meta: opened.meta,
        now: () => 0,
        delivery: { ...delivery, registry: {} } as unknown as DeliveryController,
      },
      { logger: false },
    );
    url = await app.listen({ host: "127.0.0.1", port: 0 });
    dir = await mkdtemp(join(tmpdir(), "flowops-deploy-"));
  });
  afterAll(async () => {
    await app.close();
    await closeDb();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    calls.length = 0;
    statusSequence = [];
  });

  it("creates the endpoint on the first deploy and rolls out later versions", async () => {
    await writeFile(join(dir, "rollout.yaml"), ROLLOUT_YAML);
    await writeFile(join(dir, "error-rate.yaml"), TEMPLATE_YAML);
    const config = join(dir, "rollout.yaml");
    const first = await run(deployCommand(), [
      "churn",
      "--model",
      "models:/churn/3",
      "--config",
      config,
      "--analysis",
      join(dir, "error-rate.yaml"),
      "--tracking-uri",
      url,
    ]);
    expect(first).toContain("Created endpoint 'churn' serving models:/churn/3.");
    const second = JSON.parse(
      await run(deployCommand(), ["churn", "--model", "models:/churn/4", "--tracking-uri", url, "--json"]),
    );
    expect(second).toMatchObject({
      created: false,
      deployment: { phase: "Progressing", candidate: "models:/churn/4" },
    });
    expect(calls).toEqual([`create churn models:/churn/3 ${config} 1`, "deploy churn models:/churn/4"]);
  });

  it("passes --config, --analysis and --webhook of a deploy to an existing endpoint and says the spec was updated", async () => {
    endpoints.set("fraud", statusOf("fraud"));
    const config = join(dir, "four-steps.yaml");
    await writeFile(config, ROLLOUT_YAML);
    await writeFile(join(dir, "error-rate.yaml"), TEMPLATE_YAML);
    const out = await run(deployCommand(), [
      "fraud",
      "--model",
      "models:/fraud/2",
      "--config",
      config,
      "--analysis",
      join(dir, "error-rate.yaml"),
      "--webhook",
      "http://hooks.example/flowops",
      "--tracking-uri",
      url,
    ]);
    expect(out).toContain(
      "Updated the rollout spec of 'fraud' (canary, 4 steps); deploying models:/fraud/2 under it.",
    );
    expect(calls).toEqual([`deploy fraud models:/fraud/2 ${config} 1 http://hooks.example/flowops`]);

    const json = JSON.parse(
      await run(deployCommand(), [
        "fraud",
        "--model",
        "models:/fraud/3",
        "--strategy",
        "blue-green",
        "--tracking-uri",
        url,
        "--json",
      ]),
    );
    expect(json).toMatchObject({ created: false, specUpdated: true });
    expect(calls.at(-1)).toBe("deploy fraud models:/fraud/3 blue-green 0 -");
  });

  it("reads no rollout option of a plain deploy to an existing endpoint", async () => {
    endpoints.set("fraud", statusOf("fraud"));
    const out = await run(deployCommand(), ["fraud", "--model", "models:/fraud/2", "--tracking-uri", url]);
    expect(out).toContain("Deploying models:/fraud/2 to 'fraud'.");
    expect(calls).toEqual(["deploy fraud models:/fraud/2"]);
  });

  it("refuses an unreadable --config before touching an existing endpoint", async () => {
    endpoints.set("fraud", statusOf("fraud"));
    const missingFile = join(dir, "no-such-rollout.yaml");
    await expect(
      run(deployCommand(), [
        "fraud",
        "--model",
        "models:/fraud/2",
        "--config",
        missingFile,
        "--tracking-uri",
        url,
      ]),
    ).rejects.toThrow(`--config: cannot read ${missingFile}: no such file`);
    expect(calls).toEqual([]);
  });

  it("says so when the server has no deployments API", async () => {
    // Below an unknown prefix every path answers the tracking server's ENDPOINT_NOT_FOUND.
    const error = await run(deployCommand(), [
      "x",
      "--model",
      "m",
      "--tracking-uri",
      `${url}/nothing-here`,
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).message).toContain("does not serve deployments");
  });

  it("prints status with weights, step and analyses, and exits 1 when Degraded", async () => {
    statusSequence = [
      statusOf("churn", {
        phase: "Degraded",
        candidate: "models:/churn/4",
        weights: [{ model: "models:/churn/3", weight: 100 }],
        stepIndex: 2,
        abortedReason: "error-rate failed",
        analyses: [
          {
            runId: "rev1.background",
            kind: "background",
            phase: "Failed",
            metrics: [{ name: "error-rate", phase: "Failed", last: { value: 0.123456, phase: "Failed" } }],
          },
        ],
      }),
    ];
    const out = await run(rolloutCommand(), ["status", "churn", "--tracking-uri", url]);
    expect(out).toContain("Phase:      Degraded");
    expect(out).toContain("Candidate:  models:/churn/4");
    expect(out).toContain("Weights:    models:/churn/3 100%");
    expect(out).toContain("Step:       2/5");
    expect(out).toContain("rev1.background (background)  Failed");
    expect(out).toContain("error-rate  Failed  last 0.1235 (Failed)");
    expect(process.exitCode).toBe(1);
  });

  it("watches until the rollout settles, printing each change once", async () => {
    const paused = statusOf("churn", { phase: "Paused", pauseReason: "PauseStep", stepIndex: 1 });
    statusSequence = [
      paused,
      paused,
      statusOf("churn", { phase: "Progressing", stepIndex: 2 }),
      statusOf("churn"),
    ];
    const out = await run(rolloutCommand({ watchIntervalMs: 0 }), [
      "status",
      "churn",
      "--watch",
      "--tracking-uri",
      url,
    ]);
    expect(out.match(/Phase:/g)).toHaveLength(3);
    expect(out).toContain("Paused (PauseStep)");
    expect(out.trimEnd().endsWith(formatDeploymentStatus(statusOf("churn")).trimEnd())).toBe(true);
    expect(statusSequence).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });

  it("promotes fully and lists events", async () => {
    await run(rolloutCommand(), ["promote", "churn", "--full", "--tracking-uri", url]);
    expect(calls).toEqual(["promote churn true"]);
    const events = await run(rolloutCommand(), ["events", "churn", "--tracking-uri", url]);
    expect(events).toMatch(
      /^ID\s+TIME\s+KIND\s+DETAILS\n3\s+1970-01-01 00:00:00\s+RolloutAborted\s+error-rate failed/,
    );
  });
});
