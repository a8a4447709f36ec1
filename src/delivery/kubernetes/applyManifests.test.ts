import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { applyManifests, applyOrder, FIELD_MANAGER, objectReference } from "./applyManifests.js";
import type { DeploymentDescription } from "./deploymentDescription.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { MANAGED_BY_LABEL } from "./ownershipLabels.js";
import { renderManifests } from "./renderDeployment.js";
import { rejection } from "../../../test/support/thrownError.js";

const TOKEN = "test-token";

interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

/** The plural resource name and namespacing of each kind, per group/version, as discovery lists them. */
type Discovery = Record<string, { name: string; kind: string; namespaced: boolean }[]>;

const CORE: Discovery = { v1: [{ name: "services", kind: "Service", namespaced: true }] };
const ARGO: Discovery = {
  "argoproj.io/v1alpha1": [
    { name: "rollouts", kind: "Rollout", namespaced: true },
    { name: "analysistemplates", kind: "AnalysisTemplate", namespaced: true },
  ],
};
const KSERVE: Discovery = {
  "serving.kserve.io/v1beta1": [{ name: "inferenceservices", kind: "InferenceService", namespaced: true }],
};

/**
 * A minimal Kubernetes API server: discovery for the given group/versions, GET of stored objects, and
 * server-side apply that stores the body (unless dry run) and bumps the resource version when it changes.
 */
class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, Record<string, unknown>>();
  private version = 0;
  private readonly server: Server;

  constructor(private readonly discovery: Discovery) {
    this.server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => this.answer(req, res, text));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  patches(): RecordedRequest[] {
    return this.requests.filter((request) => request.method === "PATCH");
  }

  private answer(req: IncomingMessage, res: ServerResponse, text: string): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    this.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers["content-type"],
      authorization: req.headers.authorization,
      body: text === "" ? undefined : JSON.parse(text),
    });
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const notFound = (): void =>
      send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });

    const groupVersion = url.pathname.replace(/^\/apis?\//, "");
    const resources = this.discovery[groupVersion];
    if (req.method === "GET" && resources !== undefined) {
      send(200, { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources });
      return;
    }
    const stored = this.objects.get(url.pathname);
    if (req.method === "GET") {
      if (stored === undefined) notFound();
      else send(200, stored);
      return;
    }
    if (req.method !== "PATCH") {
      send(405, { kind: "Status", code: 405 });
      return;
    }
    const applied = JSON.parse(text) as { metadata: Record<string, unknown> };
    const unchanged =
      stored !== undefined &&
      JSON.stringify({ ...stored, metadata: { ...(stored["metadata"] as object), resourceVersion: "" } }) ===
        JSON.stringify({ ...applied, metadata: { ...applied.metadata, resourceVersion: "" } });
    const result = unchanged
      ? stored
      : { ...applied, metadata: { ...applied.metadata, resourceVersion: String(++this.version) } };
    if (url.searchParams.get("dryRun") !== "All") this.objects.set(url.pathname, result);
    send(stored === undefined ? 201 : 200, result);
  }
}

const description: DeploymentDescription = {
  endpoint: "churn",
  modelUri: "models:/churn/4",
  modelVersion: "4",
  replicas: 2,
  namespace: "models",
  target: "argo-rollouts",
  analysisTemplates: [
    {
      metadata: { name: "error-rate" },
      spec: {
        metrics: [
          {
            name: "error-rate",
            interval: "1m",
            successCondition: "result[0] < 0.01",
            provider: { flowops: { metric: "error_rate" } },
          },
        ],
      },
    },
  ],
  rollout: {
    strategy: {
      canary: {
        steps: [
          { setWeight: 20 },
          { analysis: { templates: [{ templateName: "error-rate" }] } },
          { setWeight: 100 },
        ],
      },
    },
  },
};

