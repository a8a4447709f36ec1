/**
 * Submits rendered Kubernetes objects to a cluster with server-side apply (field manager `flowops`, conflicts
 * forced), the way `kubectl apply --server-side --force-conflicts` does, and reports each object as created,
 * configured or unchanged. @kubernetes/client-node is imported lazily: only an apply pays for loading it.
 *
 * It checks everything before it changes anything: every kind must be served (a missing CRD is named with
 * what to install) and every existing object must carry FlowOps' managed-by label, so a refusal never leaves
 * half a deployment applied. It does not render, prune or wait for the rollout to become healthy.
 */
import type * as ClientNode from "@kubernetes/client-node";

import { FlowOpsError, type ErrorCode } from "../../errors.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "./ownershipLabels.js";

export const FIELD_MANAGER = "flowops";

export type ApplyOutcome = "created" | "configured" | "unchanged";

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  outcome: ApplyOutcome;
}

export interface ApplyOptions {
  /** A kubeconfig file; without it, $KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig; without it, its current-context. */
  context?: string;
  /** Server-side dry run (`dryRun=All`): the API server validates and defaults, and persists nothing. */
  dryRun?: boolean;
}

export interface ApplyResult {
  server: string;
  context: string;
  dryRun: boolean;
  objects: AppliedObject[];
}

/** What a workload refers to goes before it, so a Rollout never starts against a missing template or Service. */
const APPLY_RANK: Readonly<Record<string, number>> = { AnalysisTemplate: 0, Service: 1 };
const WORKLOAD_RANK = 2;

/** Where to get the CRDs of the API groups FlowOps renders, for the message when a cluster lacks them. */
const CRD_SOURCES: Readonly<Record<string, string>> = {
  "argoproj.io":
    "install Argo Rollouts (https://argo-rollouts.readthedocs.io/en/stable/installation/), or deploy with --kserve",
  "serving.kserve.io":
    "install KServe (https://kserve.github.io/website/latest/admin/serverless/serverless/)",
};

/** The objects in the order they are applied; the sort is stable, so render order holds within a rank. */
export function applyOrder(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const rank = (object: KubernetesObject): number => APPLY_RANK[object.kind] ?? WORKLOAD_RANK;
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

/** `rollout.argoproj.io/churn`, `service/churn-stable`: kubectl's way of naming an object. */
export function objectReference(object: { apiVersion: string; kind: string; name: string }): string {
  const group = object.apiVersion.includes("/") ? `.${object.apiVersion.split("/")[0] ?? ""}` : "";
  return `${object.kind.toLowerCase()}${group}/${object.name}`;
}

/**
 * Applies the objects to the cluster of a kubeconfig context, in dependency order.
 *
 * @example
 * const result = await applyManifests(renderManifests(description), { context: "prod", dryRun: true });
 * for (const o of result.objects) console.log(`${objectReference(o)} ${o.outcome}`);
 */
export async function applyManifests(
  objects: readonly KubernetesObject[],
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const k8s = await import("@kubernetes/client-node");
  const { kubeConfig, context, server } = loadKubeConfig(k8s, options);
  const api = kubeConfig.makeApiClient(discoveringObjectApi(k8s));
  const defaultNamespace = kubeConfig.getContextObject(context)?.namespace ?? "default";
  const dryRun = options.dryRun === true;
  const translate = (error: unknown, what: string): FlowOpsError =>
    clusterError(k8s, error, what, { server, context });

  const planned: { object: KubernetesObject; existing: ClientNode.KubernetesObject | undefined }[] = [];
  const ordered = applyOrder(objects);
  for (const rendered of ordered) {
    const served = await servedResource(api, rendered, ordered, server, translate);
    const object =
      served.namespaced && rendered.metadata.namespace === undefined
        ? { ...rendered, metadata: { ...rendered.metadata, namespace: defaultNamespace } }
        : rendered;
    const existing = await readExisting(k8s, api, object, translate);
    if (existing !== undefined) assertOwned(existing, object);
    planned.push({ object, existing });
  }

  const applied: AppliedObject[] = [];
  for (const { object, existing } of planned) {
    let result: ClientNode.KubernetesObject;
    try {
      result = await api.patch(
        structuredClone(object),
        undefined,
        dryRun ? "All" : undefined,
        FIELD_MANAGER,
        true,
        k8s.PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw translate(error, `applying ${describe(object)}`);
    }
    applied.push({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
      outcome: existing === undefined ? "created" : sameObject(existing, result) ? "unchanged" : "configured",
    });
  }
  return { server, context, dryRun, objects: applied };
}

type ClientNodeModule = typeof ClientNode;
type Translate = (error: unknown, what: string) => FlowOpsError;

function loadKubeConfig(
  k8s: ClientNodeModule,
  options: ApplyOptions,
): { kubeConfig: ClientNode.KubeConfig; context: string; server: string } {
  const kubeConfig = new k8s.KubeConfig();
  const source = options.kubeconfig ?? "the default kubeconfig ($KUBECONFIG or ~/.kube/config)";
  try {
    if (options.kubeconfig !== undefined) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `kubeconfig ${source}: cannot read it (${(error as Error).message})`,
    );
  }
  if (options.context !== undefined) {
    if (kubeConfig.getContextObject(options.context) === null) {
      const known = kubeConfig.getContexts().map((context) => context.name);
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `kubeconfig ${source} has no context '${options.context}'; ` +
          `it has: ${known.length > 0 ? known.join(", ") : "none"}`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const context = kubeConfig.getCurrentContext();
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `kubeconfig ${source}: context '${context}' names no cluster with a server URL`,
    );
  }
  return { kubeConfig, context, server: cluster.server };
}

/** The generic object API with the discovery lookup client-node keeps protected made callable. */
function discoveringObjectApi(k8s: ClientNodeModule) {
  return class DiscoveringObjectApi extends k8s.KubernetesObjectApi {
    /** The served resource of a kind; undefined when its group/version is served without it. */
    servedResource(apiVersion: string, kind: string): Promise<ClientNode.V1APIResource | undefined> {
      return this.resource(apiVersion, kind);
    }
  };
}

type DiscoveringObjectApi = InstanceType<ReturnType<typeof discoveringObjectApi>>;

async function servedResource(
  api: DiscoveringObjectApi,
  object: KubernetesObject,
  all: readonly KubernetesObject[],
  server: string,
  translate: Translate,
): Promise<ClientNode.V1APIResource> {
  let resource: ClientNode.V1APIResource | undefined;
  let groupServed = true;
  try {
    resource = await api.servedResource(object.apiVersion, object.kind);
  } catch (error) {
    if (statusCode(error) !== 404) throw translate(error, `looking up ${object.apiVersion} ${object.kind}`);
    groupServed = false;
  }
  if (resource !== undefined) return resource;
  // A missing group/version lacks every kind of it this apply needs; name them all, not only the first.
  const kinds = groupServed
    ? [object.kind]
    : [...new Set(all.filter((o) => o.apiVersion === object.apiVersion).map((o) => o.kind))];
  const group = object.apiVersion.includes("/") ? (object.apiVersion.split("/")[0] ?? "") : "";
  const crds = kinds.map((kind) => `${kind.toLowerCase()}s.${group}`).join(", ");
  throw new FlowOpsError(
    "RESOURCE_DOES_NOT_EXIST",
    `the cluster at ${server} does not serve ${kinds.join(", ")} (${object.apiVersion}): ` +
      `${kinds.length > 1 ? "the CustomResourceDefinitions" : "the CustomResourceDefinition"} ${crds} ` +
      `${kinds.length > 1 ? "are" : "is"} not installed; ${CRD_SOURCES[group] ?? `install ${crds}`}`,
  );
}

async function readExisting(
  k8s: ClientNodeModule,
  api: DiscoveringObjectApi,
  object: KubernetesObject,
  translate: Translate,
): Promise<ClientNode.KubernetesObject | undefined> {
  try {
    return await api.read({
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        name: object.metadata.name,
        ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
      },
    });
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return undefined;
    throw translate(error, `reading ${describe(object)}`);
  }
}

