/**
 * `flowops deploy <endpoint> --model <uri>`: puts a model version on an endpoint. Embedded (the default), the
 * tracking server serves it: the first deploy creates the endpoint with the version as stable, later ones
 * start a rollout of the new version (under a new rollout spec, templates or webhooks when those are given,
 * as `kubectl apply` of a changed Rollout does). `--target kubernetes` renders Argo Rollouts (or, with --kserve, KServe)
 * manifests instead: `--render DIR` writes them, `--apply` submits them with server-side apply (both may be
 * given). Wiring only: the server and src/delivery decide. Exit codes (main.ts): 0 done, 2 bad usage or an
 * error (the server, the render or the cluster refused); deploy has no "no" outcome, so never 1.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { Command, Option } from "commander";
import type { DeploymentStrategy, DeploymentUpdateInput } from "../client/deployments.js";
import type { FlowOpsClient } from "../client/index.js";
import type { AnalysisTemplate } from "../delivery/analysis/analysisTemplate.js";
import type { DefaultStrategy } from "../delivery/deployments/defaultRollout.js";
import type { DeploymentDescription } from "../delivery/kubernetes/deploymentDescription.js";
import { describeFileError, FlowOpsError, systemErrorCode, unreadableFile } from "../errors.js";
import { printJson } from "./output.js";
import { formatDeploymentStatus } from "./rollout.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";
import { positiveInteger } from "./numberOptions.js";

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

/** Reads a file the user named, saying which option named it when it cannot be read. */
async function readNamedFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw unreadableFile(option, path, error);
  }
}

/**
 * --render names a directory, or a path to create one at. Checked before the model is pinned, so a file of
 * that name is reported as such rather than as Node's EEXIST from deep inside the render.
 */
async function checkRenderDirectory(dir: string): Promise<void> {
  const problem = await stat(dir).then(
    (found) => (found.isDirectory() ? undefined : "not a directory"),
    (error: unknown) => (systemErrorCode(error) === "ENOENT" ? undefined : describeFileError(error)),
  );
  if (problem !== undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `--render: cannot write manifests into ${dir}: ${problem}`,
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
      .option("--replicas <n>", "kubernetes: serving replicas", positiveInteger, 1)
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

/**
 * A local model directory named relative to the caller's cwd, made absolute: the server resolves paths
 * against its own cwd, so `--model ./model` would name a different directory there (or none).
 */
export function callerModelUri(model: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(model) || isAbsolute(model)) return model;
  return existsSync(model) ? resolve(model) : model;
}

async function deployEmbedded(endpoint: string, given: DeployOptions): Promise<void> {
  const opts = { ...given, model: callerModelUri(given.model) };
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
  if (opts.render !== undefined) await checkRenderDirectory(opts.render);
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

/**
 * The files the options name, parsed, and the model pinned, described for the renderers; which templates a
 * cluster carries and how the description is shaped, src/delivery/kubernetes decides.
 */
async function describeDeployment(endpoint: string, opts: DeployOptions): Promise<DeploymentDescription> {
  const { parseRolloutSpec } = await import("../delivery/rollout/rolloutSpec.js");
  const { parseAnalysisTemplate } = await import("../delivery/analysis/analysisTemplate.js");
  const { defaultRolloutSpec } = await import("../delivery/deployments/defaultRollout.js");
  const { clusterAnalysisTemplates } = await import("../delivery/kubernetes/clusterAnalysisTemplates.js");
  const { pinnedModel } = await import("../delivery/kubernetes/pinnedModel.js");
  const { describeKubernetesDeployment } =
    await import("../delivery/kubernetes/describeKubernetesDeployment.js");

  const spec =
    opts.config !== undefined
      ? parseRolloutSpec(await readNamedFile(opts.config, "--config"), opts.config)
      : defaultRolloutSpec(STRATEGY_KEYS[opts.strategy ?? "canary"], endpoint);
  const supplied: AnalysisTemplate[] = [];
  for (const file of opts.analysis) {
    supplied.push(parseAnalysisTemplate(await readNamedFile(file, "--analysis"), file));
  }
  const analysis = clusterAnalysisTemplates(spec, supplied);
  // Before the model is pinned: the notes describe the user's inputs, and still show when the registry
  // then refuses the alias.
  for (const note of analysis.notes) process.stderr.write(`note: ${note}\n`);
  const model = await pinnedModel(
    opts.model,
    async (name, alias) => (await clientFor(opts).registry.getModelVersionByAlias(name, alias)).version,
  );
  return describeKubernetesDeployment({
    endpoint,
    spec,
    analysisTemplates: analysis.templates,
    model,
    replicas: opts.replicas,
    kserve: opts.kserve,
    image: opts.image,
    namespace: opts.namespace,
    stableVersion: opts.stableVersion,
  });
}
