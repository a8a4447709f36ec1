import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { step } from "./rolloutMachine.js";
import { Driver, ofType } from "./rolloutMachineFixtures.js";
import { parseRolloutSpec } from "./rolloutSpec.js";
import { createRollout, type RolloutAction, type RolloutInput, type RolloutState } from "./rolloutState.js";

const canarySpec = parseRolloutSpec(
  `strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 5m}
      - analysis: {templates: [{templateName: error-rate}]}
      - setWeight: 50
      - pause: {}
      - setWeight: 100
    analysis: {templates: [{templateName: latency}], startingStep: 1}
`,
  "rollout.yaml",
);

function deployedCanary(): Driver {
  const d = new Driver(createRollout(canarySpec, "iris:1"));
  d.send({ type: "deploy", candidate: "iris:2" });
  d.send({ type: "candidateLoaded" }, 1000);
  return d;
}

describe("canary rollout", () => {
  it("sends no traffic to a candidate before it has loaded", () => {
    const d = new Driver(createRollout(canarySpec, "iris:1"));
    const actions = d.send({ type: "deploy", candidate: "iris:2" });
    expect(actions.filter((a) => a.type !== "recordEvent")).toEqual([{ type: "loadModel", model: "iris:2" }]);
    expect(d.state.phase).toBe("Progressing");
  });

  it("pauses as inconclusive instead of promoting when the background analysis never judged the candidate", () => {
    const d = deployedCanary();
    d.send({ type: "tick" }, 300_000);
    d.finish("step", "Successful", 60_000);
    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Paused", pauseReason: "InconclusiveAnalysis", stable: "iris:1" });
    expect(d.state.history.at(-2)?.details).toMatch(/too little traffic/);

    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:2" });
  });

  it("promotes on its own when traffic arrives and the analysis judges the candidate after that pause", () => {
    const d = deployedCanary();
    d.send({ type: "tick" }, 300_000);
    d.finish("step", "Successful", 60_000);
    d.send({ type: "promote" });
    expect(d.state.pauseReason).toBe("InconclusiveAnalysis");
    const background = d.state.analyses.find((a) => a.kind === "background");
    d.send({ type: "analysisJudged", runId: background?.runId ?? "" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:2" });
  });

  it("finishes the steps once the background analysis judges the candidate", () => {
    const d = deployedCanary();
    d.send({ type: "tick" }, 300_000);
    d.finish("step", "Successful", 60_000);
    const background = d.state.analyses.find((a) => a.kind === "background");
    d.send({ type: "analysisJudged", runId: background?.runId ?? "" });
    expect(d.state.phase).toBe("Paused");
    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:2" });
  });

  it("walks a healthy canary through every step to promotion", () => {
    const d = deployedCanary();
    expect(ofType(d.actions, "setTraffic")).toEqual([
      {
        type: "setTraffic",
        routes: [
          { model: "iris:1", weight: 80 },
          { model: "iris:2", weight: 20 },
        ],
      },
    ]);
    expect(ofType(d.actions, "startAnalysis").map((a) => [a.kind, a.templates])).toEqual([
      ["background", ["latency"]],
    ]);
    expect(d.state).toMatchObject({ phase: "Paused", pauseReason: "PauseStep", pauseUntil: 301_000 });

    expect(d.send({ type: "tick" }, 200_000)).toEqual([]);
    d.send({ type: "tick" }, 100_000);
    expect(d.state.phase).toBe("Progressing");
    expect(ofType(d.actions, "startAnalysis").map((a) => a.templates)).toEqual([["error-rate"]]);

    d.finish("step", "Successful", 60_000);
    expect(d.state.canaryWeight).toBe(50);
    expect(d.state).toMatchObject({ phase: "Paused", pauseReason: "PauseStep" });
    expect(d.state.pauseUntil).toBeUndefined();
    expect(d.send({ type: "tick" }, 86_400_000)).toEqual([]);

    const background = d.state.analyses.find((a) => a.kind === "background");
    d.send({ type: "analysisJudged", runId: background?.runId ?? "" });
    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:2", previousStable: "iris:1" });
    expect(d.state.candidate).toBeUndefined();
    expect(ofType(d.actions, "stopAnalysis")).toHaveLength(1);
    expect(ofType(d.actions, "unloadModel")).toEqual([
      { type: "unloadModel", model: "iris:1", afterSeconds: 30 },
    ]);
    expect(ofType(d.actions, "setTraffic").at(-1)?.routes).toEqual([{ model: "iris:2", weight: 100 }]);
  });

  it("sets the candidate's weight to 0 at once when an analysis fails, naming the failing values", () => {
    const d = deployedCanary();
    d.send({ type: "tick" }, 300_000);
    const actions = d.send({
      type: "analysisCompleted",
      runId: d.runId("step"),
      phase: "Failed",
      failures: [{ metric: "error_rate", value: "0.12", condition: "result[0] > 0.05" }],
    });
    expect(d.state).toMatchObject({
      phase: "Degraded",
      canaryWeight: 0,
      stable: "iris:1",
      candidate: "iris:2",
    });
    expect(ofType(actions, "setTraffic")).toEqual([
      { type: "setTraffic", routes: [{ model: "iris:1", weight: 100 }] },
    ]);
    expect(ofType(actions, "stopAnalysis")).toHaveLength(1);
    expect(ofType(actions, "unloadModel")).toEqual([
      { type: "unloadModel", model: "iris:2", afterSeconds: 30 },
    ]);
    const event = ofType(actions, "recordEvent").find((e) => e.kind === "Aborted");
    expect(event?.details).toContain("error_rate = 0.12 (condition result[0] > 0.05)");
  });

  it("aborts on a failed background analysis too", () => {
    const d = deployedCanary();
    d.finish("background", "Error", 10_000);
    expect(d.state.phase).toBe("Degraded");
    expect(d.state.abortedReason).toMatch(/background analysis .* Error/);
  });

  it("pauses for a human when an analysis is inconclusive, and promote passes the step", () => {
    const d = deployedCanary();
    d.send({ type: "tick" }, 300_000);
    d.finish("step", "Inconclusive");
    expect(d.state).toMatchObject({ phase: "Paused", pauseReason: "InconclusiveAnalysis", canaryWeight: 20 });
    d.send({ type: "promote" });
    expect(d.state.canaryWeight).toBe(50);
    expect(d.state.pauseReason).toBe("PauseStep");
  });

  it("restarts an inconclusive background analysis on promote without skipping a step", () => {
    const d = deployedCanary();
    const before = d.runId("background");
    d.finish("background", "Inconclusive");
    d.send({ type: "promote" });
    expect(d.state.stepIndex).toBe(1);
    expect(d.runId("background")).not.toBe(before);
  });

  it("skips every remaining step on promote --full and reports the steps as complete", () => {
    const d = deployedCanary();
    d.send({ type: "promote", full: true });
    // Argo's currentStepIndex after a full promotion is len(steps), not the step it skipped from.
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:2", stepIndex: 6 });
    expect(d.state.analyses).toEqual([]);
  });

  it("promotes to 100 % on the candidate after the last step when the steps end below 100 %", () => {
    const spec = parseRolloutSpec(
      "strategy:\n  canary:\n    steps:\n      - setWeight: 20\n      - pause: {}\n" +
        "      - setWeight: 60\n      - pause: {}\n",
      "r.yaml",
    );
    const d = new Driver(createRollout(spec, "gm:1"));
    d.send({ type: "deploy", candidate: "gm:2" });
    d.send({ type: "candidateLoaded" });
    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Paused", canaryWeight: 60, stepIndex: 3 });
    d.send({ type: "promote" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "gm:2", previousStable: "gm:1", stepIndex: 4 });
    expect(d.state.candidate).toBeUndefined();
    expect(ofType(d.actions, "setTraffic").at(-1)?.routes).toEqual([{ model: "gm:2", weight: 100 }]);
    expect(ofType(d.actions, "unloadModel")).toEqual([
      { type: "unloadModel", model: "gm:1", afterSeconds: 30 },
    ]);
  });

  it("reports the steps of a new endpoint and of a redeployed stable as complete, as Argo does", () => {
    expect(createRollout(canarySpec, "iris:1").stepIndex).toBe(6);
    const d = deployedCanary();
    d.send({ type: "deploy", candidate: "iris:1" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:1", stepIndex: 6 });
  });

  it("retries an aborted rollout from the first step after reloading the candidate", () => {
    const d = deployedCanary();
    d.send({ type: "abort", reason: "bad dashboards" });
    expect(d.state.abortedReason).toBe("aborted by user: bad dashboards");
    d.send({ type: "retry" });
    expect(d.actions.filter((a) => a.type !== "recordEvent")).toEqual([
      { type: "loadModel", model: "iris:2" },
    ]);
    expect(d.state).toMatchObject({ phase: "Progressing", stepIndex: 0, attempt: 1 });
    d.send({ type: "candidateLoaded" });
    expect(d.state.canaryWeight).toBe(20);
  });

  it("replaces a candidate still in progress when a newer one is deployed", () => {
    const d = deployedCanary();
    d.send({ type: "deploy", candidate: "iris:3" });
    expect(ofType(d.actions, "setTraffic").at(-1)?.routes).toEqual([{ model: "iris:1", weight: 100 }]);
    expect(ofType(d.actions, "unloadModel")).toEqual([
      { type: "unloadModel", model: "iris:2", afterSeconds: 0 },
    ]);
    expect(ofType(d.actions, "loadModel")).toEqual([{ type: "loadModel", model: "iris:3" }]);
    expect(d.state).toMatchObject({
      phase: "Progressing",
      candidate: "iris:3",
      revision: 2,
      canaryWeight: 0,
    });
  });

  it("ignores the result of an analysis that was stopped", () => {
    const d = deployedCanary();
    const stale = d.runId("background");
    d.send({ type: "abort", reason: "manual" });
    d.send({ type: "retry" });
    d.send({ type: "candidateLoaded" });
    const actions = d.send({ type: "analysisCompleted", runId: stale, phase: "Failed" });
    expect(actions).toEqual([]);
    expect(d.state.phase).toBe("Paused");
  });

  it("undoes a finished rollout by fast-tracking the previous stable once it is loaded", () => {
    const d = deployedCanary();
    d.send({ type: "promote", full: true });
    d.send({ type: "undo" });
    expect(ofType(d.actions, "setTraffic")).toEqual([]);
    expect(ofType(d.actions, "loadModel")).toEqual([{ type: "loadModel", model: "iris:1" }]);
    d.send({ type: "candidateLoaded" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:1", previousStable: "iris:2" });
    expect(ofType(d.actions, "startAnalysis")).toEqual([]);
  });

  it("undoes a rollout in progress by dropping the candidate", () => {
    const d = deployedCanary();
    d.send({ type: "undo" });
    expect(d.state).toMatchObject({ phase: "Healthy", stable: "iris:1", canaryWeight: 0 });
    expect(ofType(d.actions, "setTraffic").at(-1)?.routes).toEqual([{ model: "iris:1", weight: 100 }]);
  });

  it("refuses promote, abort and retry when nothing is in progress", () => {
    const d = new Driver(createRollout(canarySpec, "iris:1"));
    expect(() => d.send({ type: "promote" })).toThrow(FlowOpsError);
    expect(() => d.send({ type: "promote" })).toThrow(/no rollout in progress/);
    expect(() => d.send({ type: "abort", reason: "x" })).toThrow(/no rollout in progress/);
    expect(() => d.send({ type: "retry" })).toThrow(/only an aborted rollout/);
    expect(() => d.send({ type: "undo" })).toThrow(/no previous stable/);
  });

  it("never routes traffic to a candidate that failed to load", () => {
    const d = new Driver(createRollout(canarySpec, "iris:1"));
    const all: RolloutAction[] = [];
    all.push(...d.send({ type: "deploy", candidate: "iris:2" }));
    all.push(...d.send({ type: "candidateLoadFailed", message: "onnx: bad graph" }));
    all.push(...d.send({ type: "tick" }, 600_000));
    expect(ofType(all, "setTraffic")).toEqual([]);
    expect(d.state.phase).toBe("Degraded");
    expect(d.state.abortedReason).toContain("onnx: bad graph");
    expect(() => d.send({ type: "promote" })).toThrow(FlowOpsError);
  });

  it("continues identically after the state is stored as JSON and read back", () => {
    const a = deployedCanary();
    const b = new Driver(JSON.parse(JSON.stringify(a.state)) as RolloutState);
    b.now = a.now;
    const both = (input: RolloutInput, dt: number) => expect(b.send(input, dt)).toEqual(a.send(input, dt));
    both({ type: "tick" }, 300_000);
    both({ type: "analysisCompleted", runId: a.runId("background"), phase: "Successful" }, 1000);
    both({ type: "analysisCompleted", runId: a.runId("step"), phase: "Successful" }, 1000);
    expect(a.state.pauseReason).toBe("PauseStep");
    // A background run that finished is not started again by later steps.
    expect(a.state.analyses).toEqual([]);
    both({ type: "promote" }, 1000);
    expect(a.state.phase).toBe("Healthy");
    expect(b.state).toEqual(a.state);
  });

  it("does not modify the state it is given", () => {
    const d = deployedCanary();
    const before = JSON.stringify(d.state);
    step(d.state, { type: "promote", full: true }, 5);
    expect(JSON.stringify(d.state)).toBe(before);
  });
});
