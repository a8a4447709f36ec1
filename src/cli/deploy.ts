/**
 * `flowops deploy <endpoint> --model <uri>`: puts a model version on an endpoint. Embedded (the default), the
 * tracking server serves it: the first deploy creates the endpoint with the version as stable, later ones
 * start a rollout of the new version (under a new rollout spec, templates or webhooks when those are given,
 * as `kubectl apply` of a changed Rollout does). `--target kubernetes` renders Argo Rollouts (or, with --kserve, KServe)
 * manifests instead: `--render DIR` writes them, `--apply` submits them with server-side apply (both may be
 * given). Wiring only: the server and src/delivery decide. Exit codes: 0 done, 1 the server, the render or the
 * cluster refused, 2 bad usage.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import type { DeploymentStrategy, DeploymentUpdateInput } from "../client/deployments.js";
import type { FlowOpsClient } from "../client/index.js";
import type { AnalysisTemplate } from "../delivery/analysis/analysisTemplate.js";
import type { DefaultStrategy } from "../delivery/deployments/defaultRollout.js";
import type {
  AnalysisReference,
  AnalysisTemplateDefinition,
  CanaryStep as RenderedCanaryStep,
  DeploymentDescription,
} from "../delivery/kubernetes/deploymentDescription.js";
import type { RolloutSpec } from "../delivery/rollout/rolloutSpec.js";
import { FlowOpsError } from "../errors.js";
import { printJson } from "./output.js";
import { formatDeploymentStatus } from "./rollout.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";

const STRATEGIES = ["canary", "blue-green", "ab-test", "shadow"] as const;
type StrategyOption = (typeof STRATEGIES)[number];

const STRATEGY_KEYS: Record<StrategyOption, DefaultStrategy> = {
  canary: "canary",
  "blue-green": "blueGreen",
  "ab-test": "abTest",
  shadow: "shadow",
};

export interface DeployOptions extends TrackingOptions {
  model: string;
  strategy?: StrategyOption;
  config?: string;
  analysis: string[];
  webhook: string[];
  target: "embedded" | "kubernetes";
  render?: string;
  apply: boolean;
  kubeconfig?: string;
  context?: string;
  dryRun: boolean;
  kserve: boolean;
  image?: string;
  replicas: number;
  namespace?: string;
  stableVersion?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
};

/** Reads a file the user named, saying which option named it when it cannot be read. */
async function readNamedFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `${option} ${path}: cannot read the file (${(error as Error).message})`,
    );
  }
}

export function deployCommand(): Command {
  const command = withTrackingOptions(
    new Command("deploy")
      .description(
        "Deploy a model version to an endpoint: served by the tracking server (embedded; the first deploy " +
          "creates the endpoint, later ones start a rollout, under the --config/--strategy, --analysis and " +
          "--webhook given, which replace the endpoint's), or rendered as Kubernetes manifests.",
      )
      .argument("<endpoint>", "the endpoint's name (lower-case letters, digits, '-')")
      .requiredOption("--model <uri>", "models:/name/version, models:/name@alias, runs:/id/path")
      .addOption(
        new Option(
          "--strategy <strategy>",
          "a built-in rollout (without --config); on an existing endpoint it replaces the rollout spec",
        ).choices(STRATEGIES),
      )
      .option(
        "--config <file>",
        "rollout.yaml: canary steps, blue-green, A/B test or shadow; on an existing endpoint it replaces " +
          "the rollout spec, and this version rolls out under it",
      )
      .option(
        "--analysis <file>",
        "an AnalysisTemplate the rollout names (repeatable; replaces an existing endpoint's templates)",
        collect,
        [],
      )
      .option(
        "--webhook <url>",
        "POST each rollout event here (repeatable; embedded; replaces an existing endpoint's webhooks)",
        collect,
        [],
      )
      .addOption(
        new Option("--target <target>", "who serves the endpoint")
          .choices(["embedded", "kubernetes"])
          .default("embedded"),
      )
      .option("--render <dir>", "kubernetes: write the manifests into this directory")
      .option(
        "--apply",
        "kubernetes: server-side apply the manifests to the cluster (as field manager flowops)",
        false,
      )
      .option(
        "--kubeconfig <path>",
        "kubernetes --apply: the kubeconfig (default $KUBECONFIG or ~/.kube/config)",
      )
      .option("--context <name>", "kubernetes --apply: the kubeconfig context (default its current-context)")
      .option(
        "--dry-run",
        "kubernetes --apply: a server-side dry run; the cluster validates, persists nothing",
        false,
      )
      .option("--kserve", "kubernetes: render a KServe InferenceService instead of an Argo Rollout", false)
      .option("--image <image>", "kubernetes: the serving image (default flowops/flowops:<version>)")
      .option("--replicas <n>", "kubernetes: serving replicas", positiveInt, 1)
      .option("--namespace <ns>", "kubernetes: namespace of the rendered objects")
      .option(
        "--stable-version <v>",
        "kubernetes: the version serving now, which analyses with `compare: stable` measure against",
      ),
  );
  return command.action(async (endpoint: string, opts: DeployOptions) => {
    if (opts.strategy !== undefined && opts.config !== undefined) {
      command.error("error: --strategy and --config exclude each other (rollout.yaml names its strategy)");
    }
    if (opts.target === "embedded") {
      const given = KUBERNETES_FLAGS.find((flag) => isGiven(opts[flag]));
      if (given !== undefined) command.error(`error: --${optionName(given)} needs --target kubernetes`);
      await deployEmbedded(endpoint, opts);
      return;
    }
    if (opts.webhook.length > 0) command.error("error: --webhook applies to the embedded target only");
    if (!opts.apply) {
      const given = APPLY_FLAGS.find((flag) => isGiven(opts[flag]));
      if (given !== undefined) command.error(`error: --${optionName(given)} needs --apply`);
      if (opts.render === undefined)
        command.error("error: --target kubernetes needs --render DIR or --apply");
    }
    await deployToKubernetes(endpoint, opts);
  });
}

