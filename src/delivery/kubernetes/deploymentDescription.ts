/**
 * What a deployment to Kubernetes is made of, as the renderers read it. The rollout and analysis shapes are
 * the structural subset of rollout.yaml (src/delivery/rollout) and Argo AnalysisTemplates
 * (src/delivery/analysis) that rendering needs, so a parsed spec from either module can be passed as is.
 */

export type CanaryStep =
  | { setWeight: number }
  | { pause: { duration?: string | number } }
  | { analysis: { templates: { templateName: string }[]; args?: AnalysisArg[] } };

export interface AnalysisArg {
  name: string;
  value?: string;
}

export interface AnalysisReference {
  templates: { templateName: string }[];
  args?: AnalysisArg[];
}

export type RolloutStrategy =
  | { canary: { steps: CanaryStep[]; analysis?: AnalysisReference & { startingStep?: number } } }
  | {
      blueGreen: {
        autoPromotionEnabled?: boolean;
        autoPromotionSeconds?: number;
        prePromotionAnalysis?: AnalysisReference;
        postPromotionAnalysis?: AnalysisReference;
        scaleDownDelaySeconds?: number;
      };
    }
  | { abTest: Record<string, unknown> }
  | { shadow: Record<string, unknown> };

/** The in-process metrics FlowOps can also read back from Prometheus. */
export type FlowOpsMetricName =
  | "error_rate"
  | "latency_p50"
  | "latency_p95"
  | "latency_p99"
  | "prediction_psi"
  | "agreement"
  | "online_accuracy";

export type MetricProvider =
  | { prometheus: { address?: string; query: string } }
  | { flowops: { metric: FlowOpsMetricName; compare?: "stable"; window?: string } };

export interface AnalysisMetric {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  dryRun?: boolean;
  provider: MetricProvider;
}

export interface AnalysisTemplateDefinition {
  metadata: { name: string };
  spec: { args?: AnalysisArg[]; metrics: AnalysisMetric[] };
}

export interface ResourceQuantities {
  cpu?: string;
  memory?: string;
  "nvidia.com/gpu"?: string;
}

export type RenderTarget = "argo-rollouts" | "kserve";

export interface DeploymentDescription {
  /** The serving endpoint's name; every object's name derives from it. */
  endpoint: string;
  /** The model FlowOps serves, e.g. `models:/churn/3`. */
  modelUri: string;
  /** The model version the candidate serves; the `version` label of FlowOps' serving metrics. */
  modelVersion: string;
  /** The version serving now, for analyses that compare the candidate with it. */
  stableModelVersion?: string;
  /** Defaults to `flowops/flowops:<FlowOps version>`. */
  image?: string;
  replicas: number;
  resources?: { requests?: ResourceQuantities; limits?: ResourceQuantities };
  namespace?: string;
  rollout: { strategy: RolloutStrategy };
  analysisTemplates: AnalysisTemplateDefinition[];
  /** Where Argo's analysis reads metrics when a template names no address. */
  prometheusAddress?: string;
  target: RenderTarget;
}

/** Port `flowops serve` listens on inside the container. */
export const SERVING_PORT = 8080;
export const DEFAULT_PROMETHEUS_ADDRESS = "http://prometheus-operated.monitoring.svc:9090";
