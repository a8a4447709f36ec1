/** Routes of this resource are registered here; the module is filled in by its capability's work. */
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";

export async function trackingRoutes(_app: FastifyInstance, _ctx: ServerContext): Promise<void> {}