/** Never take over an object of the same name that something else created and manages. */
function assertOwned(existing: ClientNode.KubernetesObject, object: KubernetesObject): void {
  const owner = existing.metadata?.labels?.[MANAGED_BY_LABEL];
  if (owner !== MANAGED_BY_VALUE) {
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `${describe(object)} exists and is not FlowOps' (label ${MANAGED_BY_LABEL} is ` +
        `${owner === undefined ? "missing" : `'${owner}'`}, expected '${MANAGED_BY_VALUE}'); ` +
        `delete it, or label it ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE} to let FlowOps adopt it`,
    );
  }
}

/**
 * Whether applying changed nothing. The resource version cannot tell under a dry run (nothing is written),
 * so this compares content, leaving out what the server bumps on its own: bookkeeping and status.
 */
function sameObject(before: ClientNode.KubernetesObject, after: ClientNode.KubernetesObject): boolean {
  const content = (object: ClientNode.KubernetesObject): string => {
    const { status: _status, ...rest } = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
    const metadata = { ...(rest["metadata"] as Record<string, unknown> | undefined) };
    for (const key of ["resourceVersion", "managedFields", "generation"]) delete metadata[key];
    return canonicalJson({ ...rest, metadata });
  };
  return content(before) === content(after);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function describe(object: KubernetesObject): string {
  const namespace =
    object.metadata.namespace !== undefined ? ` in namespace ${object.metadata.namespace}` : "";
  return `${objectReference({ ...object, name: object.metadata.name })}${namespace}`;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

const HTTP_ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  400: "INVALID_PARAMETER_VALUE",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "RESOURCE_DOES_NOT_EXIST",
  409: "RESOURCE_CONFLICT",
  422: "INVALID_PARAMETER_VALUE",
};

/** An API server's refusal with its own message, or a cluster that could not be reached, named by URL. */
function clusterError(
  k8s: ClientNodeModule,
  error: unknown,
  what: string,
  cluster: { server: string; context: string },
): FlowOpsError {
  if (error instanceof FlowOpsError) return error;
  if (error instanceof k8s.ApiException) {
    const code = error.code as number;
    return new FlowOpsError(
      HTTP_ERROR_CODES[code] ?? "INTERNAL_ERROR",
      `${what}: the Kubernetes API server at ${cluster.server} answered ${code}: ${statusMessage(error.body)}`,
      { cause: error },
    );
  }
  const failure = error as { name?: unknown; message?: unknown; code?: unknown };
  if (failure.name === "FetchError" || typeof failure.code === "string") {
    const reason = typeof failure.message === "string" ? failure.message.replace(/^.*reason: /s, "") : "";
    return new FlowOpsError(
      "TEMPORARILY_UNAVAILABLE",
      `${what}: cannot reach the Kubernetes API server at ${cluster.server} ` +
        `(kubeconfig context '${cluster.context}'): ${reason}`,
      { cause: error },
    );
  }
  return new FlowOpsError("INTERNAL_ERROR", `${what}: ${(error as Error).message}`, { cause: error });
}

/** The `message` of a Kubernetes Status body, which client-node hands over as text or parsed. */
function statusMessage(body: unknown): string {
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : JSON.stringify(parsed);
}
