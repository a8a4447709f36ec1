/**
 * Safe-delivery calls of the client (FlowOps' own `/api/v1`, not part of MLflow's wire): create an endpoint,
 * deploy a new model version into its rollout, steer the rollout (promote, abort, retry, undo), read its
 * status and events, and send ground-truth labels for served predictions. The server decides everything;
 * these methods only carry the request.
 */
import type {
  DeliveryController,
  DeploymentStatus,
  StrategyName,
} from "../delivery/deployments/deliveryController.js";
import type { DeploymentEvent } from "../delivery/deployments/deploymentStore.js";
import { encodeQuery, sendFlowOpsJson, type HttpMethod, type HttpTransport } from "./http.js";

export type { DeploymentStatus } from "../delivery/deployments/deliveryController.js";
export type { DeploymentEvent } from "../delivery/deployments/deploymentStore.js";

/** Argo's strategy keys (`blueGreen`), or the CLI's spellings of them (`blue-green`). */
export type DeploymentStrategy = StrategyName;

export interface CreateDeploymentInput {
  /** The endpoint's name: lower-case letters, digits and '-', at most 63 characters. */
  name: string;
  /** The first version, served as stable at once: `models:/churn/3`, `models:/churn@champion`, `runs:/<id>/model`. */
  modelUri: string;
  /** A built-in rollout of this strategy, when no `rolloutYaml` is given. */
  strategy?: DeploymentStrategy;
  /** The text of a rollout.yaml; `rolloutFile` names it in error messages. */
  rolloutYaml?: string;
  rolloutFile?: string;
  /** Argo AnalysisTemplates the rollout refers to, as YAML text with the file each came from. */
  analysisTemplates?: { yaml: string; file: string }[];
  /** URLs that receive each rollout event as a JSON POST. */
  webhooks?: string[];
}

/** What a deploy to an existing endpoint may replace of its rollout; an absent field keeps the endpoint's. */
export type DeploymentUpdateInput = Omit<CreateDeploymentInput, "name" | "modelUri">;

/** What the server answers for one label; `matched` is false when the request id is unknown or forgotten. */
export type FeedbackResult = Awaited<ReturnType<DeliveryController["feedback"]>>;

