/**
 * Starts the model server on a port and returns a handle whose `close` is the graceful shutdown: stop
 * accepting connections, let requests in flight finish, run queued batches, then close the models.
 */
import type { LoadedModel } from "../../serving/runtime.js";
import { buildServingApp, type ServingApp, type ServingAppOptions } from "./servingApp.js";

export interface ModelServerSettings extends ServingAppOptions {
  host?: string | undefined;
  port?: number | undefined;
}

export interface RunningModelServer extends ServingApp {
  url: string;
  close(): Promise<void>;
}

export async function startModelServer(settings: ModelServerSettings): Promise<RunningModelServer> {
  const serving = await buildServingApp(settings);
  try {
    await serving.app.listen({ host: settings.host ?? "127.0.0.1", port: settings.port ?? 8080 });
  } catch (error) {
    await serving.app.close();
    throw error;
  }
  const address = serving.app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (settings.port ?? 8080);
  const host = settings.host ?? "127.0.0.1";
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    ...serving,
    url: `http://${shownHost}:${port}`,
    close: () => (closing ??= serving.app.close()),
  };
}

/** One line per served model: where each protocol answers. */
export function describeEndpoints(url: string, models: readonly LoadedModel[]): string[] {
  const lines = models.map(
    (model) =>
      `  ${model.name} version ${model.version} (${model.platform}): POST ${url}/v2/models/${model.name}/versions/${model.version}/infer`,
  );
  const first = models[0];
  if (first !== undefined)
    lines.push(`  MLflow scoring: POST ${url}/invocations (${first.name}); metrics: ${url}/metrics`);
  return lines;
}
