/**
 * The container that runs `flowops serve`, shared by the Argo Rollout's pod template and KServe's custom
 * predictor so both targets serve, probe and expose metrics the same way.
 */
import { FLOWOPS_VERSION } from "../../version.js";
import type { DeploymentDescription } from "./deploymentDescription.js";
import { SERVING_PORT } from "./deploymentDescription.js";

export const CONTAINER_NAME = "flowops-serve";
export const READINESS_PATH = "/v2/health/ready";
export const LIVENESS_PATH = "/v2/health/live";
export const METRICS_PATH = "/metrics";

export function defaultImage(): string {
  return `flowops/flowops:${FLOWOPS_VERSION}`;
}

/** Annotations Prometheus' kubernetes_sd configs conventionally read to find a pod's metrics. */
export function scrapeAnnotations(): Record<string, string> {
  return {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(SERVING_PORT),
    "prometheus.io/path": METRICS_PATH,
  };
}

export function servingContainer(description: DeploymentDescription): Record<string, unknown> {
  const resources = description.resources;
  return {
    name: CONTAINER_NAME,
    image: description.image ?? defaultImage(),
    args: ["serve", description.modelUri, "--port", String(SERVING_PORT)],
    ports: [{ name: "http", containerPort: SERVING_PORT, protocol: "TCP" }],
    readinessProbe: { httpGet: { path: READINESS_PATH, port: SERVING_PORT }, periodSeconds: 5 },
    livenessProbe: {
      httpGet: { path: LIVENESS_PATH, port: SERVING_PORT },
      periodSeconds: 10,
      failureThreshold: 3,
    },
    ...(resources === undefined ? {} : { resources: { ...resources } }),
  };
}
