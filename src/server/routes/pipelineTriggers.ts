/**
 * The pipeline webhook: `POST /api/v1/pipelines/:name/trigger` starts a run of a pipeline the process
 * was given (`flowops pipeline trigger --webhook` serves its repository's pipeline). The answer is 202 as
 * soon as the firing is recorded; the run's outcome goes to the trigger log. With a shared secret
 * configured, the request must carry it in `X-FlowOps-Trigger-Secret`. Not registerRpc: the answer is
 * 202 Accepted, since the run goes on after the response.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { FlowOpsError, notFound } from "../../errors.js";
import type { TriggerRunner } from "../../pipelines/triggers/triggerRunner.js";
import { sendWire } from "../rpc.js";
import { parseRequest } from "../wire.js";
import { FLOWOPS_API_PREFIXES } from "./datasets.js";

export const TRIGGER_SECRET_HEADER = "x-flowops-trigger-secret";

export interface PipelineTriggerTargets {
  /** The runner of a pipeline by name; undefined when this process does not serve that pipeline. */
  runnerFor(name: string): TriggerRunner | undefined;
  /** When set, requests must carry it in the secret header. */
  secret?: string | undefined;
}

const triggerRequest = z.object({ name: z.string().min(1), reason: z.string().min(1).max(1000).optional() });

export async function pipelineTriggerRoutes(
  app: FastifyInstance,
  targets: PipelineTriggerTargets | undefined,
): Promise<void> {
  for (const prefix of FLOWOPS_API_PREFIXES) {
    app.post(`${prefix}/pipelines/:name/trigger`, async (request, reply) => {
      checkSecret(request, targets?.secret);
      const input = parseRequest(triggerRequest, {
        ...(request.body as object | undefined),
        ...(request.params as object),
      });
      const runner = targets?.runnerFor(input.name);
      if (runner === undefined) {
        throw notFound(
          `No pipeline '${input.name}' accepts triggers here; serve it with \`flowops pipeline trigger --webhook\` in its repository.`,
        );
      }
      const { record } = await runner.start("webhook", input.reason ?? `webhook from ${request.ip}`);
      // 200 for a skipped firing: nothing was accepted for processing, and the record says why.
      return sendWire(reply, { trigger: record }, record.outcome === "skipped" ? 200 : 202);
    });
  }
}

function checkSecret(request: FastifyRequest, secret: string | undefined): void {
  if (secret === undefined) return;
  const given = request.headers[TRIGGER_SECRET_HEADER];
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  if (typeof given !== "string" || !timingSafeEqual(digest(given), digest(secret))) {
    throw new FlowOpsError("UNAUTHENTICATED", `Missing or wrong ${TRIGGER_SECRET_HEADER} header.`);
  }
}
