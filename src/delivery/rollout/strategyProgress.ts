/**
 * How each strategy moves forward once its candidate is loaded: canary steps, blue-green's preview,
 * pause and switch, the A/B split and shadow mirroring. Aborts, promotion bookkeeping and action building
 * are RolloutTransition's; this file only decides which of them to take and when.
 */
import type { AnalysisRunRef } from "./rolloutState.js";
import type { RolloutTransition } from "./rolloutTransition.js";

/** The candidate has loaded: start the strategy (a fast-tracked undo goes straight to 100 %). */
export function startStrategy(t: RolloutTransition): void {
  const strategy = t.state.spec.strategy;
  if (t.state.fastTrack) {
    t.completePromotion();
    return;
  }
  switch (strategy.kind) {
    case "canary":
      advanceCanary(t);
      return;
    case "blueGreen":
      t.state.previewActive = true;
      t.route({ preview: candidateOf(t) });
      if (strategy.blueGreen.prePromotionAnalysis !== undefined) {
        t.startAnalysis("prePromotion", strategy.blueGreen.prePromotionAnalysis);
      } else {
        awaitBlueGreenPromotion(t);
      }
      return;
    case "abTest": {
      const ab = strategy.abTest;
      t.state.canaryWeight = ab.variants.find((v) => v.name === "candidate")?.weight ?? 0;
      t.route({
        abTest: {
          stickiness: ab.stickiness,
          ...(ab.headerRoute === undefined ? {} : { headerRoute: ab.headerRoute }),
        },
      });
      t.record("ExperimentStarted", `${ab.test.metric} at alpha ${ab.test.alpha}`);
      return;
    }
    case "shadow": {
      const shadow = strategy.shadow;
      t.route({ mirror: { model: candidateOf(t), percent: shadow.mirrorPercent } });
      if (shadow.duration !== undefined) t.state.shadowEndsAt = t.now + shadow.duration;
      if (shadow.analysis !== undefined) t.startAnalysis("shadow", shadow.analysis);
      return;
    }
  }
}

/**
 * Runs canary steps from `stepIndex` until one has to wait (a pause, a blocking analysis) or the steps
 * run out, which completes the rollout. Background analysis starts once `startingStep` is reached.
 */
export function advanceCanary(t: RolloutTransition): void {
  const state = t.state;
  if (state.spec.strategy.kind !== "canary") return;
  const canary = state.spec.strategy.canary;
  for (;;) {
    const background = canary.analysis;
    if (
      background !== undefined &&
      state.stepIndex >= (background.startingStep ?? 0) &&
      !state.backgroundAnalysisDone &&
      !t.hasAnalysis("background")
    ) {
      t.startAnalysis("background", background);
    }
    const step = canary.steps[state.stepIndex];
    if (step === undefined) {
      if (t.hasAnalysis("background") && state.backgroundJudged !== true && !state.backgroundAnalysisDone) {
        // FlowOps' low-traffic rule: a candidate its analysis never judged is not promoted on time alone.
        t.record(
          "AnalysisInconclusive",
          "the steps are done but the background analysis has not judged the candidate on every metric yet " +
            "(too little traffic); promote to accept it anyway",
        );
        t.pause("InconclusiveAnalysis");
        state.inconclusiveKind = "background";
        return;
      }
      t.completePromotion();
      return;
    }
    switch (step.kind) {
      case "setWeight":
        state.canaryWeight = step.weight;
        t.route();
        t.record("StepCompleted", `step ${state.stepIndex}: setWeight ${step.weight}`);
        state.stepIndex += 1;
        continue;
      case "pause":
        t.pause("PauseStep", step.durationMs);
        return;
      case "analysis":
        if (!t.hasAnalysis("step")) t.startAnalysis("step", step.analysis);
        state.phase = "Progressing";
        return;
    }
  }
}

/** Blue-green after the preview is ready: pause for a human, wait autoPromotionSeconds, or switch now. */
export function awaitBlueGreenPromotion(t: RolloutTransition): void {
  const strategy = t.state.spec.strategy;
  if (strategy.kind !== "blueGreen") return;
  const { autoPromotionEnabled, autoPromotionSeconds } = strategy.blueGreen;
  // Argo ignores autoPromotionSeconds when autoPromotionEnabled is false.
  if (!autoPromotionEnabled) t.pause("BlueGreenPause");
  else if (autoPromotionSeconds !== undefined && autoPromotionSeconds > 0) {
    t.pause("BlueGreenPause", autoPromotionSeconds * 1000);
  } else switchBlueGreen(t, false);
}

