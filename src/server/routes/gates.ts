/**
 * Quality gates on FlowOps' own API (`/api/v1/gates`): evaluate a policy for a run (and record it for a
 * model version, judging the version's own run, which is what lets the version be promoted), and list
 * records. Evaluation lives in
 * quality/gates; this plugin validates input, calls it, and stores the Markdown and HTML reports with the
 * run's artifacts. A report that cannot be stored is a warning: the record is what promotion relies on.
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { createArtifactLocator } from "../../artifacts/location.js";
import { evaluateGate } from "../../quality/gates/evaluateGate.js";
import { parseGatePolicy } from "../../quality/gates/gatePolicy.js";
import { listGateRecords } from "../../quality/gates/gateRecords.js";
import { gateReportHtml, gateReportMarkdown } from "../../quality/gates/gateReport.js";
import type { GateResult } from "../../quality/gates/gateResult.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { FLOWOPS_API_PREFIXES } from "./datasets.js";
import { int64 } from "../wire.js";

/** Where the reports go inside the run's artifacts. */
export const GATE_REPORT_PATHS = { markdown: "gate/report.md", html: "gate/report.html" } as const;

/** Versions are strings in the registry's wire; a client may still send a number. */
const version = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

export async function gateRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { db } = ctx.meta;
  const locator = createArtifactLocator(ctx.config);

  async function storeReports(result: GateResult): Promise<string[]> {
    const run = await db
      .selectFrom("runs")
      .select("artifact_uri")
      .where("run_uuid", "=", result.run_id)
      .executeTakeFirst();
    if (run === undefined) return [`Run ${result.run_id} disappeared before its gate report was stored.`];
    try {
      const store = locator.open(run.artifact_uri);
      await store.write(GATE_REPORT_PATHS.markdown, Readable.from([Buffer.from(gateReportMarkdown(result))]));
      await store.write(GATE_REPORT_PATHS.html, Readable.from([Buffer.from(gateReportHtml(result))]));
      return [];
    } catch (error) {
      return [
        `The gate was recorded, but its reports could not be written to the run's artifact location ` +
          `${run.artifact_uri}: ${(error as Error).message}`,
      ];
    }
  }

  registerRpc(
    app,
    {
      method: "POST",
      path: "gates/evaluate",
      request: z.object({
        policy_yaml: z.string().min(1),
        policy_file: z.string().min(1).optional(),
        // Optional with a model version: the gate then judges the version's own run.
        run_id: z.string().min(1).optional(),
        model_name: z.string().min(1).optional(),
        version: version.optional(),
      }),
      async handle(input) {
        const policy = parseGatePolicy(input.policy_yaml, input.policy_file ?? "policy_yaml");
        const { result, record } = await evaluateGate(
          db,
          policy,
          { runId: input.run_id, modelName: input.model_name, version: input.version },
          ctx.now(),
        );
        const warnings = await storeReports(result);
        return {
          gate: result,
          ...(record === undefined ? {} : { record_id: record.id }),
          ...(warnings.length === 0 ? {} : { warnings }),
        };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "gates/records",
      request: z.object({
        model_name: z.string().min(1),
        version: version.optional(),
        max_results: int64().optional(),
      }),
      async handle(input) {
        return {
          records: await listGateRecords(db, {
            modelName: input.model_name,
            version: input.version,
            maxResults: input.max_results,
          }),
        };
      },
    },
    FLOWOPS_API_PREFIXES,
  );
}
