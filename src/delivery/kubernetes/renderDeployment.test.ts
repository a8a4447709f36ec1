import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import Ajv from "ajv";
import type { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it } from "vitest";

import type { DeploymentDescription } from "./deploymentDescription.js";
import type { KubernetesObject } from "./kubernetesObject.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "./ownershipLabels.js";
import { renderManifests, renderDeployment } from "./renderDeployment.js";

const SCHEMA_FILES: Record<string, string> = {
  Rollout: "argo-rollouts-rollout.json",
  AnalysisTemplate: "argo-rollouts-analysistemplate.json",
  InferenceService: "kserve-inferenceservice.json",
  Service: "kubernetes-service-v1.json",
};

type Schema = Record<string, unknown>;

/**
 * Like `kubectl apply --validate=strict`: a field the schema does not list is an error rather than silently
 * pruned by the API server, so a misspelt field fails the test.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== "object") return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = strict(value);
  if (
    "properties" in copy &&
    !("additionalProperties" in copy) &&
    copy["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}

const validators = new Map<string, ValidateFunction>();
async function validatorFor(kind: string): Promise<ValidateFunction> {
  const cached = validators.get(kind);
  if (cached !== undefined) return cached;
  const file = SCHEMA_FILES[kind];
  if (file === undefined) throw new Error(`no vendored schema for kind ${kind}`);
  const text = await readFile(new URL(`../../../deploy/schemas/${file}`, import.meta.url), "utf8");
  const ajv = new Ajv.default({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(strict(JSON.parse(text)) as Schema);
  validators.set(kind, validate);
  return validate;
}

async function expectValid(objects: KubernetesObject[]): Promise<void> {
  for (const object of objects) {
    const validate = await validatorFor(object.kind);
    const valid = validate(JSON.parse(JSON.stringify(object)));
    expect(validate.errors ?? [], `${object.kind} ${object.metadata.name}`).toEqual([]);
    expect(valid).toBe(true);
  }
}

const templates: DeploymentDescription["analysisTemplates"] = [
  {
    metadata: { name: "error-rate" },
    spec: {
      metrics: [
        {
          name: "error-rate",
          interval: "1m",
          count: 5,
          failureLimit: 1,
          successCondition: "result[0] < 0.01",
          provider: { flowops: { metric: "error_rate" } },
        },
        {
          name: "p95-vs-stable",
          interval: "1m",
          successCondition: "result[0] < 0.05",
          dryRun: true,
          provider: { flowops: { metric: "latency_p95", compare: "stable", window: "2m" } },
        },
      ],
    },
  },
  {
    metadata: { name: "custom" },
    spec: { metrics: [{ name: "up", provider: { prometheus: { query: "min(up)" } } }] },
  },
];

function canary(overrides: Partial<DeploymentDescription> = {}): DeploymentDescription {
  return {
    endpoint: "churn",
    modelUri: "models:/churn/4",
    modelVersion: "4",
    stableModelVersion: "3",
    replicas: 3,
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
    namespace: "models",
    target: "argo-rollouts",
    analysisTemplates: templates,
    rollout: {
      strategy: {
        canary: {
          steps: [
            { setWeight: 20 },
            { pause: { duration: "5m" } },
            { analysis: { templates: [{ templateName: "error-rate" }] } },
            { setWeight: 50 },
            { pause: {} },
            { setWeight: 100 },
          ],
          analysis: { templates: [{ templateName: "custom" }], startingStep: 1 },
        },
      },
    },
    ...overrides,
  };
}

const blueGreen = (): DeploymentDescription =>
  canary({
    rollout: {
      strategy: {
        blueGreen: {
          autoPromotionEnabled: false,
          prePromotionAnalysis: { templates: [{ templateName: "error-rate" }] },
          postPromotionAnalysis: { templates: [{ templateName: "custom" }] },
        },
      },
    },
  });

describe("Kubernetes render", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("renders a canary Rollout, stable and canary Services and AnalysisTemplates that validate against the vendored schemas", async () => {
    const objects = renderManifests(canary());
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      "Rollout/churn",
      "Service/churn-stable",
      "Service/churn-canary",
      "AnalysisTemplate/churn-error-rate",
      "AnalysisTemplate/churn-custom",
    ]);
    await expectValid(objects);
  });

  it("renders blue-green with active and preview Services that validate", async () => {
    const objects = renderManifests(blueGreen());
    expect(
      objects.filter((object) => object.kind === "Service").map((object) => object.metadata.name),
    ).toEqual(["churn-active", "churn-preview"]);
    const strategy = (objects[0]?.spec.strategy ?? {}) as { blueGreen: Record<string, unknown> };
    expect(strategy.blueGreen).toMatchObject({
      activeService: "churn-active",
      previewService: "churn-preview",
    });
    await expectValid(objects);
  });

  it("renders a KServe InferenceService with the first canary weight that validates", async () => {
    const objects = renderManifests(canary({ target: "kserve" }));
    expect(objects).toHaveLength(1);
    expect(objects[0]?.spec).toMatchObject({ predictor: { canaryTrafficPercent: 20, minReplicas: 3 } });
    await expectValid(objects);
    const [blue] = renderManifests({ ...blueGreen(), target: "kserve" });
    expect(blue?.spec).toMatchObject({ predictor: { canaryTrafficPercent: 0 } });
  });

  it("the schema check rejects a misspelt field, so validation is not vacuous", async () => {
    const [rollout] = renderManifests(canary());
    if (rollout === undefined) throw new Error("no rollout rendered");
    const broken = { ...rollout, spec: { ...rollout.spec, replica: 3 } };
    const validate = await validatorFor("Rollout");
    expect(validate(broken)).toBe(false);
  });

  it("runs flowops serve with the health probes and scrape annotations", () => {
    const [rollout] = renderManifests(canary());
    const template = rollout?.spec.template as {
      metadata: { annotations: Record<string, string> };
      spec: { containers: Record<string, unknown>[] };
    };
    expect(template.spec.containers[0]).toMatchObject({
      args: ["serve", "models:/churn/4", "--port", "8080"],
      readinessProbe: { httpGet: { path: "/v2/health/ready", port: 8080 } },
      livenessProbe: { httpGet: { path: "/v2/health/live", port: 8080 } },
    });
    expect(template.spec.containers[0]?.image).toMatch(/^flowops\/flowops:\d+\.\d+\.\d+/);
    expect(template.metadata.annotations["prometheus.io/scrape"]).toBe("true");
  });

  it("queries the serving metrics FlowOps exports, with the candidate and stable versions as arguments", () => {
    const objects = renderManifests(canary());
    const analysis = objects.find((object) => object.metadata.name === "churn-error-rate");
    const metrics = analysis?.spec.metrics as { provider: { prometheus: { query: string } } }[];
    expect(metrics[0]?.provider.prometheus.query).toBe(
      'sum(rate(flowops_inference_errors_total{model="{{args.model}}",version="{{args.version}}"}[5m])) / ' +
        'sum(rate(flowops_inference_requests_total{model="{{args.model}}",version="{{args.version}}"}[5m]))',
    );
    expect(metrics[1]?.provider.prometheus.query).toContain("histogram_quantile(0.95");
    expect(metrics[1]?.provider.prometheus.query).toContain('version="{{args.stable-version}}"');
    expect(analysis?.spec.dryRun).toEqual([{ metricName: "p95-vs-stable" }]);
    const steps = (objects[0]?.spec.strategy as { canary: { steps: Record<string, unknown>[] } }).canary
      .steps;
    expect(steps[2]).toEqual({
      analysis: {
        templates: [{ templateName: "churn-error-rate" }],
        args: [
          { name: "model", value: "churn" },
          { name: "version", value: "4" },
          { name: "stable-version", value: "3" },
        ],
      },
    });
  });

  it("labels every object as FlowOps-managed", () => {
    for (const object of renderManifests(canary())) {
      expect(object.metadata.labels[MANAGED_BY_LABEL]).toBe(MANAGED_BY_VALUE);
    }
  });

  it("rejects a FlowOps metric that has no Prometheus series, naming the template and metric", () => {
    const description = canary({
      analysisTemplates: [
        {
          metadata: { name: "drift" },
          spec: { metrics: [{ name: "psi", provider: { flowops: { metric: "prediction_psi" } } }] },
        },
      ],
      rollout: { strategy: { canary: { steps: [{ setWeight: 100 }] } } },
    });
    expect(() => renderManifests(description)).toThrow(
      /analysis template 'drift', metrics\[0\] 'psi'.*prediction_psi/,
    );
  });

  it("rejects an analysis step naming a template the deployment does not have", () => {
    const description = canary({
      rollout: {
        strategy: {
          canary: { steps: [{ analysis: { templates: [{ templateName: "nope" }] } }, { setWeight: 100 }] },
        },
      },
    });
    expect(() => renderManifests(description)).toThrow(
      /strategy.canary.steps\[0\]: analysis template 'nope'/,
    );
  });

  it("rejects a strategy Argo Rollouts cannot express", () => {
    const description = canary({ rollout: { strategy: { shadow: { mirrorPercent: 10 } } } });
    expect(() => renderManifests(description)).toThrow(/'shadow' has no Argo Rollouts equivalent/);
  });

  it("renders identically twice", () => {
    expect(renderManifests(canary())).toEqual(renderManifests(canary()));
  });

  it("writes one YAML file per object that parses back to the rendered objects", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-k8s-"));
    dirs.push(dir);
    const paths = await renderDeployment(canary(), join(dir, "out"));
    expect((await readdir(join(dir, "out"))).sort()).toEqual([
      "analysistemplate-churn-custom.yaml",
      "analysistemplate-churn-error-rate.yaml",
      "rollout-churn.yaml",
      "service-churn-canary.yaml",
      "service-churn-stable.yaml",
    ]);
    const parsed: unknown[] = [];
    for (const path of paths) {
      for (const document of parseAllDocuments(await readFile(path, "utf8"))) parsed.push(document.toJS());
    }
    expect(parsed).toEqual(JSON.parse(JSON.stringify(renderManifests(canary()))));
  });
});
