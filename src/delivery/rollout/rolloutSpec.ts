/**
 * `rollout.yaml`: how one deployment moves from its stable model to a candidate, in Argo Rollouts'
 * vocabulary (canary steps, blue-green, plus FlowOps' A/B test and shadow strategies). Parsing only: the
 * behaviour lives in rolloutMachine.ts. Every error names the file, the line and what was expected. Canary
 * steps need not end with `setWeight: 100`: once the last step completes the candidate takes all traffic.
 *
 *   strategy:
 *     canary:
 *       steps:
 *         - setWeight: 20
 *         - pause: {duration: 5m}
 *         - analysis: {templates: [{templateName: error-rate}]}
 *         - setWeight: 100
 *       analysis: {templates: [{templateName: latency}], startingStep: 1}
 */
import { z } from "zod";
import { parseYamlText, schemaProblem, type YamlFile } from "../../data/yamlFile.js";
import { DURATION_FORMS, parseArgoDuration } from "../analysis/argoDuration.js";

const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseArgoDuration(v) !== undefined, {
    message: `expected ${DURATION_FORMS}`,
  })
  .transform((v) => parseArgoDuration(v) ?? 0);

const weight = z
  .number({ message: "expected a number from 0 to 100" })
  .min(0, "expected a weight from 0 to 100")
  .max(100, "expected a weight from 0 to 100");

const analysisArg = z.object({ name: z.string().min(1), value: z.string() }).strict();

const analysisRef = z
  .object({
    templates: z.array(z.object({ templateName: z.string().min(1) }).strict()).min(1),
    args: z.array(analysisArg).optional(),
  })
  .strict();

const canaryStepFields = z
  .object({
    setWeight: weight.optional(),
    pause: z.object({ duration: duration.optional() }).strict().nullable().optional(),
    analysis: analysisRef.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const keys = Object.keys(step);
    if (keys.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `a step has exactly one of setWeight, pause, analysis (found ${keys.join(", ") || "none"})`,
      });
    }
  });

export type CanaryStep =
  | { kind: "setWeight"; weight: number }
  | { kind: "pause"; durationMs?: number }
  | { kind: "analysis"; analysis: AnalysisRef };

export type AnalysisRef = z.infer<typeof analysisRef>;

const canaryStep = canaryStepFields.transform((step): CanaryStep => {
  if (step.setWeight !== undefined) return { kind: "setWeight", weight: step.setWeight };
  if (step.analysis !== undefined) return { kind: "analysis", analysis: step.analysis };
  const durationMs = step.pause?.duration;
  return durationMs === undefined ? { kind: "pause" } : { kind: "pause", durationMs };
});

const canary = z
  .object({
    steps: z.array(canaryStep).min(1, "expected at least one step"),
    analysis: analysisRef
      .extend({ startingStep: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    scaleDownDelaySeconds: z.number().int().min(0).default(30),
    abortScaleDownDelaySeconds: z.number().int().min(0).default(30),
  })
  .strict();

const blueGreen = z
  .object({
    autoPromotionEnabled: z.boolean().default(true),
    autoPromotionSeconds: z.number().int().min(0).optional(),
    prePromotionAnalysis: analysisRef.optional(),
    postPromotionAnalysis: analysisRef.optional(),
    scaleDownDelaySeconds: z.number().int().min(0).default(30),
  })
  .strict();

const abTest = z
  .object({
    variants: z
      .array(z.object({ name: z.enum(["stable", "candidate"]), weight }).strict())
      .length(2, "expected two variants, stable and candidate"),
    stickiness: z
      .object({
        header: z.string().min(1).optional(),
        seed: z.string().min(1),
        separator: z.string().default(":"),
      })
      .strict(),
    headerRoute: z
      .object({
        header: z.string().min(1),
        match: z
          .object({
            exact: z.string().optional(),
            prefix: z.string().optional(),
            regex: z.string().optional(),
          })
          .strict(),
      })
      .strict()
      .optional(),
    test: z
      .object({
        metric: z.string().min(1),
        alpha: z.number().gt(0).lt(1).default(0.05),
        maxSamples: z.number().int().positive(),
      })
      .strict(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const names = new Set(value.variants.map((v) => v.name));
    const total = value.variants.reduce((sum, v) => sum + v.weight, 0);
    if (names.size !== 2 || total !== 100) {
      ctx.addIssue({
        code: "custom",
        path: ["variants"],
        message: `expected one stable and one candidate variant with weights summing to 100 (sum is ${total})`,
      });
    }
  });

const shadow = z
  .object({
    mirrorPercent: weight,
    duration: duration.optional(),
    analysis: analysisRef.optional(),
  })
  .strict();

const strategy = z
  .object({
    canary: canary.optional(),
    blueGreen: blueGreen.optional(),
    abTest: abTest.optional(),
    shadow: shadow.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `expected exactly one of canary, blueGreen, abTest, shadow (found ${keys.join(", ") || "none"})`,
      });
    }
  });

const rolloutFile = z.object({ strategy }).strict();

export type CanaryStrategy = z.infer<typeof canary>;
export type BlueGreenStrategy = z.infer<typeof blueGreen>;
export type AbTestStrategy = z.infer<typeof abTest>;
export type ShadowStrategy = z.infer<typeof shadow>;

export type RolloutStrategy =
  | { kind: "canary"; canary: CanaryStrategy }
  | { kind: "blueGreen"; blueGreen: BlueGreenStrategy }
  | { kind: "abTest"; abTest: AbTestStrategy }
  | { kind: "shadow"; shadow: ShadowStrategy };

export interface RolloutSpec {
  strategy: RolloutStrategy;
}

/** Parses the text of a rollout.yaml; `file` is used in messages. */
export function parseRolloutSpec(yamlText: string, file: string): RolloutSpec {
  return rolloutSpecFromYaml(parseYamlText(file, yamlText));
}

export function rolloutSpecFromYaml(yaml: YamlFile): RolloutSpec {
  const parsed = rolloutFile.safeParse(yaml.value);
  if (!parsed.success) throw schemaProblem(yaml, parsed.error.issues);
  // Steps may end below 100 %: as in Argo, the candidate is promoted to 100 % once the last step completes.
  return { strategy: toStrategy(parsed.data.strategy) };
}

function toStrategy(value: z.infer<typeof strategy>): RolloutStrategy {
  if (value.canary !== undefined) return { kind: "canary", canary: value.canary };
  if (value.blueGreen !== undefined) return { kind: "blueGreen", blueGreen: value.blueGreen };
  if (value.abTest !== undefined) return { kind: "abTest", abTest: value.abTest };
  // The schema's refinement guarantees exactly one key, so the last one is shadow.
  return { kind: "shadow", shadow: value.shadow as ShadowStrategy };
}
