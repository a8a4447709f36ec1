/**
 * Starts `flowops server`: resolves MLflow-compatible settings to concrete locations, opens the metadata
 * database (running migrations), and listens. Returns a handle so the CLI and quickstart can stop it.
 */
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { FlowOpsClient } from "../client/index.js";
import { flowopsHome, openMetadataDb } from "../db/connect.js";
import { DeploymentStore } from "../delivery/deployments/deploymentStore.js";
import { createEmbeddedDelivery } from "../delivery/deployments/embeddedDelivery.js";
import { WebhookNotifier } from "../delivery/deployments/webhookNotifier.js";
import { MonitoringEventStore } from "../monitoring/events/monitoringEventStore.js";
import { ServerMetrics } from "../monitoring/metrics/serverMetrics.js";
import { DriftMonitor } from "../monitoring/online/driftMonitor.js";
import { DriftReportStore } from "../monitoring/online/driftReportStore.js";
import { ProfileStore } from "../monitoring/online/profileStore.js";
import { readRetrainingConfig } from "../monitoring/retraining/retrainingConfig.js";
import { RetrainingLoop } from "../monitoring/retraining/retrainingLoop.js";
import { RetrainingRunStore } from "../monitoring/retraining/retrainingRunStore.js";
import { readMonitoringConfig, SloMonitor } from "../monitoring/slo/sloMonitor.js";
import {
  DEFAULT_PROTECTED_ALIASES,
  DEFAULT_PROTECTED_STAGES,
  parseProtectedList,
  validateProtectedStages,
} from "../registry/promotionGuard.js";
import { webhookSettingsFromEnv } from "../registry/webhooks/webhookSettings.js";
import { buildServer } from "./app.js";
import { validateStaticPrefix } from "./staticPrefix.js";
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
  /** A monitoring config (SLOs, alert webhooks); env FLOWOPS_MONITORING_CONFIG, else the default SLOs. */
  monitoringConfig?: string | undefined;
  /** A retraining config (`--retraining-config`); env FLOWOPS_RETRAINING_CONFIG; no retraining without one. */
  retrainingConfig?: string | undefined;
  /** `--static-prefix`: every route under this path; env MLFLOW_STATIC_PREFIX otherwise. */
  staticPrefix?: string | undefined;
}

export interface RunningServer {
  /** The server's tracking URI: its address, with the static prefix when there is one. */
  url: string;
  config: ServerConfig;
  app: FastifyInstance;
  /** The retraining loop, when a retraining config was given. */
  retraining?: RetrainingLoop;
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
    // mlflow's own variables (MLFLOW_WEBHOOK_ALLOWED_SCHEMES, MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS, ...).
    webhooks: webhookSettingsFromEnv(env),
    webhookSecretKeyFile: join(home, "webhook-secret.key"),
    ...staticPrefixSetting(settings.staticPrefix, env),
  };
}

function staticPrefixSetting(option: string | undefined, env: NodeJS.ProcessEnv): { staticPrefix?: string } {
  const prefix =
    option !== undefined
      ? validateStaticPrefix(option, "--static-prefix")
      : validateStaticPrefix(env.MLFLOW_STATIC_PREFIX, "MLFLOW_STATIC_PREFIX");
  return prefix === undefined ? {} : { staticPrefix: prefix };
}

export async function startServer(
  settings: ServerSettings,
  options: { logger?: boolean | { level: string } } = {},
): Promise<RunningServer> {
  const config = resolveServerConfig(settings);
  const monitoringConfig = await readMonitoringConfig(
    settings.monitoringConfig ?? process.env.FLOWOPS_MONITORING_CONFIG,
  );
  const retrainingFile = settings.retrainingConfig ?? process.env.FLOWOPS_RETRAINING_CONFIG;
  const retrainingConfig =
    retrainingFile === undefined || retrainingFile === ""
      ? undefined
      : await readRetrainingConfig(retrainingFile);
  const meta = await openMetadataDb(config.backendStoreUri);
  const metrics = new ServerMetrics();
  let url = "";
  // Deployments load their models through this server's own API once it listens.
  const delivery = createEmbeddedDelivery({
    meta,
    trackingUri: () => url,
    metrics: metrics.serving,
    log: (message) => app.log.warn(message),
  });
  metrics.watchDeployments(delivery);
  const driftMonitor = new DriftMonitor({
    registry: delivery.registry,
    profiles: new ProfileStore(meta),
    reports: new DriftReportStore(meta),
    ...monitoringConfig.drift,
    log: (message) => app.log.warn(message),
  });
  const sloMonitor = new SloMonitor({
    config: monitoringConfig.slos,
    registry: delivery.registry,
    events: new MonitoringEventStore(meta),
    webhooks: new WebhookNotifier({ log: (message) => app.log.warn(message) }),
    webhookUrls: monitoringConfig.webhooks,
    deployment: (endpoint) => delivery.status(endpoint),
    metrics,
    log: (message) => app.log.warn(message),
  });
  driftMonitor.addReportListener((endpoint, report) => {
    metrics.observeDrift(endpoint, report);
    sloMonitor.observeDriftShare(endpoint, report.share);
  });
  // The loop calls this server's own API, whose address is known once it listens.
  let selfClient: FlowOpsClient | undefined;
  const retraining =
    retrainingConfig === undefined
      ? undefined
      : new RetrainingLoop({
          config: retrainingConfig,
          delivery,
          deployments: new DeploymentStore(meta),
          client: () => (selfClient ??= new FlowOpsClient({ trackingUri: url })),
          runs: new RetrainingRunStore(meta),
          // No pipelineObserver: the loop's repro is tracked in this server, whose run updates feed the
          // pipeline metrics (monitoring/metrics/trackedRunMetrics.ts); observing here too would count twice.
          log: (message) => app.log.info(message),
        });
  if (retraining !== undefined) {
    driftMonitor.addReportListener((endpoint) => {
      void retraining.onDrift(endpoint, driftMonitor.status(endpoint).consecutiveDriftWindows);
    });
  }
  const ctx: ServerContext = {
    config,
    meta,
    now: () => Date.now(),
    delivery,
    monitoring: { drift: driftMonitor, slo: sloMonitor, metrics },
    ...(retraining === undefined ? {} : { retraining }),
  };
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
  url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}${config.staticPrefix ?? ""}`;
  // A restarted server resumes every deployment with the split and analyses it had.
  await delivery.resume();
  delivery.start();
  driftMonitor.start();
  sloMonitor.start();
  await retraining?.start();
  return {
    url,
    config: { ...config, port },
    app,
    ...(retraining === undefined ? {} : { retraining }),
    async close() {
      await app.close();
      await retraining?.close();
      await driftMonitor.close();
      await sloMonitor.close();
      await delivery.close();
      await meta.close();
    },
  };
}
