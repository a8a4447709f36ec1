/**
 * Starts `flowops server`: resolves MLflow-compatible settings to concrete locations, opens the metadata
 * database (running migrations), and listens. Returns a handle so the CLI and quickstart can stop it.
 */
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { flowopsHome, openMetadataDb } from "../db/connect.js";
import { createEmbeddedDelivery } from "../delivery/deployments/embeddedDelivery.js";
import {
  DEFAULT_PROTECTED_ALIASES,
  DEFAULT_PROTECTED_STAGES,
  parseProtectedList,
  validateProtectedStages,
} from "../registry/promotionGuard.js";
import { buildServer } from "./app.js";
import type { ServerConfig, ServerContext } from "./context.js";

export interface ServerSettings {
  host?: string | undefined;
  port?: number | undefined;
  backendStoreUri?: string | undefined;
  defaultArtifactRoot?: string | undefined;
  artifactsDestination?: string | undefined;
  serveArtifacts?: boolean | undefined;
  bodyLimit?: number | undefined;
  /** Comma lists as given on the command line; "" protects none. Env FLOWOPS_PROTECTED_* otherwise. */
  protectedAliases?: string | undefined;
  protectedStages?: string | undefined;
}

export interface RunningServer {
  url: string;
  config: ServerConfig;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** MLflow's defaults, with `.flowops/` (or $FLOWOPS_HOME) as the home of the embedded store and files. */
export function resolveServerConfig(
  settings: ServerSettings,
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const home = flowopsHome(env);
  const serveArtifacts = settings.serveArtifacts ?? true;
  const artifactsDestination = settings.artifactsDestination ?? join(home, "artifacts");
  return {
    host: settings.host ?? "127.0.0.1",
    port: settings.port ?? 5000,
    backendStoreUri: settings.backendStoreUri ?? `sqlite:///${join(home, "flowops.db")}`,
    defaultArtifactRoot:
      settings.defaultArtifactRoot ?? (serveArtifacts ? "mlflow-artifacts:/" : artifactsDestination),
    artifactsDestination,
    serveArtifacts,
    bodyLimit: settings.bodyLimit ?? 32 * 1024 * 1024,
    protectedAliases:
      parseProtectedList(settings.protectedAliases ?? env.FLOWOPS_PROTECTED_ALIASES) ??
      DEFAULT_PROTECTED_ALIASES,
    protectedStages: validateProtectedStages(
      parseProtectedList(settings.protectedStages ?? env.FLOWOPS_PROTECTED_STAGES) ??
        DEFAULT_PROTECTED_STAGES,
      settings.protectedStages !== undefined ? "--protected-stages" : "FLOWOPS_PROTECTED_STAGES",
    ),
  };
}

export async function startServer(
  settings: ServerSettings,
  options: { logger?: boolean | { level: string } } = {},
): Promise<RunningServer> {
  const config = resolveServerConfig(settings);
  const meta = await openMetadataDb(config.backendStoreUri);
  let url = "";
  // Deployments load their models through this server's own API once it listens.
  const delivery = createEmbeddedDelivery({
    meta,
    trackingUri: () => url,
    log: (message) => app.log.warn(message),
  });
  const ctx: ServerContext = { config, meta, now: () => Date.now(), delivery };
  const app = await buildServer(ctx, options);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await delivery.close();
    await meta.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  // A restarted server resumes every deployment with the split and analyses it had.
  await delivery.resume();
  delivery.start();
  return {
    url,
    config: { ...config, port },
    app,
    async close() {
      await app.close();
      await delivery.close();
      await meta.close();
    },
  };
}
