/**
 * Safe delivery's control plane on FlowOps' own API (`/api/v1/deployments`, `/api/v1/feedback`): create an
 * endpoint, deploy a new version into its rollout, promote, abort, retry, undo, read status and events, and
 * report ground-truth labels for served predictions. Validation only: every decision is the
 * DeliveryController's, and its errors (unknown endpoint, nothing in progress) pass through as they are.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { DeliveryController, DeploymentUpdate } from "../../delivery/deployments/deliveryController.js";
import { registerRpc } from "../rpc.js";
import { bool, int64 } from "../wire.js";
import { FLOWOPS_API_PREFIXES } from "./datasets.js";

/** The endpoint's name is checked by the controller, whose message says what a valid name is. */
const endpointName = z.string().min(1);

/** Argo's strategy keys, or the CLI's spellings of them; the controller maps one to the other. */
const strategy = z.enum(["canary", "blueGreen", "blue-green", "abTest", "ab-test", "shadow"]);

const label = z.union([z.string(), z.number(), z.boolean()]);
const feedbackItem = z.object({ request_id: z.string().min(1), label });

/** One label (`request_id`, `label`) or a batch (`items`); a missing field is named in the error. */
const feedbackRequest = z
  .object({
    items: z.array(feedbackItem).min(1, "expected at least one item").optional(),
    request_id: z.string().min(1).optional(),
    label: label.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.items !== undefined) return;
    if (value.request_id === undefined)
      ctx.addIssue({ code: "custom", path: ["request_id"], message: "required" });
    else if (value.label === undefined)
      ctx.addIssue({ code: "custom", path: ["label"], message: "required" });
  });

/**
 * A rollout's spec, templates and webhooks: what creating an endpoint sets and what a deploy to an existing
 * one may replace (an absent field keeps the endpoint's).
 */
const rolloutFields = {
  strategy: strategy.optional(),
  rollout_yaml: z.string().min(1).optional(),
  rollout_file: z.string().min(1).optional(),
  analysis_templates: z.array(z.object({ yaml: z.string().min(1), file: z.string().min(1) })).optional(),
  webhooks: z.array(z.string().min(1)).optional(),
};

type RolloutFields = z.infer<z.ZodObject<typeof rolloutFields>>;

/** The controller's names for the fields given, leaving out those absent. */
function rolloutInput(input: RolloutFields): DeploymentUpdate {
  return {
    ...(input.strategy !== undefined ? { strategy: input.strategy } : {}),
    ...(input.rollout_yaml !== undefined ? { specYaml: input.rollout_yaml } : {}),
    ...(input.rollout_file !== undefined ? { specFile: input.rollout_file } : {}),
    ...(input.analysis_templates !== undefined ? { templates: input.analysis_templates } : {}),
    ...(input.webhooks !== undefined ? { webhooks: input.webhooks } : {}),
  };
}

/** The routes below `/deployments/:name` read the name from the path. */
const named = <T extends z.ZodRawShape>(shape: T) => z.object({ name: endpointName, ...shape });

export async function deploymentRoutes(app: FastifyInstance, delivery: DeliveryController): Promise<void> {
  registerRpc(
    app,
    {
      method: "GET",
      path: "deployments",
      request: z.object({}),
      async handle() {
        return { deployments: await delivery.list() };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "deployments",
      request: z.object({ name: endpointName, model_uri: z.string().min(1), ...rolloutFields }),
      async handle(input) {
        const deployment = await delivery.create({
          name: input.name,
          modelUri: input.model_uri,
          ...rolloutInput(input),
        });
        return { deployment };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "deployments/:name",
      request: named({}),
      async handle(input) {
        return { deployment: await delivery.status(input.name) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "DELETE",
      path: "deployments/:name",
      request: named({}),
      async handle(input) {
        await delivery.remove(input.name);
        return {};
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "deployments/:name/deploy",
      request: named({ model_uri: z.string().min(1), ...rolloutFields }),
      async handle(input) {
        const update = rolloutInput(input);
        const deployment =
          Object.keys(update).length === 0
            ? await delivery.deploy(input.name, input.model_uri)
            : await delivery.deploy(input.name, input.model_uri, update);
        return { deployment };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "deployments/:name/promote",
      request: named({ full: bool().optional() }),
      async handle(input) {
        return { deployment: await delivery.promote(input.name, input.full === true) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "deployments/:name/abort",
      request: named({ reason: z.string().min(1).optional() }),
      async handle(input) {
        return { deployment: await delivery.abort(input.name, input.reason) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  for (const action of ["retry", "undo"] as const) {
    registerRpc(
      app,
      {
        method: "POST",
        path: `deployments/:name/${action}`,
        request: named({}),
        async handle(input) {
          return { deployment: await delivery[action](input.name) };
        },
      },
      FLOWOPS_API_PREFIXES,
    );
  }

  registerRpc(
    app,
    {
      method: "GET",
      path: "deployments/:name/events",
      request: named({ after_id: int64().optional() }),
      async handle(input) {
        return { events: await delivery.events(input.name, input.after_id) };
      },
    },
    FLOWOPS_API_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "POST",
      path: "feedback",
      request: feedbackRequest,
      async handle(input) {
        if (input.items !== undefined) {
          const results = [];
          // In order, so a label sent twice for one request id is matched the way a client sent it.
          for (const item of input.items) {
            results.push({
              request_id: item.request_id,
              ...(await delivery.feedback(item.request_id, item.label)),
            });
          }
          return { results };
        }
        // The refinement above guarantees both when there are no items.
        return delivery.feedback(input.request_id as string, input.label as string | number | boolean);
      },
    },
    FLOWOPS_API_PREFIXES,
  );
}
