import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError, type Command } from "commander";
import type { FastifyInstance } from "fastify";
import { parseAllDocuments } from "yaml";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sqliteBackend } from "../../test/support/backends.js";
import type { DeliveryController, DeploymentStatus } from "../delivery/deployments/deliveryController.js";
import { FlowOpsError } from "../errors.js";
import { buildServer } from "../server/app.js";
import { deployCommand } from "./deploy.js";
import { formatDeploymentStatus, rolloutCommand } from "./rollout.js";

const ROLLOUT_YAML = `strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 30s}
      - analysis: {templates: [{templateName: error-rate}]}
      - setWeight: 100
`;

const TEMPLATE_YAML = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: error-rate
spec:
  metrics:
    - name: error-rate
      interval: 10s
      count: 3
      failureCondition: result > 0.05
      provider:
        flowops: {metric: error_rate}
`;

function statusOf(name: string, overrides: Partial<DeploymentStatus> = {}): DeploymentStatus {
  return {
    name,
    phase: "Healthy",
    strategy: "canary",
    stable: "models:/churn/3",
    weights: [{ model: "models:/churn/3", weight: 100 }],
    stepIndex: 0,
    steps: 5,
    analyses: [],
    createdAt: 1,
    updatedAt: 2,
    ...overrides,
  };
}

/** Runs a command quietly: usage errors throw CommanderError instead of exiting, stdout is captured. */
async function run(command: Command, args: string[]): Promise<string> {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(command);
  try {
    await command.parseAsync(args, { from: "user" });
  } finally {
    write.mockRestore();
  }
  return out.join("");
}

async function usageError(command: Command, args: string[]): Promise<string> {
  const error = await run(command, args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommanderError);
  return (error as CommanderError).message;
}

const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
afterAll(() => stderr.mockRestore());
afterEach(() => {
  process.exitCode = undefined;
});

describe("flowops deploy --target kubernetes", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-deploy-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses the apply options without --apply", async () => {
    for (const [flag, ...value] of [["--dry-run"], ["--kubeconfig", "k"], ["--context", "prod"]] as const) {
      expect(
        await usageError(deployCommand(), [
          "churn",
          "--model",
          "models:/churn/3",
          "--target",
          "kubernetes",
          "--render",
          dir,
          flag,
          ...value,
        ]),
      ).toContain(`${flag} needs --apply`);
    }
  });

  it("refuses --apply on the embedded target", async () => {
    expect(await usageError(deployCommand(), ["churn", "--model", "m", "--apply"])).toContain(
      "--apply needs --target kubernetes",
    );
    expect(await usageError(deployCommand(), ["churn", "--model", "m", "--kubeconfig", "k"])).toContain(
      "--kubeconfig needs --target kubernetes",
    );
  });

  it("applies the manifests with a server-side dry run and also writes them with --render", async () => {
    const patches: string[] = [];
    const cluster = fakeCluster(patches);
    const server = await listen(cluster);
    try {
      const kubeconfig = join(dir, "kubeconfig");
      await writeFile(kubeconfig, kubeconfigFor(server));
      const out = join(dir, "manifests");
      const printed = await run(deployCommand(), [
        "churn",
        "--model",
        "models:/churn/4",
        "--target",
        "kubernetes",
        "--namespace",
        "models",
        "--render",
        out,
        "--apply",
        "--dry-run",
        "--kubeconfig",
        kubeconfig,
        "--context",
        "fake",
      ]);
      expect(printed.trim().split("\n")).toEqual([
        "analysistemplate.argoproj.io/churn-flowops-default created (server dry run)",
        "service/churn-stable created (server dry run)",
        "service/churn-canary created (server dry run)",
        "rollout.argoproj.io/churn created (server dry run)",
      ]);
      expect(patches).toHaveLength(4);
      expect(patches.every((patch) => patch.includes("dryRun=All"))).toBe(true);
      expect(patches[3]).toContain("/apis/argoproj.io/v1alpha1/namespaces/models/rollouts/churn?");
      expect(await readdir(out)).toHaveLength(4);
    } finally {
      await new Promise((resolve) => cluster.close(resolve));
    }
  });

  it("needs --render when rendering for kubernetes", async () => {
    expect(
      await usageError(deployCommand(), ["churn", "--model", "models:/churn/3", "--target", "kubernetes"]),
    ).toContain("--render DIR");
  });

  it("refuses kubernetes options on the embedded target", async () => {
    expect(await usageError(deployCommand(), ["churn", "--model", "m", "--render", dir])).toContain(
      "--render needs --target kubernetes",
    );
  });

  it("refuses --strategy together with --config", async () => {
    expect(
      await usageError(deployCommand(), [
        "churn",
        "--model",
        "m",
        "--strategy",
        "canary",
        "--config",
        "r.yaml",
      ]),
    ).toContain("--strategy and --config exclude each other");
  });

  it("renders a rollout.yaml and its analysis template as Argo manifests and prints the files", async () => {
    await writeFile(join(dir, "rollout.yaml"), ROLLOUT_YAML);
    await writeFile(join(dir, "error-rate.yaml"), TEMPLATE_YAML);
    const out = join(dir, "manifests");
    const printed = await run(deployCommand(), [
      "churn",
      "--model",
      "models:/churn/4",
      "--target",
      "kubernetes",
      "--render",
      out,
      "--config",
      join(dir, "rollout.yaml"),
      "--analysis",
      join(dir, "error-rate.yaml"),
      "--image",
      "registry.example/flowops:test",
    ]);
    const files = (await readdir(out)).sort();
    expect(printed.trim().split("\n").sort()).toEqual(files.map((file) => join(out, file)));
    const objects = await Promise.all(
      files.map(async (file) => parseAllDocuments(await readFile(join(out, file), "utf8"))[0]?.toJS()),
    );
    const rollout = objects.find((object) => object.kind === "Rollout");
    expect(rollout.spec.strategy.canary.steps.slice(0, 2)).toEqual([
      { setWeight: 20 },
      { pause: { duration: 30 } },
    ]);
    expect(JSON.stringify(rollout)).toContain("registry.example/flowops:test");
    expect(JSON.stringify(rollout)).toContain("models:/churn/4");
    expect(objects.filter((object) => object.kind === "AnalysisTemplate")).toHaveLength(1);
  });

  it("renders the default canary with the built-in analysis template it names", async () => {
    const out = join(dir, "manifests");
    await run(deployCommand(), [
      "churn",
      "--model",
      "models:/churn/4",
      "--target",
      "kubernetes",
      "--render",
      out,
      "--stable-version",
      "3",
    ]);
    const texts = await Promise.all((await readdir(out)).map((file) => readFile(join(out, file), "utf8")));
    const templates = texts.filter((text) => text.includes("kind: AnalysisTemplate"));
    expect(templates).toHaveLength(1);
    expect(templates[0]).toContain("flowops-default");
    // Agreement is measured inside the embedded server only; a cluster judges errors and latency.
    expect(templates[0]).toContain("error-rate");
    expect(templates[0]).not.toContain("agreement");
    const rollout = parseAllDocuments(texts.find((text) => text.includes("kind: Rollout")) ?? "")[0]?.toJS();
    expect(rollout.spec.strategy.canary.analysis.args).toContainEqual({ name: "stable-version", value: "3" });
  });

  it("fails with the renderer's message for a strategy Argo Rollouts has no equivalent of", async () => {
    const error = await run(deployCommand(), [
      "churn",
      "--model",
      "models:/churn/4",
      "--target",
      "kubernetes",
      "--render",
      join(dir, "out"),
      "--strategy",
      "ab-test",
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).message).toContain("'abTest' has no Argo Rollouts equivalent");
  });

  it("says --render names a file, not a directory, instead of Node's EEXIST", async () => {
    const file = join(dir, "afile");
    await writeFile(file, "not a directory\n");
    const args = ["churn", "--model", "models:/churn/4", "--target", "kubernetes", "--render", file];
    const error = await run(deployCommand(), args).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).message).toBe(
      `--render: cannot write manifests into ${file}: not a directory`,
    );
  });
});

/** A Kubernetes API that serves Services and Argo Rollouts, has no objects, and echoes applied ones. */
function fakeCluster(patches: string[]): Server {
  const resources: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
    "/api/v1": [{ name: "services", kind: "Service", namespaced: true }],
    "/apis/argoproj.io/v1alpha1": [
      { name: "rollouts", kind: "Rollout", namespaced: true },
      { name: "analysistemplates", kind: "AnalysisTemplate", namespaced: true },
    ],
  };
  return createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      const listed = resources[req.url ?? ""];
      if (listed !== undefined) res.end(JSON.stringify({ kind: "APIResourceList", resources: listed }));
      else if (req.method === "PATCH") {
        patches.push(req.url ?? "");
        res.statusCode = 201;
        res.end(body);
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: "Status", code: 404, reason: "NotFound" }));
      }
    });
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const kubeconfigFor = (server: string): string => `apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: fake, user: {token: t}}]
contexts: [{name: fake, context: {cluster: fake, user: fake}}, {name: other, context: {cluster: none, user: fake}}]
current-context: other
`;

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
