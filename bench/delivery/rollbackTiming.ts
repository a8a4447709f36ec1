/**
 * Rollback timing with the built-in defaults: a server with the embedded delivery stack (the fault-injection
 * harness, controller tick at its 250 ms default), one endpoint created without a rollout spec (the default
 * canary and its flowops-default analysis), steady open-loop traffic, then a faulty candidate deployed.
 * The fault starts when the candidate first holds traffic; the rollback ends when its weight is back to 0,
 * both seen by polling the controller's status. Failed requests are counted from the deploy onwards.
 */
import { join } from "node:path";
import type { DeploymentStatus } from "../../src/delivery/deployments/deliveryController.js";
import {
  startDeliveryHarness,
  startTraffic,
  type CandidateKind,
} from "../../test/support/deliveryHarness.js";

/** DeliveryController's own default tick, so the rollout runs exactly as a deployment without settings. */
const DEFAULT_TICK_MS = 250;
/** Long enough for the stable version to have a full comparison window before the candidate arrives. */
const STABLE_TRAFFIC_BEFORE_MS = 2000;
/** Requests answered after the switch by the candidate (the slow one) still land within this time. */
const SETTLE_MS = 500;
const GIVE_UP_MS = 60_000;

export type FaultKind = Exclude<CandidateKind, "healthy">;

export interface RollbackSample {
  kind: FaultKind;
  /** From the candidate's first traffic (first poll seeing a weight above 0) to its weight back at 0. */
  faultToZeroMs: number;
  /** From the deploy call to the weight back at 0 (includes loading the candidate). */
  deployToZeroMs: number;
  failed: number;
  sent: number;
  abortedReason?: string;
}

export interface RollbackSettings {
  rps: number;
  pollMs: number;
}

function candidateWeight(status: DeploymentStatus): number {
  return status.weights.find((route) => route.model === status.candidate)?.weight ?? 0;
}

export async function measureRollback(
  kind: FaultKind,
  models: Record<CandidateKind | "stable", string>,
  dir: string,
  run: number,
  settings: RollbackSettings,
): Promise<RollbackSample> {
  const harness = await startDeliveryHarness(join(dir, `rollback-${kind}-${run}.db`), DEFAULT_TICK_MS);
  const endpoint = `rollback-${kind}`;
  try {
    await harness.delivery.create({ name: endpoint, modelUri: models.stable, strategy: "canary" });
    const traffic = startTraffic(harness.url, endpoint, settings.rps);
    try {
      await new Promise((resolve) => setTimeout(resolve, STABLE_TRAFFIC_BEFORE_MS));
      const failedBefore = traffic.tally.failed;
      const sentBefore = traffic.tally.sent;
      const deployedAt = performance.now();
      const deploying = harness.delivery.deploy(endpoint, models[kind]);
      let faultAt: number | undefined;
      let last: DeploymentStatus | undefined;
      for (;;) {
        last = await harness.delivery.status(endpoint);
        const weight = candidateWeight(last);
        if (weight > 0) faultAt ??= performance.now();
        else if (faultAt !== undefined || last.phase === "Degraded") break;
        if (performance.now() - deployedAt > GIVE_UP_MS) {
          throw new Error(
            `${kind}: candidate still at ${weight} % after ${GIVE_UP_MS / 1000} s: ${JSON.stringify(last)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, settings.pollMs));
      }
      const zeroAt = performance.now();
      await deploying;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      return {
        kind,
        faultToZeroMs: zeroAt - (faultAt ?? deployedAt),
        deployToZeroMs: zeroAt - deployedAt,
        failed: traffic.tally.failed - failedBefore,
        sent: traffic.tally.sent - sentBefore,
        ...(last.abortedReason === undefined ? {} : { abortedReason: last.abortedReason }),
      };
    } finally {
      await traffic.stop();
    }
  } finally {
    await harness.stop();
  }
}