/** The options of the kubernetes target only; `APPLY_FLAGS` of those mean something only with --apply. */
const APPLY_FLAGS = ["kubeconfig", "context", "dryRun"] as const;
const KUBERNETES_FLAGS = [
  "render",
  "apply",
  "kserve",
  "image",
  "namespace",
  "stableVersion",
  ...APPLY_FLAGS,
] as const;

const isGiven = (value: string | boolean | undefined): boolean => value !== undefined && value !== false;
const optionName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

async function deployEmbedded(endpoint: string, opts: DeployOptions): Promise<void> {
  const client = clientFor(opts);
  const exists = await endpointExists(client, endpoint);
  const rollout = await rolloutOptions(opts);
  const updatesSpec = exists && Object.keys(rollout).length > 0;
  const status = exists
    ? await client.deployments.deploy(endpoint, opts.model, rollout)
    : await client.deployments.create({ name: endpoint, modelUri: opts.model, ...rollout });
  if (opts.json === true) printJson({ created: !exists, specUpdated: updatesSpec, deployment: status });
  else {
    process.stdout.write(
      !exists
        ? `Created endpoint '${endpoint}' serving ${status.stable}.\n`
        : updatesSpec
          ? `Updated the rollout spec of '${endpoint}' (${rolloutSummary(status)}); deploying ${opts.model} under it.\n`
          : `Deploying ${opts.model} to '${endpoint}'.\n`,
    );
    process.stdout.write(formatDeploymentStatus(status));
  }
}

/**
 * --strategy, --config, --analysis and --webhook as the API's fields, files read; only those given, so a
 * deploy to an existing endpoint replaces exactly what the user named and keeps the rest.
 */
async function rolloutOptions(opts: DeployOptions): Promise<DeploymentUpdateInput> {
  const templates = await Promise.all(
    opts.analysis.map(async (file) => ({ yaml: await readNamedFile(file, "--analysis"), file })),
  );
  return {
    ...(opts.strategy !== undefined ? { strategy: opts.strategy satisfies DeploymentStrategy } : {}),
    ...(opts.config !== undefined
      ? { rolloutYaml: await readNamedFile(opts.config, "--config"), rolloutFile: opts.config }
      : {}),
    ...(templates.length > 0 ? { analysisTemplates: templates } : {}),
    ...(opts.webhook.length > 0 ? { webhooks: opts.webhook } : {}),
  };
}

/** The strategy the endpoint now rolls out with, as the status reports it. */
function rolloutSummary(status: { strategy: string; steps?: number }): string {
  return status.steps === undefined ? status.strategy : `${status.strategy}, ${status.steps} steps`;
}

