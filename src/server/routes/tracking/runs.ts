/** Run lifecycle RPCs (create, get, update, delete, restore) and single-tag RPCs: thin handlers. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { RUN_STATUSES } from "../../../tracking/entities.js";
import {
  createRun,
  deleteRun,
  deleteRunTag,
  getRun,
  restoreRun,
  setRunTag,
  updateRun,
} from "../../../tracking/runStore.js";
import type { ServerContext } from "../../context.js";
import { registerRpc } from "../../rpc.js";
import { int64 } from "../../wire.js";
import { experimentId, tagList, withRunId } from "./requestFields.js";

export async function runRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.meta.db;

  registerRpc(app, {
    method: "POST",
    path: "runs/create",
    request: z.object({
      experiment_id: experimentId(),
      user_id: z.string().optional(),
      run_name: z.string().optional(),
      start_time: int64().optional(),
      tags: tagList(),
    }),
    handle: async (input) => ({ run: await createRun(db, input, ctx.now()) }),
  });

  registerRpc(app, {
    method: "GET",
    path: "runs/get",
    request: withRunId({}),
    handle: async (input) => ({ run: await getRun(db, input.run_id) }),
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/update",
    request: withRunId({
      status: z.enum(RUN_STATUSES).optional(),
      end_time: int64().optional(),
      run_name: z.string().optional(),
    }),
    handle: async (input) => ({ run_info: await updateRun(db, input.run_id, input) }),
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/delete",
    request: withRunId({}),
    handle: async (input) => {
      await deleteRun(db, input.run_id, ctx.now());
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/restore",
    request: withRunId({}),
    handle: async (input) => {
      await restoreRun(db, input.run_id);
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/set-tag",
    request: withRunId({ key: z.string(), value: z.string() }),
    handle: async (input) => {
      await setRunTag(db, input.run_id, { key: input.key, value: input.value });
      return {};
    },
  });

  registerRpc(app, {
    method: "POST",
    path: "runs/delete-tag",
    request: withRunId({ key: z.string() }),
    handle: async (input) => {
      await deleteRunTag(db, input.run_id, input.key);
      return {};
    },
  });
}
