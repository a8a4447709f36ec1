/**
 * The AnalysisTemplates a deployment can use: the built-in ones plus those it was created with (a user's
 * template of the same name takes precedence), and the check that every template a rollout spec names
 * exists, made once when the deployment is created so a rollout never stops on a missing template.
 */
import { invalidParameter } from "../../errors.js";
import { parseAnalysisTemplate, type AnalysisTemplate } from "../analysis/analysisTemplate.js";
import type { AnalysisRef, RolloutSpec } from "../rollout/rolloutSpec.js";
import { defaultAnalysisTemplates } from "./defaultRollout.js";

export type TemplateSet = ReadonlyMap<string, AnalysisTemplate>;

/** Parses a user's templates (errors read `file:line: ...`); refuses two templates with one name. */
export function parseTemplates(
  inputs: readonly { yaml: string; file: string }[],
): { name: string; yaml: string; template: AnalysisTemplate }[] {
  const parsed: { name: string; yaml: string; template: AnalysisTemplate }[] = [];
  const files = new Map<string, string>();
  for (const input of inputs) {
    const template = parseAnalysisTemplate(input.yaml, input.file);
    const name = template.metadata.name;
    const earlier = files.get(name);
    if (earlier !== undefined) {
      throw invalidParameter(
        `${input.file}: AnalysisTemplate '${name}' is already defined by ${earlier}; template names must be unique`,
      );
    }
    files.set(name, input.file);
    parsed.push({ name, yaml: input.yaml, template });
  }
  return parsed;
}

/** The built-in templates overlaid with a deployment's own, by name. */
export function templateSet(own: readonly { name: string; template: AnalysisTemplate }[]): TemplateSet {
  const set = new Map<string, AnalysisTemplate>();
  for (const template of defaultAnalysisTemplates()) set.set(template.metadata.name, template);
  for (const { name, template } of own) set.set(name, template);
  return set;
}

/** A stored deployment's templates, parsed again from the text its author wrote. */
export function storedTemplateSet(
  deployment: string,
  stored: readonly { name: string; yaml: string }[],
): TemplateSet {
  return templateSet(
    stored.map(({ name, yaml }) => ({
      name,
      template: parseAnalysisTemplate(yaml, `<deployment ${deployment} template ${name}>`),
    })),
  );
}

/** Every template name the spec refers to, with where it is referred to. */
export function referencedTemplates(spec: RolloutSpec): { name: string; where: string }[] {
  const refs: { ref: AnalysisRef | undefined; where: string }[] = [];
  const strategy = spec.strategy;
  switch (strategy.kind) {
    case "canary":
      strategy.canary.steps.forEach((s, i) => {
        if (s.kind === "analysis")
          refs.push({ ref: s.analysis, where: `strategy.canary.steps[${i}].analysis` });
      });
      refs.push({ ref: strategy.canary.analysis, where: "strategy.canary.analysis" });
      break;
    case "blueGreen":
      refs.push({
        ref: strategy.blueGreen.prePromotionAnalysis,
        where: "strategy.blueGreen.prePromotionAnalysis",
      });
      refs.push({
        ref: strategy.blueGreen.postPromotionAnalysis,
        where: "strategy.blueGreen.postPromotionAnalysis",
      });
      break;
    case "shadow":
      refs.push({ ref: strategy.shadow.analysis, where: "strategy.shadow.analysis" });
      break;
    case "abTest":
      break;
  }
  return refs.flatMap(({ ref, where }) =>
    (ref?.templates ?? []).map((t, i) => ({ name: t.templateName, where: `${where}.templates[${i}]` })),
  );
}

/** INVALID_PARAMETER_VALUE naming the first template the spec uses that is not in `set`. */
export function checkTemplatesExist(spec: RolloutSpec, set: TemplateSet, specFile: string): void {
  for (const { name, where } of referencedTemplates(spec)) {
    if (!set.has(name)) {
      throw invalidParameter(
        `${specFile}: ${where}.templateName: AnalysisTemplate '${name}' is not defined ` +
          `(defined: ${[...set.keys()].join(", ")}); pass it with --analysis <file>`,
      );
    }
  }
}
