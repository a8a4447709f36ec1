/**
 * `flowops quickstart`: the whole platform on one machine, end to end, in about a minute. It starts the
 * embedded server; creates, versions and validates a data set; trains the example model through the
 * pipeline (train, evaluate) and passes the gates; registers and deploys it behind a canary; sends simulated
 * traffic; then the market shifts: new data is versioned, drift in the live inputs is detected, the model is
 * retrained from the deployed one, gated, and rolled out as a canary that is promoted on its metrics;
 * finally a deliberately broken version is deployed and rolled back by the canary analysis. Each phase is
 * its own module; this one orders them and reports. It must not hide a failed step: any step that does not
 * do what it says throws, and the CLI exits non-zero.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { FlowOpsClient } from "../client/index.js";
import { FlowOpsError } from "../errors.js";
import { startServer, type RunningServer } from "../server/start.js";
import { CustomerGenerator, MARKET_SHIFT } from "./customerData.js";
import { appendData, createDataset, DATA_FILE, validateDataset } from "./quickstartData.js";
import {
  createEndpoint,
  followRollout,
  registerBrokenVersion,
  rollOut,
  type RolloutOutcome,
} from "./quickstartDelivery.js";
import { describeDrift, trainingProfile, waitForDrift, type QuickstartDrift } from "./quickstartDrift.js";
import {
  retrainedSummary,
  retrainedVersion,
  waitForRetraining,
  writeRetrainingConfig,
  type RetrainedVersion,
} from "./quickstartRetraining.js";
import { QuickstartSteps, type StepRecord } from "./quickstartSteps.js";
import { trainAndRegister, type TrainedVersion } from "./quickstartTraining.js";
import { prepareWorkspace } from "./quickstartWorkspace.js";
import { SimulatedTraffic } from "./simulatedTraffic.js";

export interface QuickstartOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Work here (an empty or new directory) instead of a temp dir, and keep it. */
  dir?: string;
  experimentName?: string;
  modelName?: string;
  endpoint?: string;
  /** Simulated requests per second. */
  requestsPerSecond?: number;
  log?: (line: string) => void;
}

export type { QuickstartDrift, RetrainedVersion };

export interface QuickstartResult {
  server: RunningServer;
  workspace: string;
  steps: StepRecord[];
  totalSeconds: number;
  modelName: string;
  endpoint: string;
  first: TrainedVersion;
  retrained: RetrainedVersion;
  retrainedRollout: RolloutOutcome;
  broken: { version: string; rollout: RolloutOutcome };
  drift: QuickstartDrift;
  traffic: { sent: number; answered: number; failed: number };
  urls: Record<string, string>;
  /** Closes the server and removes a temporary workspace. */
  close(): Promise<void>;
}

const INITIAL_ROWS = 3000;
const NEW_ROWS = 1500;
const ROLLOUT_TIMEOUT_SECONDS = 60;
const BASELINE_SECONDS = 5;
const DRIFT_TIMEOUT_SECONDS = 60;
const RETRAINING_TIMEOUT_SECONDS = 90;

