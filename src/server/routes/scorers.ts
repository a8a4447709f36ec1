/**
 * MLflow 3 scorer registry RPCs under /api/3.0/mlflow/scorers (RegisterScorer, ListScorers,
 * ListScorerVersions, GetScorer, DeleteScorer) and the plain-JSON online scoring config endpoints the
 * client calls with every scorer it loads. Requests are validated here; behaviour is in
 * src/tracking/scorers. Serialized scorers are opaque text: nothing here deserializes or runs them.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import {
  toOnlineScoringConfigWire,
  toRegisteredScorerWire,
  toScorerWire,
  type ScorerVersion,
} from "../../tracking/scorers/entities.js";
import { OnlineScoringConfigStore } from "../../tracking/scorers/onlineScoringConfigs.js";
import { ScorerStore } from "../../tracking/scorers/store.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { list } from "../wire.js";
import { pythonQueryInteger } from "./queryIntegers.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;

const scorerName = { experiment_id: z.string(), name: z.string() };
const version = pythonQueryInteger().optional();

/** As mlflow's boolean environment variables read it: "true" or "1", in any case. */
export function customScorersAllowed(env: NodeJS.ProcessEnv): boolean {
  return /^(true|1)$/i.test((env["MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS"] ?? "").trim());
}

export async function scorerRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const store = new ScorerStore(ctx.meta, () => ctx.now(), { allowCustomScorers: customScorersAllowed(env) });
  const configs = new OnlineScoringConfigStore(ctx.meta);
  // Protobuf JSON leaves an empty repeated field out, so an empty listing is `{}` as mlflow answers.
  const listing = (scorers: ScorerVersion[]) =>
    scorers.length === 0 ? {} : { scorers: scorers.map(toScorerWire) };

  registerRpc(
    app,
    {
      method: "POST",
      path: "scorers/register",
      request: z.object({ ...scorerName, serialized_scorer: z.string() }),
      async handle(input) {
        return toRegisteredScorerWire(
          await store.register(input.experiment_id, input.name, input.serialized_scorer),
        );
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "scorers/list",
      request: z.object({
        experiment_id: z.string().optional(),
        experiment_ids: list(z.string()).optional(),
      }),
      async handle(input) {
        if (input.experiment_id && input.experiment_ids !== undefined) {
          throw invalidParameter(
            "Cannot specify both 'experiment_id' and 'experiment_ids'. Use 'experiment_ids' to scope the query to multiple experiments, or 'experiment_id' to scope it to a single experiment.",
          );
        }
        if (input.experiment_ids !== undefined) return listing(await store.listAcross(input.experiment_ids));
        if (input.experiment_id) return listing(await store.list(input.experiment_id));
        return listing(await store.listAcross(undefined));
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "scorers/versions",
      request: z.object(scorerName),
      async handle(input) {
        return listing(await store.versions(input.experiment_id, input.name));
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "scorers/get",
      request: z.object({ ...scorerName, version }),
      async handle(input) {
        return { scorer: toScorerWire(await store.get(input.experiment_id, input.name, input.version)) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "DELETE",
      path: "scorers/delete",
      request: z.object({ ...scorerName, version }),
      async handle(input) {
        await store.delete(input.experiment_id, input.name, input.version);
        return {};
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "scorers/online-configs",
      request: z.object({ scorer_ids: list(z.string()) }),
      async handle(input) {
        return { configs: (await configs.get(input.scorer_ids)).map(toOnlineScoringConfigWire) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "PUT",
      path: "scorers/online-config",
      request: z.object({
        ...scorerName,
        sample_rate: z.unknown().optional(),
        filter_string: z.unknown().optional(),
      }),
      async handle(input) {
        const config = await configs.upsert(
          input.experiment_id,
          input.name,
          sampleRate(input.sample_rate),
          filterString(input.filter_string),
        );
        return { config: toOnlineScoringConfigWire(config) };
      },
    },
    V3_PREFIXES,
  );
}

/** mlflow's handler applies `float()`: a number, a bool or numeric text; other values make it fail with a 500. */
function sampleRate(value: unknown): number {
  if (value === undefined || value === null) {
    throw invalidParameter(
      "Missing value for required parameter 'sample_rate'. See the API docs for more information about request parameters.",
    );
  }
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  const type = typeof value === "string" ? "str" : Array.isArray(value) ? "list" : "dict";
  throw invalidParameter(`sample_rate must be a number, got ${type}`);
}

function filterString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  const type =
    typeof value === "number"
      ? Number.isInteger(value)
        ? "int"
        : "float"
      : typeof value === "boolean"
        ? "bool"
        : Array.isArray(value)
          ? "list"
          : "dict";
  throw invalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter 'filter_string' supplied: Value was of type '${type}'. Expected type 'str' or None.`,
  );
}
