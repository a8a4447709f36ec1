/**
 * One endpoint's traffic split: which loaded model answers a request, whether a copy is mirrored to another
 * model, and whether the answer is compared with stable's. Pure and O(1) per request; it loads nothing and runs
 * nothing (endpointRegistry.ts does). Splits are deterministic interleaves, not Math.random, so every 100
 * consecutive requests divide exactly by the weights and a test can count them.
 */
import { FlowOpsError } from "../../errors.js";
import {
  assignVariant,
  bucketOf,
  compileHeaderRule,
  type HeaderValueMatch,
  type RequestHeaders,
  type VariantWeight,
} from "../experiments/stickyAssignment.js";
import type { RolloutAction, TrafficRoute } from "../rollout/rolloutState.js";

export type Variant = "stable" | "candidate";

type SetTrafficAction = Extract<RolloutAction, { type: "setTraffic" }>;
export type AbTestRouting = NonNullable<SetTrafficAction["abTest"]>;

export interface TrafficPlan {
  routes: TrafficRoute[];
  mirror?: { model: string; percent: number };
  preview?: string;
  abTest?: AbTestRouting;
  /** The model key every comparison is made against. */
  stable: string;
  candidate?: string;
  /** Share (0..1) of requests answered by a non-stable model that are also run on stable and compared. */
  compareFraction: number;
}

export interface RouteChoice {
  model: string;
  variant: Variant;
  mirrorTo?: string;
  compareWith?: string;
}

/**
 * Yes for `percent` of calls, spread evenly (Bresenham): with a whole percent, every 100 consecutive calls
 * answer yes exactly `percent` times, the same as taking call i when floor((i+1)p/100) > floor(ip/100).
 */
class PercentInterleave {
  private accumulated = 0;

  constructor(private readonly percent: number) {}

  next(): boolean {
    if (this.percent <= 0) return false;
    this.accumulated += this.percent;
    if (this.accumulated < 100) return false;
    this.accumulated -= 100;
    return true;
  }
}

/**
 * Smooth weighted round robin (nginx): each call every route earns its weight and the richest pays the total.
 * Routes are chosen exactly `weight` times in every `sum of weights` consecutive calls, evenly spread.
 */
class WeightedInterleave {
  private readonly earned: number[];
  private readonly total: number;

  constructor(private readonly weights: readonly number[]) {
    this.earned = weights.map(() => 0);
    this.total = weights.reduce((sum, weight) => sum + weight, 0);
  }

  next(): number {
    let best = -1;
    for (let i = 0; i < this.weights.length; i++) {
      const weight = this.weights[i] as number;
      const earned = (this.earned[i] as number) + weight;
      this.earned[i] = earned;
      if (weight > 0 && (best < 0 || earned > (this.earned[best] as number))) best = i;
    }
    this.earned[best] = (this.earned[best] as number) - this.total;
    return best;
  }
}

interface StickyRouting {
  header: string;
  seed: string;
  separator: string;
  /** Stable first and the candidate last, so ramping the candidate up only moves keys into it. */
  variants: VariantWeight[];
  /** Route index per variant index. */
  routeOf: number[];
}

export class TrafficRouter {
  private readonly split: WeightedInterleave;
  private readonly mirror: PercentInterleave | undefined;
  private readonly compare: PercentInterleave;
  private readonly headerRoute: ((headers: RequestHeaders) => boolean) | undefined;
  private readonly headerRouteModel: string | undefined;
  private readonly sticky: StickyRouting | undefined;

  constructor(readonly plan: TrafficPlan) {
    validatePlan(plan);
    this.split = new WeightedInterleave(plan.routes.map((route) => route.weight));
    this.mirror = plan.mirror === undefined ? undefined : new PercentInterleave(plan.mirror.percent);
    this.compare = new PercentInterleave(plan.compareFraction * 100);
    const abTest = plan.abTest;
    if (abTest?.headerRoute !== undefined) {
      this.headerRouteModel =
        plan.candidate ?? plan.routes.find((route) => route.model !== plan.stable)?.model;
      const { header, match } = abTest.headerRoute;
      this.headerRoute = compileHeaderRule({ header, match: headerValueMatch(header, match) });
    }
    const stickyHeader = abTest?.stickiness.header;
    if (abTest !== undefined && stickyHeader !== undefined) {
      const order = plan.routes
        .map((route, index) => ({ route, index }))
        .sort((a, b) => Number(a.route.model !== plan.stable) - Number(b.route.model !== plan.stable));
      this.sticky = {
        header: stickyHeader.toLowerCase(),
        seed: abTest.stickiness.seed,
        separator: abTest.stickiness.separator,
        variants: order.map(({ route }) => ({ name: route.model, weight: route.weight })),
        routeOf: order.map(({ index }) => index),
      };
    }
  }

