/**
 * Set-up shared by the rollout machine's tests: a driver that feeds inputs to `step` under a fake clock, and a
 * filter for the actions of one type. Test-only; nothing in the product imports it.
 */
import { step } from "./rolloutMachine.js";
import type { RolloutSpec } from "./rolloutSpec.js";
import { createRollout, type RolloutAction, type RolloutInput, type RolloutState } from "./rolloutState.js";

/** Drives one rollout with a fake clock, keeping the last actions. */
export class Driver {
  actions: RolloutAction[] = [];
  now = 0;
  constructor(public state: RolloutState) {}

  send(input: RolloutInput, advanceMs = 0): RolloutAction[] {
    this.now += advanceMs;
    const result = step(this.state, input, this.now);
    this.state = result.state;
    this.actions = result.actions;
    return result.actions;
  }

  runId(kind: string): string {
    const run = this.state.analyses.find((a) => a.kind === kind);
    if (run === undefined) throw new Error(`no ${kind} analysis running`);
    return run.runId;
  }

  finish(kind: string, phase: "Successful" | "Failed" | "Inconclusive" | "Error", advanceMs = 0) {
    return this.send({ type: "analysisCompleted", runId: this.runId(kind), phase }, advanceMs);
  }
}

export const ofType = <T extends RolloutAction["type"]>(actions: RolloutAction[], type: T) =>
  actions.filter((a): a is Extract<RolloutAction, { type: T }> => a.type === type);

/** A rollout of `spec` from m:1 whose candidate m:2 was deployed and has loaded: where each strategy starts. */
export function startedRollout(spec: RolloutSpec): Driver {
  const d = new Driver(createRollout(spec, "m:1"));
  d.send({ type: "deploy", candidate: "m:2" });
  d.send({ type: "candidateLoaded" });
  return d;
}