async function writeKubeconfig(dir: string, server: string, namespace?: string): Promise<string> {
  const path = join(dir, "kubeconfig");
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: {server: "${server}", insecure-skip-tls-verify: true}
users:
  - name: fake
    user: {token: ${TOKEN}}
contexts:
  - name: fake
    context: {cluster: fake, user: fake${namespace !== undefined ? `, namespace: ${namespace}` : ""}}
  - name: other
    context: {cluster: fake, user: fake}
current-context: fake
`,
  );
  return path;
}

describe("applyManifests", () => {
  let dir: string;
  let api: FakeApiServer | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-apply-"));
  });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function cluster(discovery: Discovery, namespace?: string): Promise<string> {
    api = new FakeApiServer(discovery);
    return writeKubeconfig(dir, await api.start(), namespace);
  }

  it("orders analysis templates and services before the workload, keeping render order within a kind", () => {
    const order = applyOrder(renderManifests(description)).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(order).toEqual([
      "AnalysisTemplate/churn-error-rate",
      "Service/churn-stable",
      "Service/churn-canary",
      "Rollout/churn",
    ]);
  });

  it("server-side applies every object as field manager flowops with forced conflicts, rollout last", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO });
    const objects = renderManifests(description);

    const result = await applyManifests(objects, { kubeconfig });

    const patches = api!.patches();
    expect(patches.map((p) => p.path)).toEqual([
      "/apis/argoproj.io/v1alpha1/namespaces/models/analysistemplates/churn-error-rate",
      "/api/v1/namespaces/models/services/churn-stable",
      "/api/v1/namespaces/models/services/churn-canary",
      "/apis/argoproj.io/v1alpha1/namespaces/models/rollouts/churn",
    ]);
    for (const patch of patches) {
      expect(patch.contentType).toBe("application/apply-patch+yaml");
      expect(patch.query.get("fieldManager")).toBe(FIELD_MANAGER);
      expect(patch.query.get("force")).toBe("true");
      expect(patch.query.has("dryRun")).toBe(false);
      expect(patch.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(patches.map((p) => p.body)).toEqual(applyOrder(objects).map((o) => JSON.parse(JSON.stringify(o))));
    expect(result.objects.map((o) => `${objectReference(o)} ${o.outcome}`)).toEqual([
      "analysistemplate.argoproj.io/churn-error-rate created",
      "service/churn-stable created",
      "service/churn-canary created",
      "rollout.argoproj.io/churn created",
    ]);
    expect(result).toMatchObject({ context: "fake", dryRun: false });
  });

  it("reports unchanged on a repeated apply and configured after the model changes", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO });
    await applyManifests(renderManifests(description), { kubeconfig });

    const again = await applyManifests(renderManifests(description), { kubeconfig });
    expect(again.objects.map((o) => o.outcome)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);

    const next = { ...description, modelUri: "models:/churn/5", modelVersion: "5" };
    const changed = await applyManifests(renderManifests(next), { kubeconfig });
    expect(changed.objects.find((o) => o.kind === "Rollout")?.outcome).toBe("configured");
  });

  it("asks for a server-side dry run that persists nothing", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO });

    const result = await applyManifests(renderManifests(description), { kubeconfig, dryRun: true });

    expect(result.dryRun).toBe(true);
    expect(api!.patches().map((p) => p.query.get("dryRun"))).toEqual(["All", "All", "All", "All"]);
    expect(result.objects.map((o) => o.outcome)).toEqual(["created", "created", "created", "created"]);
    expect(api!.objects.size).toBe(0);
  });

  it("puts objects without a namespace into the namespace of the kubeconfig context", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO }, "team-a");
    const { namespace: _namespace, ...withoutNamespace } = description;

    const result = await applyManifests(renderManifests(withoutNamespace), { kubeconfig });

    expect(api!.patches().every((p) => p.path.includes("/namespaces/team-a/"))).toBe(true);
    expect(result.objects.every((o) => o.namespace === "team-a")).toBe(true);
  });

  it("uses the context named by the option instead of the current one", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO }, "team-a");
    const { namespace: _namespace, ...withoutNamespace } = description;

    const result = await applyManifests(renderManifests(withoutNamespace), { kubeconfig, context: "other" });

    expect(result.context).toBe("other");
    expect(result.objects.every((o) => o.namespace === "default")).toBe(true);
  });

  it("rejects a context the kubeconfig does not have, listing the ones it has", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO });
    const error = await rejection(
      applyManifests(renderManifests(description), { kubeconfig, context: "prod" }),
    );
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toContain("no context 'prod'; it has: fake, other");
  });

  it("names the Argo Rollouts CRDs when the cluster does not serve argoproj.io, before applying anything", async () => {
    const kubeconfig = await cluster(CORE);
    const error = await rejection(applyManifests(renderManifests(description), { kubeconfig }));
    expect(error.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(error.message).toContain("rollouts.argoproj.io");
    expect(error.message).toContain("analysistemplates.argoproj.io");
    expect(error.message).toContain("install Argo Rollouts");
    expect(api!.patches()).toEqual([]);
  });

  it("names the Rollout CRD when the group is served without the Rollout kind", async () => {
    const kubeconfig = await cluster({
      ...CORE,
      "argoproj.io/v1alpha1": [{ name: "analysistemplates", kind: "AnalysisTemplate", namespaced: true }],
    });
    const error = await rejection(applyManifests(renderManifests(description), { kubeconfig }));
    expect(error.message).toContain("does not serve Rollout (argoproj.io/v1alpha1)");
    expect(error.message).toContain("rollouts.argoproj.io");
    expect(api!.patches()).toEqual([]);
  });

  it("names the KServe CRD when the cluster does not serve InferenceServices", async () => {
    const kubeconfig = await cluster(CORE);
    const error = await rejection(
      applyManifests(renderManifests({ ...description, target: "kserve" }), { kubeconfig }),
    );
    expect(error.message).toContain("inferenceservices.serving.kserve.io");
    expect(error.message).toContain("install KServe");
  });

  it("applies a KServe InferenceService when the cluster serves it", async () => {
    const kubeconfig = await cluster({ ...CORE, ...KSERVE });
    const result = await applyManifests(renderManifests({ ...description, target: "kserve" }), {
      kubeconfig,
    });
    expect(api!.patches().map((p) => p.path)).toEqual([
      "/apis/serving.kserve.io/v1beta1/namespaces/models/inferenceservices/churn",
    ]);
    expect(result.objects[0]?.outcome).toBe("created");
  });

  it("refuses to take over an object of the same name that FlowOps does not manage", async () => {
    const kubeconfig = await cluster({ ...CORE, ...ARGO });
    api!.objects.set("/api/v1/namespaces/models/services/churn-canary", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "churn-canary", namespace: "models", labels: { [MANAGED_BY_LABEL]: "helm" } },
      spec: {},
    });
    const error = await rejection(applyManifests(renderManifests(description), { kubeconfig }));
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(error.message).toContain("service/churn-canary in namespace models exists and is not FlowOps'");
    expect(error.message).toContain("'helm'");
    expect(api!.patches()).toEqual([]);
  });

  it("names the server URL from the kubeconfig when the cluster cannot be reached", async () => {
    const closed = new FakeApiServer({});
    const server = await closed.start();
    await closed.stop();
    const kubeconfig = await writeKubeconfig(dir, server);

    const error = await rejection(applyManifests(renderManifests(description), { kubeconfig }));

    expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
    expect(error.message).toContain(`cannot reach the Kubernetes API server at ${server}`);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("says which kubeconfig file it could not read", async () => {
    const missing = join(dir, "missing-kubeconfig");
    const error = await rejection(applyManifests([] as KubernetesObject[], { kubeconfig: missing }));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toContain(`kubeconfig ${missing}: cannot read it`);
  });
});
