import { describe, expect, it } from "vitest";
import { TrafficRouter, type RouteChoice, type TrafficPlan } from "./trafficRouter.js";

const STABLE = "models:/churn/1";
const CANDIDATE = "models:/churn/2";

function canary(weight: number, extra: Partial<TrafficPlan> = {}): TrafficPlan {
  return {
    routes: [
      { model: STABLE, weight: 100 - weight },
      { model: CANDIDATE, weight },
    ],
    stable: STABLE,
    candidate: CANDIDATE,
    compareFraction: 0,
    ...extra,
  };
}

function chooseMany(router: TrafficRouter, count: number, headers = {}): RouteChoice[] {
  return Array.from({ length: count }, () => router.choose(headers));
}

function abTest(weight: number, extra: Partial<TrafficPlan> = {}): TrafficPlan {
  return canary(weight, {
    abTest: { stickiness: { header: "x-user-id", seed: "churn", separator: ":" } },
    ...extra,
  });
}

describe("TrafficRouter", () => {
  it.each([1, 10, 33, 50, 90, 99])(
    "sends exactly %i of every 100 consecutive requests to the candidate",
    (weight) => {
      const choices = chooseMany(new TrafficRouter(canary(weight)), 1000);
      for (let start = 0; start + 100 <= choices.length; start += 7) {
        const window = choices.slice(start, start + 100);
        expect(window.filter((choice) => choice.model === CANDIDATE)).toHaveLength(weight);
      }
    },
  );

  it("spreads the candidate's requests evenly instead of sending them in a burst", () => {
    const choices = chooseMany(new TrafficRouter(canary(10)), 100);
    const positions = choices.flatMap((choice, i) => (choice.model === CANDIDATE ? [i] : []));
    const gaps = positions.slice(1).map((position, i) => position - (positions[i] as number));
    expect(gaps.every((gap) => gap === 10)).toBe(true);
  });

  it("labels each choice with its variant", () => {
    const choices = chooseMany(new TrafficRouter(canary(50)), 2);
    expect(choices.map((choice) => [choice.model, choice.variant]).sort()).toEqual([
      [STABLE, "stable"],
      [CANDIDATE, "candidate"],
    ]);
  });

  it("splits three routes exactly by weight", () => {
    const router = new TrafficRouter({
      routes: [
        { model: "a", weight: 20 },
        { model: "b", weight: 30 },
        { model: "c", weight: 50 },
      ],
      stable: "a",
      compareFraction: 0,
    });
    const counts = new Map<string, number>();
    for (const choice of chooseMany(router, 100))
      counts.set(choice.model, (counts.get(choice.model) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ a: 20, b: 30, c: 50 });
  });

  it("mirrors exactly the mirror percent of requests to the mirror model", () => {
    const router = new TrafficRouter({
      routes: [{ model: STABLE, weight: 100 }],
      mirror: { model: CANDIDATE, percent: 25 },
      stable: STABLE,
      candidate: CANDIDATE,
      compareFraction: 0,
    });
    const choices = chooseMany(router, 200);
    expect(choices.every((choice) => choice.model === STABLE)).toBe(true);
    expect(choices.filter((choice) => choice.mirrorTo === CANDIDATE)).toHaveLength(50);
  });

  it("compares the compare fraction of the candidate's requests with stable and none of stable's", () => {
    const choices = chooseMany(new TrafficRouter(canary(20, { compareFraction: 0.5 })), 500);
    const candidate = choices.filter((choice) => choice.model === CANDIDATE);
    expect(candidate).toHaveLength(100);
    expect(candidate.filter((choice) => choice.compareWith === STABLE)).toHaveLength(50);
    expect(choices.filter((choice) => choice.model === STABLE && choice.compareWith !== undefined)).toEqual(
      [],
    );
  });

  it("keeps a user on the same variant on every request", () => {
    const router = new TrafficRouter(abTest(50));
    for (const user of ["alice", "bob", "carol", "dave"]) {
      const first = router.choose({ "x-user-id": user }).model;
      for (let i = 0; i < 20; i++) expect(router.choose({ "x-user-id": user }).model).toBe(first);
    }
  });

  it("keeps every key assigned to the candidate there when its weight grows from 10 to 50", () => {
    const at10 = new TrafficRouter(abTest(10));
    const at50 = new TrafficRouter(abTest(50));
    const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const candidateAt10 = keys.filter((key) => at10.choose({ "x-user-id": key }).model === CANDIDATE);
    const candidateAt50 = new Set(
      keys.filter((key) => at50.choose({ "x-user-id": key }).model === CANDIDATE),
    );
    expect(candidateAt10.length).toBeGreaterThan(900);
    expect(candidateAt10.length).toBeLessThan(1100);
    expect(candidateAt50.size).toBeGreaterThan(4800);
    expect(candidateAt50.size).toBeLessThan(5200);
    expect(candidateAt10.filter((key) => !candidateAt50.has(key))).toEqual([]);
  });

  it("reads the sticky header case-insensitively and from a list of values", () => {
    const router = new TrafficRouter(abTest(50));
    const lower = router.choose({ "x-user-id": "user-7" }).model;
    expect(router.choose({ "X-User-Id": "user-7" }).model).toBe(lower);
    expect(router.choose({ "x-user-id": ["user-7", "other"] }).model).toBe(lower);
  });

  it("falls back to the weighted interleave for requests without the sticky header", () => {
    const router = new TrafficRouter(abTest(30));
    const choices = chooseMany(router, 100);
    expect(choices.filter((choice) => choice.model === CANDIDATE)).toHaveLength(30);
  });

  it("sends requests matching the header route to the candidate whatever their sticky bucket", () => {
    const router = new TrafficRouter(
      abTest(0, {
        abTest: {
          stickiness: { header: "x-user-id", seed: "churn", separator: ":" },
          headerRoute: { header: "x-canary", match: { prefix: "yes" } },
        },
      }),
    );
    expect(router.choose({ "x-canary": "yes-please", "x-user-id": "u1" }).model).toBe(CANDIDATE);
    expect(router.choose({ "x-canary": "no", "x-user-id": "u1" }).model).toBe(STABLE);
    expect(router.choose({}).model).toBe(STABLE);
  });

  it("answers preview requests from the preview model and compares them with stable", () => {
    const router = new TrafficRouter({
      routes: [{ model: STABLE, weight: 100 }],
      preview: CANDIDATE,
      stable: STABLE,
      candidate: CANDIDATE,
      compareFraction: 0,
    });
    expect(router.choosePreview()).toEqual({ model: CANDIDATE, variant: "candidate", compareWith: STABLE });
    expect(new TrafficRouter(canary(0)).choosePreview()).toBeUndefined();
  });

  it("refuses plans with no positive weight, a negative weight or fractions out of range", () => {
    expect(() => new TrafficRouter({ routes: [], stable: STABLE, compareFraction: 0 })).toThrow(
      /routes: expected at least one route with weight > 0/,
    );
    expect(() => new TrafficRouter(canary(-5))).toThrow(/routes\[1\]\.weight \(models:\/churn\/2\)/);
    expect(() => new TrafficRouter(canary(10, { compareFraction: 2 }))).toThrow(/compareFraction/);
    expect(() => new TrafficRouter(canary(10, { mirror: { model: CANDIDATE, percent: 101 } }))).toThrow(
      /mirror\.percent: expected 0\.\.100, got 101/,
    );
  });
});
