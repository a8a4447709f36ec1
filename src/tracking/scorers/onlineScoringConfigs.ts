/**
 * Online scoring configurations (mlflow's `online_scoring_configs`): how often, and on which traces, a
 * registered scorer would run automatically. mlflow only starts scorers whose judge is an AI-gateway
 * model; FlowOps has no gateway, so any sample rate above 0 is refused as mlflow refuses a non-gateway
 * scorer, and a rate of 0 (stopped) is stored. The client reads these with every scorer it loads.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { ScorerDatabase } from "../../db/schema.js";
import { invalidParameter } from "../../errors.js";
import { inChunks } from "../inChunks.js";
import { parseTraceFilter } from "../traces/searchFilter.js";
import type { OnlineScoringConfig } from "./entities.js";
import { gatewayEndpointOf, scorerModel, type Json } from "./serializedScorer.js";
import { activeExperimentId, existingScorer, withScorers } from "./store.js";

/** Python's `repr(float)` for the values a sample rate takes (`2.0`, `1.5`, `-0.25`). */
function pythonFloat(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? value.toFixed(1) : String(value);
}

export class OnlineScoringConfigStore {
  private readonly db: Kysely<ScorerDatabase>;

  constructor(private readonly meta: MetadataDb) {
    this.db = withScorers(meta);
  }

  /** The configurations of the given scorers; scorers without one are left out. */
  async get(scorerIds: readonly string[]): Promise<OnlineScoringConfig[]> {
    const configs: OnlineScoringConfig[] = [];
    for (const chunk of inChunks([...new Set(scorerIds)])) {
      if (chunk.length === 0) continue;
      const rows = await this.db
        .selectFrom("online_scoring_configs")
        .selectAll()
        .where("scorer_id", "in", chunk)
        .orderBy("online_scoring_config_id")
        .execute();
      configs.push(
        ...rows.map((r) => ({
          onlineScoringConfigId: r.online_scoring_config_id,
          scorerId: r.scorer_id,
          sampleRate: Number(r.sample_rate),
          experimentId: String(r.experiment_id),
          filterString: r.filter_string ?? undefined,
        })),
      );
    }
    return configs;
  }

  /** Replaces the scorer's configuration (a scorer has at most one). */
  async upsert(
    experimentId: string,
    name: string,
    sampleRate: number,
    filterString: string | undefined,
  ): Promise<OnlineScoringConfig> {
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw invalidParameter(`sample_rate must be between 0.0 and 1.0, got ${pythonFloat(sampleRate)}`);
    }
    // mlflow checks the syntax of a non-empty filter before storing it; the search's own parser does here.
    if (filterString) parseTraceFilter(filterString);
    const experiment = await activeExperimentId(this.meta.db, experimentId);
    return this.db.transaction().execute(async (trx) => {
      const scorer = await existingScorer(trx, experiment, experimentId, name);
      const latest = await trx
        .selectFrom("scorer_versions")
        .select("serialized_scorer")
        .where("scorer_id", "=", scorer.scorer_id)
        .orderBy("scorer_version", "desc")
        .limit(1)
        .executeTakeFirst();
      if (latest !== undefined && sampleRate > 0 && !usesGatewayModel(latest.serialized_scorer)) {
        throw invalidParameter(
          `Scorer '${name}' does not use a gateway model. Automatic evaluation is only supported for scorers that use gateway models.`,
        );
      }
      await trx.deleteFrom("online_scoring_configs").where("scorer_id", "=", scorer.scorer_id).execute();
      const config: OnlineScoringConfig = {
        onlineScoringConfigId: randomUUID().replace(/-/g, ""),
        scorerId: scorer.scorer_id,
        sampleRate,
        experimentId: String(experiment),
        filterString,
      };
      await trx
        .insertInto("online_scoring_configs")
        .values({
          online_scoring_config_id: config.onlineScoringConfigId,
          scorer_id: config.scorerId,
          sample_rate: sampleRate,
          experiment_id: experiment,
          filter_string: filterString ?? null,
        })
        .execute();
      return config;
    });
  }
}

function usesGatewayModel(serialized: string): boolean {
  let data: Json;
  try {
    data = JSON.parse(serialized) as Json;
  } catch {
    return false;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return false;
  const model = scorerModel(data);
  return typeof model === "string" && gatewayEndpointOf(model) !== undefined;
}
