/**
 * The traffic split a rollout state implies, rebuilt from the state alone (not from the setTraffic actions
 * that led to it), so a restarted server restores exactly the split it was serving and every code path that
 * routes traffic agrees on it. Pure: it routes nothing itself.
 */
import type { RolloutState, TrafficRoute } from "../rollout/rolloutState.js";
import type { TrafficPlan } from "../routing/trafficRouter.js";

export function trafficPlanFor(state: RolloutState): TrafficPlan {
  const { stable, candidate, canaryWeight } = state;
  const strategy = state.spec.strategy;
  // A candidate only ever serves once loaded; abort and promotion clear candidateLoaded.
  const live = candidate !== undefined && state.candidateLoaded ? candidate : undefined;
  let routes: TrafficRoute[];
  if (live !== undefined && strategy.kind === "blueGreen" && state.activeIsCandidate) {
    routes = [{ model: live, weight: 100 }];
  } else if (live !== undefined && canaryWeight > 0) {
    routes = [
      { model: stable, weight: 100 - canaryWeight },
      { model: live, weight: canaryWeight },
    ];
  } else {
    routes = [{ model: stable, weight: 100 }];
  }
  const candidateServes = routes.some((r) => r.model === live && r.weight > 0);
  const plan: TrafficPlan = {
    routes,
    stable,
    ...(candidate === undefined ? {} : { candidate }),
    // The candidate's answers are compared with stable's (the agreement metric) while it serves.
    compareFraction: candidateServes ? 1 : 0,
  };
  if (live === undefined) return plan;
  switch (strategy.kind) {
    case "blueGreen":
      if (state.previewActive) plan.preview = live;
      break;
    case "shadow":
      plan.mirror = { model: live, percent: strategy.shadow.mirrorPercent };
      break;
    case "abTest": {
      const ab = strategy.abTest;
      plan.abTest = {
        stickiness: ab.stickiness,
        ...(ab.headerRoute === undefined ? {} : { headerRoute: ab.headerRoute }),
      };
      break;
    }
    case "canary":
      break;
  }
  return plan;
}

/**
 * Whether moving from `before` to `after` gives some model other than the old stable more traffic (a
 * larger weight, a mirror or a preview it did not have). Such a change is persisted before it is applied;
 * any other change (a rollback) is applied first, so an abort takes effect at once.
 */
export function exposesMore(before: TrafficPlan, after: TrafficPlan): boolean {
  const weightOf = (plan: TrafficPlan, model: string): number =>
    plan.routes.filter((r) => r.model === model).reduce((sum, r) => sum + r.weight, 0);
  for (const route of after.routes) {
    if (route.model !== before.stable && route.weight > weightOf(before, route.model)) return true;
  }
  if (after.mirror !== undefined) {
    const previous = before.mirror?.model === after.mirror.model ? before.mirror.percent : 0;
    if (after.mirror.percent > previous) return true;
  }
  return after.preview !== undefined && after.preview !== before.preview;
}
