import { describe, expect, it } from "vitest";
import { parseAnalysisTemplate } from "../analysis/analysisTemplate.js";
import { defaultRolloutSpec } from "../deployments/defaultRollout.js";
import { parseRolloutSpec } from "../rollout/rolloutSpec.js";
import { clusterAnalysisTemplates } from "./clusterAnalysisTemplates.js";

const template = (name: string, metric: string) =>
  parseAnalysisTemplate(
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  metrics:
    - name: ${metric.replace(/_/g, "-")}
      interval: 10s
      failureCondition: result > 0.05
      provider:
        flowops: {metric: ${metric}}
`,
    `${name}.yaml`,
  );

const names = (templates: { metadata: { name: string } }[]) => templates.map((t) => t.metadata.name);
const metricsOf = (templates: { spec: { metrics: { name: string }[] } }[], index: number) =>
  templates[index]?.spec.metrics.map((metric) => metric.name);

describe("clusterAnalysisTemplates", () => {
  it("joins the built-in template the spec names, without the metrics a cluster cannot measure, with a note", () => {
    const { templates, notes } = clusterAnalysisTemplates(defaultRolloutSpec("canary"), []);
    expect(names(templates)).toEqual(["flowops-default"]);
    expect(metricsOf(templates, 0)).toEqual(["error-rate", "latency-p99"]);
    expect(notes).toEqual([
      "built-in analysis 'flowops-default' renders without agreement (measured inside the embedded server only)",
    ]);
  });

  it("joins no built-in template the spec does not name", () => {
    const spec = parseRolloutSpec(
      `strategy:
  canary:
    steps:
      - setWeight: 50
      - analysis: {templates: [{templateName: error-rate}]}
      - setWeight: 100
`,
      "rollout.yaml",
    );
    const supplied = [template("error-rate", "error_rate")];
    expect(clusterAnalysisTemplates(spec, supplied)).toEqual({ templates: supplied, notes: [] });
    expect(clusterAnalysisTemplates(defaultRolloutSpec("abTest"), [])).toEqual({ templates: [], notes: [] });
  });

  it("keeps the user's template of a built-in's name as written, instead of the built-in", () => {
    const own = template("flowops-default", "agreement");
    const { templates, notes } = clusterAnalysisTemplates(defaultRolloutSpec("canary"), [own]);
    expect(templates).toEqual([own]);
    expect(notes).toEqual([]);
  });

  it("puts the user's templates first, then the built-ins named anywhere in the spec", () => {
    const spec = parseRolloutSpec(
      `strategy:
  canary:
    steps:
      - analysis: {templates: [{templateName: flowops-default-bounded}, {templateName: error-rate}]}
      - setWeight: 100
    analysis: {templates: [{templateName: flowops-default}]}
`,
      "rollout.yaml",
    );
    const { templates, notes } = clusterAnalysisTemplates(spec, [template("error-rate", "error_rate")]);
    expect(names(templates)).toEqual(["error-rate", "flowops-default", "flowops-default-bounded"]);
    expect(notes).toHaveLength(2);
  });

  it("finds the built-ins a blue-green or shadow spec names in its analyses", () => {
    for (const strategy of ["blueGreen", "shadow"] as const) {
      const { templates, notes } = clusterAnalysisTemplates(defaultRolloutSpec(strategy), []);
      expect(names(templates)).toEqual(["flowops-default-bounded"]);
      expect(metricsOf(templates, 0)).toEqual(["error-rate", "latency-p99"]);
      expect(notes).toEqual([
        "built-in analysis 'flowops-default-bounded' renders without agreement " +
          "(measured inside the embedded server only)",
      ]);
    }
  });
});
