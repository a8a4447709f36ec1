import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError, type Command } from "commander";
import { parseAllDocuments } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { deployCommand } from "./deploy.js";
import { quietCommandOutput, ROLLOUT_YAML, run, TEMPLATE_YAML } from "./deployFixtures.js";

quietCommandOutput();

async function usageError(command: Command, args: string[]): Promise<string> {
  const error = await run(command, args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommanderError);
  return (error as CommanderError).message;
}

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
