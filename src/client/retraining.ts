/**
 * Retraining calls of the client (FlowOps' own `/api/v1`, not part of MLflow's wire): list an endpoint's
 * retrainings, each linking its trigger, pipeline run, model version and deployment revision, and start
 * one by hand. The server runs the retraining; these methods only carry the request.
 */
import type { WireRetrainingRun } from "../monitoring/retraining/retrainingRunWire.js";
import { encodeQuery, sendFlowOpsJson, type HttpMethod, type HttpTransport } from "./http.js";

export type RetrainingRun = WireRetrainingRun;

export class RetrainingApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Retrainings newest first, of one endpoint when given.
   * @example const [latest] = await client.retraining.runs({ endpoint: "churn", limit: 1 });
   */
  async runs(options: { endpoint?: string; limit?: number } = {}): Promise<RetrainingRun[]> {
    const query = encodeQuery({ endpoint: options.endpoint, limit: options.limit });
    const body = await this.request<{ runs?: RetrainingRun[] }>(
      "GET",
      `/retraining/runs${query === "" ? "" : `?${query}`}`,
    );
    return body.runs ?? [];
  }

  /**
   * Starts a retraining of the endpoint now (no cooldown); it runs on the server, poll `runs` for its end.
   * @example const run = await client.retraining.trigger("churn", { reason: "new labels loaded" });
   */
  async trigger(endpoint: string, options: { reason?: string } = {}): Promise<RetrainingRun> {
    const body = await this.request<{ run: RetrainingRun }>(
      "POST",
      `/retraining/${encodeURIComponent(endpoint)}/trigger`,
      { reason: options.reason },
      // Sent twice, a trigger would start two retrainings (or fail the second): never retried.
      false,
    );
    return body.run;
  }

  private async request<T>(method: HttpMethod, path: string, fields?: object, idempotent = true): Promise<T> {
    return sendFlowOpsJson<T>(this.http, method, path, fields, idempotent);
  }
}