/** Whether the endpoint exists; a server without the deployments API is an error, not a missing endpoint. */
async function endpointExists(client: FlowOpsClient, endpoint: string): Promise<boolean> {
  try {
    await client.deployments.status(endpoint);
    return true;
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    if (error.code === "RESOURCE_DOES_NOT_EXIST") return false;
    if (error.code === "ENDPOINT_NOT_FOUND") {
      throw new FlowOpsError(
        "ENDPOINT_NOT_FOUND",
        `the server at ${client.trackingUri} does not serve deployments (/api/v1/deployments); ` +
          `start a FlowOps server with safe delivery enabled, or use --target kubernetes`,
      );
    }
    throw error;
  }
}

async function deployToKubernetes(endpoint: string, opts: DeployOptions): Promise<void> {
  const description = await describeDeployment(endpoint, opts);
  const { renderDeployment, renderManifests } = await import("../delivery/kubernetes/renderDeployment.js");
  const dir = opts.render;
  const files = dir !== undefined ? await renderDeployment(description, dir) : undefined;
  if (!opts.apply && dir !== undefined && files !== undefined) {
    if (opts.json === true) printJson({ files });
    else {
      for (const path of files) process.stdout.write(`${path}\n`);
      process.stderr.write(`Wrote ${files.length} manifests; apply them with: kubectl apply -f ${dir}\n`);
    }
    return;
  }
  const { applyManifests, objectReference } = await import("../delivery/kubernetes/applyManifests.js");
  const applied = await applyManifests(renderManifests(description), {
    dryRun: opts.dryRun,
    ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context !== undefined ? { context: opts.context } : {}),
  });
  if (opts.json === true) printJson({ ...(files !== undefined ? { files } : {}), applied });
  else {
    for (const path of files ?? []) process.stderr.write(`Wrote ${path}\n`);
    const suffix = applied.dryRun ? " (server dry run)" : "";
    for (const object of applied.objects) {
      process.stdout.write(`${objectReference(object)} ${object.outcome}${suffix}\n`);
    }
    process.stderr.write(
      `${applied.dryRun ? "Dry-ran" : "Applied"} ${applied.objects.length} objects on ${applied.server} ` +
        `(context ${applied.context})\n`,
    );
  }
}

/** The rollout spec, templates and pinned model of a kubernetes deploy, in the shape the renderers read. */
async function describeDeployment(endpoint: string, opts: DeployOptions): Promise<DeploymentDescription> {
  const { parseRolloutSpec } = await import("../delivery/rollout/rolloutSpec.js");
  const { parseAnalysisTemplate } = await import("../delivery/analysis/analysisTemplate.js");
  const { defaultAnalysisTemplates, defaultRolloutSpec } =
    await import("../delivery/deployments/defaultRollout.js");

  const spec: RolloutSpec =
    opts.config !== undefined
      ? parseRolloutSpec(await readNamedFile(opts.config, "--config"), opts.config)
      : defaultRolloutSpec(STRATEGY_KEYS[opts.strategy ?? "canary"], endpoint);
  const templates: AnalysisTemplate[] = [];
  for (const file of opts.analysis) {
    templates.push(parseAnalysisTemplate(await readNamedFile(file, "--analysis"), file));
  }
  // Built-in templates join only when the spec names them and the user did not supply one of that name.
  const supplied = new Set(templates.map((template) => template.metadata.name));
  const named = new Set(referencedTemplates(spec));
  for (const builtIn of defaultAnalysisTemplates()) {
    if (named.has(builtIn.metadata.name) && !supplied.has(builtIn.metadata.name)) {
      templates.push(measurableInCluster(builtIn));
    }
  }

  const model = await pinnedModel(opts.model, () => clientFor(opts));
  return {
    endpoint,
    modelUri: model.uri,
    modelVersion: model.version,
    replicas: opts.replicas,
    rollout: { strategy: renderStrategy(spec) },
    analysisTemplates: withoutUndefinedKeys<AnalysisTemplateDefinition[]>(templates),
    target: opts.kserve ? "kserve" : "argo-rollouts",
    ...(opts.image !== undefined ? { image: opts.image } : {}),
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.stableVersion !== undefined ? { stableModelVersion: opts.stableVersion } : {}),
  };
}

