/**
 * Quality-gate calls of the client (FlowOps' own `/api/v1`, not part of MLflow's wire): ask the server to
 * evaluate a gate policy for a run, and to record the outcome for a model version, and list the records.
 * Evaluation happens on the server, so a passing record cannot be made up by a client.
 */
import type { GateRecord } from "../quality/gates/gateRecords.js";
import type { GateResult } from "../quality/gates/gateResult.js";
import { encodeQuery, sendFlowOpsJson, type HttpMethod, type HttpTransport } from "./http.js";

export type { GateRecord } from "../quality/gates/gateRecords.js";
export type { ConditionResult, GateChampion, GateResult } from "../quality/gates/gateResult.js";

export interface EvaluateGateInput {
  /** The policy's YAML text. */
  policyYaml: string;
  /** The policy's file name, used in error messages and the report. */
  policyFile?: string;
  /**
   * The run judged. With `modelName` and `version` it may be left out: the server judges the run the version
   * was registered from, and refuses any other.
   */
  runId?: string;
  /** With `version`, the outcome is recorded for that model version (what promotion checks). */
  modelName?: string;
  version?: string | number;
}

export interface GateEvaluationResponse {
  gate: GateResult;
  /** Id of the gate record, when a model version was given. */
  recordId?: string;
  /** E.g. the reports could not be written to the run's artifact location; the record still counts. */
  warnings: string[];
}

export class GatesApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Evaluates a policy against the run's latest metrics on the server, recording it for the version.
   * @example
   * const { gate } = await client.gates.evaluate({
   *   policyYaml: await readFile("gates.yaml", "utf8"), policyFile: "gates.yaml",
   *   modelName: "churn", version: 3,
   * });
   * if (!gate.passed) console.log(gate.conditions.filter((c) => !c.passed));
   */
  async evaluate(input: EvaluateGateInput): Promise<GateEvaluationResponse> {
    const body = await this.request<{ gate: GateResult; record_id?: string; warnings?: string[] }>(
      "POST",
      "/gates/evaluate",
      {
        policy_yaml: input.policyYaml,
        policy_file: input.policyFile,
        run_id: input.runId,
        model_name: input.modelName,
        version: input.version === undefined ? undefined : String(input.version),
      },
    );
    return {
      gate: body.gate,
      ...(body.record_id === undefined ? {} : { recordId: body.record_id }),
      warnings: body.warnings ?? [],
    };
  }

  /**
   * Gate records newest first, of one version or of every version of the model.
   * @example const [latest] = await client.gates.records({ modelName: "churn", version: 3 });
   */
  async records(options: {
    modelName: string;
    version?: string | number;
    maxResults?: number;
  }): Promise<GateRecord[]> {
    const query = encodeQuery({
      model_name: options.modelName,
      version: options.version === undefined ? undefined : String(options.version),
      max_results: options.maxResults,
    });
    const body = await this.request<{ records?: GateRecord[] }>("GET", `/gates/records?${query}`);
    return body.records ?? [];
  }

  private async request<T>(method: HttpMethod, path: string, fields?: object): Promise<T> {
    // Evaluating again appends another record, which is harmless: the newest one decides.
    return sendFlowOpsJson<T>(this.http, method, path, fields, true);
  }
}
