/**
 * What every route plugin receives: the server's settings and the opened metadata database. Stores are
 * cheap, stateless wrappers over the database, so each plugin builds the ones it needs.
 */
import type { MetadataDb } from "../db/connect.js";
import type { DeliveryController } from "../delivery/deployments/deliveryController.js";
import type { DriftMonitor } from "../monitoring/online/driftMonitor.js";
import type { RetrainingLoop } from "../monitoring/retraining/retrainingLoop.js";
import type { ServerMetrics } from "../monitoring/metrics/serverMetrics.js";
import type { WebhookDeliverySettings } from "../registry/webhooks/webhookSettings.js";
import type { SloMonitor } from "../monitoring/slo/sloMonitor.js";

export interface ServerConfig {
  host: string;
  port: number;
  backendStoreUri: string;
  /** Root for new experiments' artifact_location, e.g. `mlflow-artifacts:/`, `s3://bucket/path`, a local dir. */
  defaultArtifactRoot: string;
  /** Where the mlflow-artifacts proxy stores files: a local directory or an `s3://` URI. */
  artifactsDestination: string;
  serveArtifacts: boolean;
  /** Largest accepted JSON request body, in bytes. */
  bodyLimit: number;
  /**
   * Aliases that need a passing quality-gate record before a version may take them; ["production"] when
   * unset, [] protects none. Read through registry/promotionGuard's `promotionProtection`, which applies
   * the defaults in one place.
   */
  protectedAliases?: readonly string[];
  /** Stages guarded the same way; ["Production"] when unset. */
  protectedStages?: readonly string[];
  /** Registry webhook delivery (URL schemes, private addresses, timeouts); mlflow's defaults when unset. */
  webhooks?: WebhookDeliverySettings;
  /**
   * Where the key that encrypts webhook secrets is kept when MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY is unset
   * (generated on first use); unset, such a server's key lasts as long as the process, as mlflow's does.
   */
  webhookSecretKeyFile?: string;
  /** `--static-prefix`: the path every route sits under (server/staticPrefix.ts); none when unset. */
  staticPrefix?: string;
}

export interface ServerContext {
  config: ServerConfig;
  meta: MetadataDb;
  /** Milliseconds since the epoch; injected so tests can pin time. */
  now(): number;
  /**
   * Safe delivery (deployments, rollouts, endpoint inference); its routes are registered only when set. It
   * owns timers and loaded models, so whoever creates it starts and closes it.
   */
  delivery?: DeliveryController;
  /** Live monitoring of the delivery's endpoints; created, started and closed with `delivery`. */
  monitoring?: ServerMonitoring;
  /** The retraining loop, when a retraining config was given; its routes are registered only when set. */
  retraining?: RetrainingLoop;
}

/** The monitors a server runs over its endpoints; each owns timers, so whoever creates them closes them. */
export interface ServerMonitoring {
  drift: DriftMonitor;
  /** SLO evaluation over the endpoints' answers; alerts go to the monitoring event log and webhooks. */
  slo?: SloMonitor;
  /** The Prometheus registry served at `/metrics`; its HTTP hook is installed when the server is built. */
  metrics?: ServerMetrics;
}