/** A parsed rollout spec in the Argo shape the renderers read (durations back to Argo's notation). */
function renderStrategy(spec: RolloutSpec): DeploymentDescription["rollout"]["strategy"] {
  const strategy = spec.strategy;
  switch (strategy.kind) {
    case "canary": {
      const steps = strategy.canary.steps.map((step): RenderedCanaryStep => {
        switch (step.kind) {
          case "setWeight":
            return { setWeight: step.weight };
          case "pause":
            return {
              pause: step.durationMs === undefined ? {} : { duration: argoDuration(step.durationMs) },
            };
          case "analysis":
            return { analysis: withoutUndefinedKeys<AnalysisReference>(step.analysis) };
        }
      });
      const analysis = strategy.canary.analysis;
      return {
        canary: {
          steps,
          ...(analysis !== undefined
            ? { analysis: withoutUndefinedKeys<AnalysisReference & { startingStep?: number }>(analysis) }
            : {}),
        },
      };
    }
    case "blueGreen":
      return { blueGreen: withoutUndefinedKeys<BlueGreenRender>(strategy.blueGreen) };
    case "abTest":
      return { abTest: { ...strategy.abTest } };
    case "shadow":
      return { shadow: { ...strategy.shadow } };
  }
}

type BlueGreenRender = Extract<
  DeploymentDescription["rollout"]["strategy"],
  { blueGreen: unknown }
>["blueGreen"];

/**
 * The parsed schemas type an absent optional field as `undefined`, the render's shapes omit the key
 * (exactOptionalPropertyTypes); a JSON copy of plain parsed data drops exactly those keys.
 */
function withoutUndefinedKeys<T>(value: object): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Whole seconds as Argo's bare number, anything finer in milliseconds. */
function argoDuration(ms: number): string | number {
  return ms % 1000 === 0 ? ms / 1000 : `${ms}ms`;
}

/**
 * The FlowOps metrics Argo can read back from Prometheus (src/delivery/kubernetes/prometheusQueries.ts);
 * agreement, prediction PSI and online accuracy exist only inside the embedded server.
 */
const PROMETHEUS_SERIES: ReadonlySet<string> = new Set([
  "error_rate",
  "latency_p50",
  "latency_p95",
  "latency_p99",
]);

/** A built-in template without the metrics a cluster cannot measure; a user's template is rendered as written. */
function measurableInCluster(template: AnalysisTemplate): AnalysisTemplate {
  const metrics = template.spec.metrics.filter(
    (metric) =>
      metric.provider.flowops === undefined || PROMETHEUS_SERIES.has(metric.provider.flowops.metric),
  );
  const dropped = template.spec.metrics
    .filter((metric) => !metrics.includes(metric))
    .map((metric) => metric.name);
  if (dropped.length > 0) {
    process.stderr.write(
      `note: built-in analysis '${template.metadata.name}' renders without ${dropped.join(", ")} ` +
        `(measured inside the embedded server only)\n`,
    );
  }
  return { ...template, spec: { ...template.spec, metrics } };
}

function referencedTemplates(spec: RolloutSpec): string[] {
  const strategy = spec.strategy;
  const refs: { templates: { templateName: string }[] }[] = [];
  switch (strategy.kind) {
    case "canary":
      if (strategy.canary.analysis !== undefined) refs.push(strategy.canary.analysis);
      for (const step of strategy.canary.steps) if (step.kind === "analysis") refs.push(step.analysis);
      break;
    case "blueGreen":
      if (strategy.blueGreen.prePromotionAnalysis !== undefined)
        refs.push(strategy.blueGreen.prePromotionAnalysis);
      if (strategy.blueGreen.postPromotionAnalysis !== undefined)
        refs.push(strategy.blueGreen.postPromotionAnalysis);
      break;
    case "shadow":
      if (strategy.shadow.analysis !== undefined) refs.push(strategy.shadow.analysis);
      break;
    case "abTest":
      break;
  }
  return refs.flatMap((ref) => ref.templates.map((template) => template.templateName));
}

/**
 * The model a cluster should load, with an alias resolved now so every pod, and every restart, loads the
 * same version; the version labels the serving metrics the analyses query.
 */
async function pinnedModel(
  uri: string,
  client: () => FlowOpsClient,
): Promise<{ uri: string; version: string }> {
  const registered = /^models:\/([^/@]+)\/([^/]+)$/.exec(uri);
  if (registered !== null) return { uri, version: registered[2] as string };
  const aliased = /^models:\/([^/@]+)@([^/]+)$/.exec(uri);
  if (aliased !== null) {
    const name = aliased[1] as string;
    const version = (await client().registry.getModelVersionByAlias(name, aliased[2] as string)).version;
    return { uri: `models:/${name}/${version}`, version };
  }
  const run = /^runs:\/([^/]+)\//.exec(uri);
  if (run !== null) return { uri, version: run[1] as string };
  return { uri, version: basename(uri) };
}