export class DeploymentsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Creates an endpoint serving `modelUri` as its stable version; later versions go through `deploy`.
   * @example
   * await client.deployments.create({
   *   name: "churn", modelUri: "models:/churn/3",
   *   rolloutYaml: await readFile("rollout.yaml", "utf8"), rolloutFile: "rollout.yaml",
   * });
   */
  async create(input: CreateDeploymentInput): Promise<DeploymentStatus> {
    const body = await this.request<{ deployment: DeploymentStatus }>("POST", "/deployments", {
      name: input.name,
      model_uri: input.modelUri,
      ...rolloutFields(input),
    });
    return body.deployment;
  }

  /**
   * Starts a rollout of `modelUri` as the endpoint's candidate, following the endpoint's rollout spec; with
   * `update`, the spec, templates or webhooks given replace the endpoint's first (checked before anything
   * changes) and the new version rolls out under them. A rollout in progress is replaced, as without.
   * @example const status = await client.deployments.deploy("churn", "models:/churn/4");
   * @example
   * await client.deployments.deploy("churn", "models:/churn/5", {
   *   rolloutYaml: await readFile("blue-green.yaml", "utf8"), rolloutFile: "blue-green.yaml",
   * });
   */
  async deploy(
    name: string,
    modelUri: string,
    update: DeploymentUpdateInput = {},
  ): Promise<DeploymentStatus> {
    return this.action(name, "deploy", { model_uri: modelUri, ...rolloutFields(update) });
  }

  /**
   * The rollout's phase, traffic split, current step and analyses.
   * @example const { phase, weights } = await client.deployments.status("churn");
   */
  async status(name: string): Promise<DeploymentStatus> {
    const body = await this.request<{ deployment: DeploymentStatus }>("GET", `/deployments/${segment(name)}`);
    return body.deployment;
  }

  /**
   * Every endpoint's status.
   * @example for (const d of await client.deployments.list()) console.log(d.name, d.phase);
   */
  async list(): Promise<DeploymentStatus[]> {
    const body = await this.request<{ deployments?: DeploymentStatus[] }>("GET", "/deployments");
    return body.deployments ?? [];
  }

  /**
   * Skips the current pause (or, with `full`, every remaining step and analysis).
   * @example await client.deployments.promote("churn", { full: true });
   */
  async promote(name: string, options: { full?: boolean } = {}): Promise<DeploymentStatus> {
    return this.action(name, "promote", { full: options.full });
  }

  /**
   * Sends all traffic back to stable and marks the rollout Degraded.
   * @example await client.deployments.abort("churn", { reason: "support tickets spiked" });
   */
  async abort(name: string, options: { reason?: string } = {}): Promise<DeploymentStatus> {
    return this.action(name, "abort", { reason: options.reason });
  }

  /**
   * Starts an aborted rollout again from its first step.
   * @example await client.deployments.retry("churn");
   */
  async retry(name: string): Promise<DeploymentStatus> {
    return this.action(name, "retry", {});
  }

  /**
   * Rolls back to the version served before the last promotion, as a new rollout.
   * @example await client.deployments.undo("churn");
   */
  async undo(name: string): Promise<DeploymentStatus> {
    return this.action(name, "undo", {});
  }

  /**
   * The rollout's events, oldest first; `afterId` returns only newer ones (for polling).
   * @example const events = await client.deployments.events("churn", { afterId: last?.id });
   */
  async events(name: string, options: { afterId?: number } = {}): Promise<DeploymentEvent[]> {
    const query = encodeQuery({ after_id: options.afterId });
    const body = await this.request<{ events?: DeploymentEvent[] }>(
      "GET",
      `/deployments/${segment(name)}/events${query === "" ? "" : `?${query}`}`,
    );
    return body.events ?? [];
  }

  /**
   * Deletes the endpoint: its traffic stops and its models are unloaded.
   * @example await client.deployments.remove("churn");
   */
  async remove(name: string): Promise<void> {
    await this.request("DELETE", `/deployments/${segment(name)}`, undefined, true);
  }

  /**
   * Labels served predictions by the `x-request-id` their answers carried (online accuracy, A/B tests).
   * @example
   * await client.deployments.feedback([{ requestId: "9c1e...", label: 1 }]);
   */
  async feedback(
    items: readonly { requestId: string; label: string | number | boolean }[],
  ): Promise<(FeedbackResult & { requestId: string })[]> {
    if (items.length === 0) return [];
    const body = await this.request<{ results?: (FeedbackResult & { request_id: string })[] }>(
      "POST",
      "/feedback",
      { items: items.map((item) => ({ request_id: item.requestId, label: item.label })) },
    );
    return (body.results ?? []).map(({ request_id, ...result }) => ({ ...result, requestId: request_id }));
  }

  private async action(name: string, action: string, fields: object): Promise<DeploymentStatus> {
    const body = await this.request<{ deployment: DeploymentStatus }>(
      "POST",
      `/deployments/${segment(name)}/${action}`,
      fields,
    );
    return body.deployment;
  }

  private async request<T>(
    method: HttpMethod,
    path: string,
    fields?: object,
    idempotent = false,
  ): Promise<T> {
    // A rollout action sent twice would act twice (promote skips two steps): only reads and deletes retry.
    return sendFlowOpsJson<T>(this.http, method, path, fields, idempotent);
  }
}

/** The wire names of a rollout's spec, templates and webhooks (undefined fields are not sent). */
function rolloutFields(input: DeploymentUpdateInput): object {
  return {
    strategy: input.strategy,
    rollout_yaml: input.rolloutYaml,
    rollout_file: input.rolloutFile,
    analysis_templates: input.analysisTemplates,
    webhooks: input.webhooks,
  };
}

function segment(name: string): string {
  return encodeURIComponent(name);
}
