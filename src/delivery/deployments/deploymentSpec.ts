/**
 * A deployment's rollout spec as `create` and `deploy` take it: a rollout.yaml or a built-in strategy's default
 * spec, its analysis templates and its webhooks, checked in full (the spec parses, its A/B metric can be
 * computed, every template it names exists) before anything is stored, and summarised for the event log.
 */
import { FlowOpsError } from "../../errors.js";
import { parseRolloutSpec, type RolloutSpec } from "../rollout/rolloutSpec.js";
import { defaultRolloutSpecYaml, type DefaultStrategy } from "./defaultRollout.js";
import type { DeploymentRecord } from "./deploymentStore.js";
import {
  checkTemplatesExist,
  parseTemplates,
  storedTemplateSet,
  templateSet,
  type TemplateSet,
} from "./deploymentTemplates.js";
import { checkExperimentMetric } from "./experimentExecutor.js";

/** Strategy names as rollout.yaml spells them, or as the CLI does. */
export type StrategyName = DefaultStrategy | "blue-green" | "ab-test";

export interface CreateDeploymentInput {
  name: string;
  modelUri: string;
  specYaml?: string;
  /** Names the spec in error messages. */
  specFile?: string;
  /** The default spec of this strategy when there is no specYaml (canary). */
  strategy?: StrategyName;
  templates?: { yaml: string; file: string }[];
  webhooks?: string[];
}

/**
 * What `deploy` may change of an existing deployment's rollout, as `kubectl apply` of a changed Rollout
 * does: the spec (a rollout.yaml, or the default spec of `strategy`), its templates and its webhooks. An
 * absent field keeps what the deployment has.
 */
export type DeploymentUpdate = Omit<CreateDeploymentInput, "name" | "modelUri">;

/** A validated spec with the templates and webhooks it comes with, ready to store. */
export interface ValidatedSpec {
  spec: RolloutSpec;
  specYaml: string;
  specFile: string;
  templates: { name: string; yaml: string }[];
  set: TemplateSet;
  webhooks: string[];
}

const CLI_STRATEGIES: Record<StrategyName, DefaultStrategy> = {
  canary: "canary",
  blueGreen: "blueGreen",
  "blue-green": "blueGreen",
  abTest: "abTest",
  "ab-test": "abTest",
  shadow: "shadow",
};

/** Whether an update asks for anything beyond the new version. */
export function changesRollout(update: DeploymentUpdate): boolean {
  return (
    update.specYaml !== undefined ||
    update.strategy !== undefined ||
    update.templates !== undefined ||
    update.webhooks !== undefined
  );
}

/**
 * The spec, templates and webhooks of a new deployment (`current` undefined) or of an update to `current`,
 * every check made: the spec parses, its A/B metric can be computed, every template it names exists. An
 * update's absent field keeps the deployment's; errors name the file and leave the deployment unchanged.
 */
export function validatedSpec(
  name: string,
  input: DeploymentUpdate,
  current?: DeploymentRecord,
): ValidatedSpec {
  const keepsSpec = current !== undefined && input.specYaml === undefined && input.strategy === undefined;
  const strategy = CLI_STRATEGIES[input.strategy ?? "canary"];
  if (strategy === undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `strategy '${String(input.strategy)}': expected one of ${Object.keys(CLI_STRATEGIES).join(", ")}`,
    );
  }
  const specFile =
    input.specFile ??
    (keepsSpec
      ? `<deployment ${name} rollout spec>`
      : input.specYaml === undefined
        ? `<default ${strategy} rollout>`
        : "rollout.yaml");
  const specYaml = keepsSpec ? current.specYaml : (input.specYaml ?? defaultRolloutSpecYaml(strategy, name));
  const spec: RolloutSpec = parseRolloutSpec(specYaml, specFile);
  checkExperimentMetric(spec, specFile);
  let templates: { name: string; yaml: string }[];
  let set: TemplateSet;
  if (input.templates === undefined && current !== undefined) {
    templates = current.templates;
    set = storedTemplateSet(name, templates);
  } else {
    const own = parseTemplates(input.templates ?? []);
    templates = own.map(({ name: templateName, yaml }) => ({ name: templateName, yaml }));
    set = templateSet(own);
  }
  checkTemplatesExist(spec, set, specFile);
  return { spec, specYaml, specFile, templates, set, webhooks: input.webhooks ?? current?.webhooks ?? [] };
}

/** The SpecUpdated event's details: what the spec was and is, and whether it changed at all. */
export function specChange(
  before: DeploymentRecord,
  next: ValidatedSpec,
  candidate: string | undefined,
): string {
  const was = strategySummary(before.state.spec);
  const now = strategySummary(next.spec);
  const change = before.specYaml === next.specYaml ? `spec unchanged (${now})` : `${was} -> ${now}`;
  const parts = [
    `${change} from ${next.specFile}`,
    `${next.templates.length} template(s)`,
    `${next.webhooks.length} webhook(s)`,
  ];
  if (candidate !== undefined) parts.push(`${candidate} rolls out under it`);
  return parts.join("; ");
}

function strategySummary(spec: RolloutSpec): string {
  const strategy = spec.strategy;
  return strategy.kind === "canary" ? `canary, ${strategy.canary.steps.length} steps` : strategy.kind;
}
