/**
 * The `retraining` section of a retraining config: per endpoint, the pipeline that trains its next model,
 * where that pipeline leaves the model, the gate policy it must pass, what triggers it and how long to
 * wait between retrainings. Parsing only; relative paths are resolved against the config file's folder.
 * Every error names the file, the line and what was expected.
 *
 *   retraining:
 *     churn:
 *       pipeline: {dir: ./pipeline, targets: [train]}   # a DVC repo; all stages when no targets
 *       model: {name: churn, path: model}               # an MLflow model dir or a bare model.onnx, in dir
 *       gates: gates.yaml                               # optional gate policy
 *       triggers:
 *         drift: {consecutiveWindows: 3}                # dataset drift in 3 windows in a row
 *         labels: {minSamples: 500}                     # 500 new labels since the last retraining
 *         schedule: {every: 24h}                        # at least once a day
 *       cooldown: 10m                                   # no automatic retraining sooner after the last
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { parseYamlText, schemaProblem, type YamlFile } from "../../data/yamlFile.js";
import { FlowOpsError } from "../../errors.js";
import { parseSloDuration } from "../slo/sloDuration.js";

export const DEFAULT_COOLDOWN_MS = 10 * 60_000;

export interface RetrainingTriggers {
  drift?: { consecutiveWindows: number };
  labels?: { minSamples: number };
  schedule?: { everyMs: number };
}

export interface EndpointRetraining {
  endpoint: string;
  /** Absolute path of the pipeline's DVC repository. */
  pipelineDir: string;
  /** Stages to reproduce; all when absent. */
  targets?: string[];
  modelName: string;
  /** Absolute path of what the pipeline produces: an MLflow model directory or a bare model.onnx. */
  modelPath: string;
  /** Absolute path of a gate policy file. */
  gatesFile?: string;
  triggers: RetrainingTriggers;
  cooldownMs: number;
}

export interface RetrainingConfig {
  endpoints: EndpointRetraining[];
}

const duration = (example: string) =>
  z
    .string({ message: `expected a duration like ${example}` })
    .refine((v) => (parseSloDuration(v) ?? 0) > 0, {
      message: `expected a positive duration like ${example} (units ms, s, m, h, d, w)`,
    })
    .transform((v) => parseSloDuration(v) ?? 0);

const positiveInt = (what: string) =>
  z
    .number({ message: `expected a whole number of ${what}` })
    .int(`expected a whole number of ${what}`)
    .positive(`expected at least 1 ${what.replace(/s$/, "")}`);

const endpointSection = z
  .object({
    pipeline: z
      .object({
        dir: z.string({ message: "expected the pipeline's directory" }).min(1),
        targets: z.array(z.string().min(1, "expected a stage name")).optional(),
      })
      .strict(),
    model: z
      .object({
        name: z.string({ message: "expected the registered model name" }).min(1),
        path: z.string({ message: "expected the model's path inside the pipeline directory" }).min(1),
      })
      .strict(),
    gates: z.string({ message: "expected a gate policy file" }).min(1).optional(),
    triggers: z
      .object({
        drift: z
          .object({ consecutiveWindows: positiveInt("windows") })
          .strict()
          .optional(),
        labels: z
          .object({ minSamples: positiveInt("samples") })
          .strict()
          .optional(),
        schedule: z
          .object({ every: duration("24h") })
          .strict()
          .optional(),
      })
      .strict(),
    cooldown: duration("10m").optional(),
  })
  .strict();

const retrainingSection = z.record(z.string().min(1, "expected an endpoint name"), endpointSection);

/** Parses the text of a retraining config; `file` names it in messages and anchors relative paths. */
export function parseRetrainingConfig(yamlText: string, file: string): RetrainingConfig {
  return retrainingConfigFromYaml(parseYamlText(file, yamlText), dirname(resolve(file)));
}

export async function readRetrainingConfig(file: string): Promise<RetrainingConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${file}: file not found`);
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${file}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
  return parseRetrainingConfig(text, file);
}

/** The section at `retraining` of a parsed YAML file; no section means no endpoint retrains. */
export function retrainingConfigFromYaml(yaml: YamlFile, baseDir: string): RetrainingConfig {
  const root = yaml.value;
  const value =
    root !== null && typeof root === "object" ? (root as Record<string, unknown>).retraining : undefined;
  if (value === undefined || value === null) return { endpoints: [] };
  const parsed = retrainingSection.safeParse(value);
  if (!parsed.success) throw schemaProblem(yaml, parsed.error.issues, ["retraining"]);
  return {
    endpoints: Object.entries(parsed.data).map(([endpoint, section]) => {
      const pipelineDir = resolve(baseDir, section.pipeline.dir);
      const triggers: RetrainingTriggers = {};
      if (section.triggers.drift !== undefined) triggers.drift = section.triggers.drift;
      if (section.triggers.labels !== undefined) triggers.labels = section.triggers.labels;
      if (section.triggers.schedule !== undefined)
        triggers.schedule = { everyMs: section.triggers.schedule.every };
      return {
        endpoint,
        pipelineDir,
        ...(section.pipeline.targets === undefined ? {} : { targets: section.pipeline.targets }),
        modelName: section.model.name,
        modelPath: resolve(pipelineDir, section.model.path),
        ...(section.gates === undefined ? {} : { gatesFile: resolve(baseDir, section.gates) }),
        triggers,
        cooldownMs: section.cooldown ?? DEFAULT_COOLDOWN_MS,
      };
    }),
  };
}

/** The endpoint's retraining, or undefined when the config has none for it. */
export function retrainingFor(config: RetrainingConfig, endpoint: string): EndpointRetraining | undefined {
  return config.endpoints.find((e) => e.endpoint === endpoint);
}
