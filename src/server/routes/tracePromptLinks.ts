/**
 * LinkPromptsToTrace (`POST /api/2.0/mlflow/traces/link-prompts`, also under /ajax-api): the 3.x client
 * calls it when it exports a trace that loaded prompt versions. The request is read here; the links are
 * kept by src/tracking/traces/promptLinks.ts.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { TracePromptLinkStore } from "../../tracking/traces/promptLinks.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";

/**
 * The version as mlflow's handler reads it, with Python's int(): surrounding whitespace, a sign and
 * digit-group underscores are allowed (" 6" links version 6). mlflow answers a 500 for anything else; it
 * is the caller's mistake, so here it is a 400.
 */
const promptVersionNumber = z
  .string()
  .regex(/^\s*[+-]?\d+(_\d+)*\s*$/, { message: "expected an integer version" })
  .transform((s) => Number(s.trim().replaceAll("_", "")))
  .refine(Number.isSafeInteger, { message: "expected an integer version" });

const linkPromptsRequest = z.object({
  trace_id: z.string().min(1),
  // mlflow links a reference without a name as "/<version>"; it does not look prompts up.
  prompt_versions: z.array(
    z.object({ name: z.string().optional().default(""), version: promptVersionNumber }),
  ),
});

export async function tracePromptLinkRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new TracePromptLinkStore(ctx.meta, () => ctx.now());
  registerRpc(app, {
    method: "POST",
    path: "traces/link-prompts",
    request: linkPromptsRequest,
    async handle(input) {
      await store.link(input.trace_id, input.prompt_versions);
      return {};
    },
  });
}