export async function runQuickstart(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const experimentName = options.experimentName ?? "quickstart";
  const modelName = options.modelName ?? "quickstart-churn";
  const endpoint = options.endpoint ?? "churn";
  const steps = new QuickstartSteps(log);

  const workspace = await prepareWorkspace(options.dir);
  const root = workspace.root;
  log(`workspace ${root}`);
  let server: RunningServer | undefined;
  let traffic: SimulatedTraffic | undefined;
  const close = async () => {
    await traffic?.stop();
    await server?.close();
    if (workspace.temporary) await rm(root, { recursive: true, force: true });
  };
  try {
    server = await steps.run("Start the embedded server", async () => {
      const running = await startServer(
        {
          host: options.host,
          port: options.port ?? 0,
          backendStoreUri: `sqlite:///${join(root, "server", "flowops.db")}`,
          artifactsDestination: join(root, "server", "artifacts"),
          retrainingConfig: await writeRetrainingConfig(root, endpoint, modelName),
        },
        { logger: false },
      );
      return { summary: `listening on ${running.url}`, value: running };
    });
    const url = server.url;
    const client = new FlowOpsClient({ trackingUri: url, retries: 0 });
    const generator = new CustomerGenerator(42);

    const dataset = await steps.run("Create and version the data set", async () => {
      const version = await createDataset(root, generator, INITIAL_ROWS);
      return { summary: `${DATA_FILE}: ${version.rows} customers, md5 ${version.md5}`, value: version };
    });
    await steps.run("Validate it against suite.yaml", async () => {
      const result = await validateDataset(root);
      const s = result.statistics;
      return {
        summary: `${s.successful_expectations}/${s.evaluated_expectations} expectations pass`,
        value: result,
      };
    });

    const first = await steps.run(
      "Train (repro: train.ts -> ONNX, evaluate, fairness) and gate",
      async () => {
        const trained = await trainAndRegister({ root, client, trackingUri: url, experimentName, modelName });
        if (!trained.gatePassed) {
          throw new FlowOpsError("INVALID_STATE", `gates.yaml failed: ${trained.gateDetails.join("; ")}`);
        }
        return { summary: trainedSummary(trained), value: trained };
      },
    );

    await steps.run("Deploy it behind a canary rollout", async () => {
      const status = await createEndpoint(client, endpoint, first.modelUri, join(root, "rollout.yaml"));
      await client.registry.setAlias(modelName, "production", first.version);
      return { summary: `endpoint ${endpoint} serves ${status.stable} (alias production)`, value: status };
    });

    await client.monitoring.putProfile({
      modelName,
      version: first.version,
      profile: await trainingProfile(join(root, DATA_FILE)),
    });
    const rps = options.requestsPerSecond ?? 100;
    traffic = new SimulatedTraffic({
      url: `${url}/endpoints/${endpoint}/invocations`,
      generator,
      requestsPerSecond: rps,
    });
    const live = traffic;
    await steps.run(`Send simulated traffic (${rps} requests/s)`, async () => {
      live.start();
      await new Promise((resolve) => setTimeout(resolve, BASELINE_SECONDS * 1000));
      const counts = live.snapshot();
      if (counts.answered === 0) {
        throw new FlowOpsError(
          "INVALID_STATE",
          `no request answered: ${counts.lastError ?? "no answer yet"}`,
        );
      }
      const { status } = await client.monitoring.driftReports(endpoint, { limit: 1 });
      const window = status?.window;
      const monitor =
        window === undefined
          ? `drift monitor: ${status?.problem ?? "no window open"}`
          : `drift monitor sampling ${window.modelKey}: ${window.rows} rows in the open window`;
      return { summary: `${counts.answered} answered, ${counts.failed} failed; ${monitor}`, value: counts };
    });

    const shiftAt = await steps.run("New data arrives with a market shift", async () => {
      const version = await appendData(root, generator, NEW_ROWS, MARKET_SHIFT, dataset.rows);
      live.setShift(MARKET_SHIFT);
      return {
        summary:
          `${NEW_ROWS} customers with usage +${MARKET_SHIFT.usage} h, income ${MARKET_SHIFT.income}k; ` +
          `${DATA_FILE} now ${version.rows} rows, md5 ${version.md5}; live traffic shifted`,
        value: Date.now(),
      };
    });

    const drift = await steps.run("Drift monitor: dataset drift in the live inputs", async () => {
      const found = await waitForDrift(client, endpoint, shiftAt, DRIFT_TIMEOUT_SECONDS);
      // The retraining loop fires on this same report and starts from what the endpoint serves now.
      const { stable } = await client.deployments.status(endpoint);
      return describeDrift(found, stable);
    });

    const retrained = await steps.run(
      "Retraining loop: pipeline from the deployed model, gates, canary",
      async () => {
        const run = await waitForRetraining(client, endpoint, RETRAINING_TIMEOUT_SECONDS);
        const trained = await retrainedVersion(client, run, drift.stable);
        await client.monitoring.putProfile({
          modelName,
          version: trained.version,
          profile: await trainingProfile(join(root, DATA_FILE)),
        });
        return { summary: retrainedSummary(run, trained), value: trained };
      },
    );

    const retrainedRollout = await steps.run("Canary of the retrained version", async () => {
      const outcome = await followRollout(
        client,
        endpoint,
        retrained.modelUri,
        performance.now(),
        ROLLOUT_TIMEOUT_SECONDS,
      );
      if (!outcome.promoted) {
        throw new FlowOpsError(
          "INVALID_STATE",
          `canary of ${retrained.modelUri} was rolled back: ${outcome.status.abortedReason ?? outcome.status.phase}`,
        );
      }
      await client.registry.setAlias(modelName, "production", retrained.version);
      return {
        summary: `promoted on its metrics ${outcome.seconds.toFixed(1)} s later; alias production -> v${retrained.version}`,
        value: outcome,
      };
    });

    const broken = await steps.run("Deploy a deliberately broken version", async () => {
      const experiment = await client.experiments.getByName(experimentName);
      if (experiment === undefined)
        throw new FlowOpsError("INVALID_STATE", `experiment ${experimentName} is gone`);
      const version = await registerBrokenVersion(
        client,
        experiment.experiment_id,
        retrained.runId,
        modelName,
      );
      const outcome = await rollOut(client, endpoint, version.modelUri, ROLLOUT_TIMEOUT_SECONDS);
      if (outcome.promoted)
        throw new FlowOpsError("INVALID_STATE", `broken ${version.modelUri} was promoted`);
      return {
        summary: `v${version.version} (output layer negated) rolled back after ${(outcome.rollbackSeconds ?? outcome.seconds).toFixed(1)} s: ${outcome.status.abortedReason ?? outcome.status.phase}; ${outcome.status.stable} still serves`,
        value: { version: version.version, rollout: outcome },
      };
    });

    await live.stop();
    const counts = live.snapshot();
    const api = `${url}/api/2.0/mlflow`;
    const urls = {
      server: url,
      endpoint: `${url}/endpoints/${endpoint}/invocations`,
      deployment: `${url}/api/v1/deployments/${endpoint}`,
      events: `${url}/api/v1/deployments/${endpoint}/events`,
      drift: `${url}/api/v1/monitoring/drift?endpoint=${endpoint}`,
      monitoring: `${url}/api/v1/monitoring/status`,
      retraining: `${url}/api/v1/retraining/runs?endpoint=${endpoint}`,
      metrics: `${url}/metrics`,
      model: `${api}/registered-models/alias?name=${modelName}&alias=production`,
      run: `${api}/runs/get?run_id=${retrained.runId}`,
    };
    return {
      server,
      workspace: root,
      steps: steps.records,
      totalSeconds: steps.elapsedSeconds(),
      modelName,
      endpoint,
      first,
      retrained,
      retrainedRollout,
      broken,
      drift,
      traffic: { sent: counts.sent, answered: counts.answered, failed: counts.failed },
      urls,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function trainedSummary(trained: TrainedVersion): string {
  return (
    `v${trained.version}: accuracy ${trained.accuracy.toFixed(3)}, f1 ${trained.f1Macro.toFixed(3)}, ` +
    `demographic parity ratio ${trained.demographicParityRatio.toFixed(3)}; gates passed`
  );
}
