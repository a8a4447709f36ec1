/**
 * The delivery stack of the embedded default, in one place: live telemetry and the feedback ledger, the
 * endpoint registry that routes traffic in-process, the metric providers, the store, and the controller
 * that drives rollouts. The tracking server builds one; tests and benchmarks build one with a model loader
 * of their own (fault injection) and the same everything else.
 */
import type { MetadataDb } from "../../db/connect.js";
import { loadModel } from "../../serving/loadModel.js";
import type { BatchingOptions } from "../../serving/dynamicBatcher.js";
import type { ServingMetrics } from "../../serving/servingMetrics.js";
import { PrometheusMetricProvider } from "../analysis/prometheusProvider.js";
import { EndpointRegistry, type ModelLoader } from "../routing/endpointRegistry.js";
import { FeedbackLedger } from "../telemetry/feedbackLedger.js";
import { FlowOpsMetricProvider } from "../telemetry/flowopsMetricProvider.js";
import { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { DeliveryController } from "./deliveryController.js";
import { DeploymentStore } from "./deploymentStore.js";
import { resolveModelKey } from "./modelKey.js";
import { WebhookNotifier } from "./webhookNotifier.js";

export interface EmbeddedDeliveryOptions {
  meta: MetadataDb;
  /** The tracking server models are fetched from; read when a model is first loaded (after listen). */
  trackingUri: () => string;
  now?: () => number;
  /** Loads a model key for an endpoint; loadModel through the tracking server by default. */
  loader?: ModelLoader;
  /** FlowOps home of the model store; $FLOWOPS_HOME, then ./.flowops. */
  home?: string;
  batching?: BatchingOptions;
  metrics?: ServingMetrics;
  /** How often rollouts and analyses are advanced, in ms (250 by default). */
  tickMs?: number;
  log?: (message: string) => void;
}

export function createEmbeddedDelivery(options: EmbeddedDeliveryOptions): DeliveryController {
  const telemetry = new LiveTelemetry();
  const feedback = new FeedbackLedger();
  const log = options.log;
  const loader: ModelLoader =
    options.loader ??
    ((key, endpoint) =>
      loadModel(key, {
        trackingUri: options.trackingUri(),
        name: endpoint,
        ...(options.home === undefined ? {} : { home: options.home }),
        ...(log === undefined ? {} : { log }),
      }));
  const registry = new EndpointRegistry({
    loader,
    telemetry,
    feedback,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.batching === undefined ? {} : { batching: options.batching }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(log === undefined ? {} : { log }),
  });
  return new DeliveryController({
    store: new DeploymentStore(options.meta),
    registry,
    providers: [new FlowOpsMetricProvider({ telemetry, feedback }), new PrometheusMetricProvider()],
    telemetry,
    feedback,
    resolveModelKey: (uri) => resolveModelKey(uri, options.meta.db),
    webhooks: new WebhookNotifier(log === undefined ? {} : { log }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
    ...(log === undefined ? {} : { log }),
  });
}