  /** The model that answers this request, plus the mirror and comparison work it triggers. */
  choose(headers: RequestHeaders): RouteChoice {
    return this.withShadowWork(this.answeringModel(headers));
  }

  /** Blue-green's preview route; every preview answer is compared with stable, since it is the test traffic. */
  choosePreview(): RouteChoice | undefined {
    const model = this.plan.preview;
    if (model === undefined) return undefined;
    const choice: RouteChoice = { model, variant: this.variantOf(model) };
    if (model !== this.plan.stable) choice.compareWith = this.plan.stable;
    return choice;
  }

  private answeringModel(headers: RequestHeaders): string {
    if (this.headerRouteModel !== undefined && this.headerRoute?.(headers) === true) {
      return this.headerRouteModel;
    }
    const sticky = this.sticky;
    if (sticky !== undefined) {
      const key = headerValue(headers, sticky.header);
      if (key !== undefined) {
        const assigned = assignVariant(bucketOf(sticky.seed, key, sticky.separator), sticky.variants);
        if (assigned !== null) return this.routeModel(sticky.routeOf[assigned.index] as number);
      }
    }
    return this.routeModel(this.split.next());
  }

  private withShadowWork(model: string): RouteChoice {
    const choice: RouteChoice = { model, variant: this.variantOf(model) };
    const mirror = this.plan.mirror;
    if (mirror !== undefined && this.mirror?.next() === true && mirror.model !== model) {
      choice.mirrorTo = mirror.model;
    }
    if (model !== this.plan.stable && this.compare.next()) choice.compareWith = this.plan.stable;
    return choice;
  }

  private routeModel(index: number): string {
    return (this.plan.routes[index] as TrafficRoute).model;
  }

  private variantOf(model: string): Variant {
    return model === this.plan.stable ? "stable" : "candidate";
  }
}

function validatePlan(plan: TrafficPlan): void {
  let total = 0;
  plan.routes.forEach((route, i) => {
    if (!(Number.isFinite(route.weight) && route.weight >= 0)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `routes[${i}].weight (${route.model}): expected a non-negative number, got ${route.weight}`,
      );
    }
    total += route.weight;
  });
  if (total <= 0) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `routes: expected at least one route with weight > 0, got ${JSON.stringify(plan.routes)}`,
    );
  }
  const percent = plan.mirror?.percent;
  if (percent !== undefined && !(percent >= 0 && percent <= 100)) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `mirror.percent: expected 0..100, got ${percent}`);
  }
  if (!(plan.compareFraction >= 0 && plan.compareFraction <= 1)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `compareFraction: expected a number in 0..1, got ${plan.compareFraction}`,
    );
  }
}

function headerValueMatch(
  header: string,
  match: { exact?: string | undefined; prefix?: string | undefined; regex?: string | undefined },
): HeaderValueMatch {
  if (match.exact !== undefined) return { exact: match.exact };
  if (match.prefix !== undefined) return { prefix: match.prefix };
  if (match.regex !== undefined) return { regex: match.regex };
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `abTest.headerRoute.match: expected one of exact, prefix or regex for header ${header}`,
  );
}

/** The first non-empty value of a header; names are matched case-insensitively. */
function headerValue(headers: RequestHeaders, lowerName: string): string | undefined {
  let value = headers[lowerName];
  if (value === undefined) {
    for (const [name, candidate] of Object.entries(headers)) {
      if (name.toLowerCase() === lowerName) {
        value = candidate;
        break;
      }
    }
  }
  const first = typeof value === "string" ? value : value?.[0];
  return first === undefined || first === "" ? undefined : first;
}