/**
 * Points the active route at the candidate. The old stable stays loaded until post-promotion analysis
 * passes, so a failure can always switch straight back: Argo's behaviour when scaleDownDelaySeconds is
 * omitted (with it set, Argo cancels the analysis at the scale-down; FlowOps never unloads the way back
 * while a verdict is pending). scaleDownDelaySeconds then counts from the verdict.
 */
export function switchBlueGreen(t: RolloutTransition, full: boolean): void {
  const state = t.state;
  if (state.spec.strategy.kind !== "blueGreen") return;
  t.resume();
  state.previewActive = false;
  state.activeIsCandidate = true;
  t.actions.push({ type: "setTraffic", routes: [{ model: candidateOf(t), weight: 100 }] });
  t.record("ActiveSwitched", `active route now serves ${candidateOf(t)}`);
  const post = state.spec.strategy.blueGreen.postPromotionAnalysis;
  if (post !== undefined && !full) {
    state.phase = "Promoting";
    t.startAnalysis("postPromotion", post);
  } else {
    t.completePromotion();
  }
}

/** A successful analysis lets its strategy continue. */
export function analysisSucceeded(t: RolloutTransition, run: AnalysisRunRef): void {
  switch (run.kind) {
    case "step":
      t.state.stepIndex += 1;
      advanceCanary(t);
      return;
    case "background":
      // A background run with a count can finish before the steps do; it is not started again.
      t.state.backgroundAnalysisDone = true;
      return;
    case "prePromotion":
      awaitBlueGreenPromotion(t);
      return;
    case "postPromotion":
      t.completePromotion();
      return;
    case "shadow":
      finishShadowIfDue(t);
      return;
  }
}

/** Time passes: timed pauses end (canary step, blue-green auto-promotion) and shadows finish. */
export function tick(t: RolloutTransition): void {
  const state = t.state;
  if (state.phase === "Paused" && state.pauseUntil !== undefined && state.pauseUntil <= t.now) {
    const reason = state.pauseReason;
    t.resume();
    if (reason === "BlueGreenPause") switchBlueGreen(t, false);
    else {
      state.stepIndex += 1;
      advanceCanary(t);
    }
    return;
  }
  if (state.phase === "Progressing") finishShadowIfDue(t);
}

/** `promote`: ends the current wait (or skips the current step); `full` skips everything left. */
export function promote(t: RolloutTransition, full: boolean): void {
  const state = t.state;
  const strategy = state.spec.strategy;
  if (full) {
    t.resume();
    if (strategy.kind === "blueGreen" && !state.activeIsCandidate) switchBlueGreen(t, true);
    else t.completePromotion();
    return;
  }
  const wasPaused = state.phase === "Paused";
  const inconclusive = state.inconclusiveKind;
  t.resume();
  switch (strategy.kind) {
    case "canary":
      // A paused pause step or an inconclusive step analysis is passed; a running step analysis is
      // skipped. An inconclusive background analysis restarts when advanceCanary sees none running.
      if (!wasPaused || inconclusive !== "background") {
        t.stopAnalyses(["step"]);
        state.stepIndex += 1;
      }
      // Promoting past the low-traffic pause at the end of the steps is the human's judgement.
      if (state.stepIndex >= strategy.canary.steps.length) {
        t.completePromotion();
        return;
      }
      advanceCanary(t);
      return;
    case "blueGreen":
      if (state.activeIsCandidate) t.completePromotion();
      else {
        t.stopAnalyses(["prePromotion"]);
        switchBlueGreen(t, false);
      }
      return;
    case "abTest":
    case "shadow":
      t.completePromotion();
      return;
  }
}

function finishShadowIfDue(t: RolloutTransition): void {
  const state = t.state;
  if (state.spec.strategy.kind !== "shadow" || state.shadowEndsAt === undefined) return;
  if (state.shadowEndsAt > t.now || t.hasAnalysis("shadow")) return;
  t.record("ShadowCompleted", `mirrored ${state.spec.strategy.shadow.mirrorPercent}% without failures`);
  t.completePromotion();
}

function candidateOf(t: RolloutTransition): string {
  return t.state.candidate ?? t.state.stable;
}
