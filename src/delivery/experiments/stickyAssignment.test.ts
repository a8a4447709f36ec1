import { describe, expect, it } from "vitest";

import { FlowOpsError } from "../../errors.js";
import {
  assignVariant,
  bucketOf,
  bucketRanges,
  compileHeaderRule,
  fnv1a32,
  headerMatch,
} from "./stickyAssignment.js";

describe("fnv1a32", () => {
  // Produced by generate_reference.py (FNV-1a over UTF-16 code units); "", "a" and "foobar" are also the
  // published FNV-1a 32 test vectors 0x811c9dc5, 0xe40c292c, 0xbf9cf968.
  it.each([
    ["", 2166136261],
    ["a", 3826002220],
    ["foobar", 3214735720],
    ["user-42", 39875499],
    ["héllo", 4058363231],
    ["😀", 3409036472],
  ])("hashes %j to %d", (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });
});

describe("bucketOf", () => {
  // Produced by generate_reference.py: (fnv1a32(str(fnv1a32(seed + ":" + key))) % 10000) / 10000.
  it.each([
    ["exp-1", "user-1", 0.706],
    ["exp-1", "user-2", 0.2709],
    ["checkout", "42", 0.6023],
  ])("puts seed %j key %j in bucket %d", (seed, key, expected) => {
    expect(bucketOf(seed, key)).toBe(expected);
  });

  it("keeps seed ab + key c apart from seed a + key bc thanks to the separator", () => {
    expect(bucketOf("ab", "c")).toBe(0.1112);
    expect(bucketOf("a", "bc")).toBe(0.9508);
    // Without a separator the two collide, which is GrowthBook's flaw.
    expect(bucketOf("ab", "c", "")).toBe(bucketOf("a", "bc", ""));
  });

  it("spreads keys evenly over the bucket space", () => {
    const counts = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const bucket = bucketOf("spread", `user-${i}`);
      if (bucket < 0 || bucket >= 1) outside += 1;
      else counts[Math.floor(bucket * 10)]! += 1;
    }
    expect(outside).toBe(0);
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe("assignVariant", () => {
  const split = (candidate: number) => [
    { name: "stable", weight: 100 - candidate },
    { name: "candidate", weight: candidate },
  ];

  it("uses GrowthBook's cumulative ranges scaled by coverage", () => {
    expect(
      bucketRanges(
        [
          { name: "a", weight: 1 },
          { name: "b", weight: 3 },
        ],
        0.5,
      ),
    ).toEqual([
      [0, 0.125],
      [0.25, 0.625],
    ]);
    expect(assignVariant(0.2, split(10))).toEqual({ name: "stable", index: 0 });
    expect(assignVariant(0.95, split(10))).toEqual({ name: "candidate", index: 1 });
    expect(
      assignVariant(
        0.2,
        [
          { name: "a", weight: 1 },
          { name: "b", weight: 1 },
        ],
        0.2,
      ),
    ).toBeNull();
  });

  it("keeps every candidate key on the candidate as its weight ramps 5 -> 10 -> 25 -> 50 -> 100 over 100k keys", () => {
    const weights = [5, 10, 25, 50, 100];
    const buckets = Array.from({ length: 100_000 }, (_, i) => bucketOf("rollout-7", `user-${i}`));
    let previous: boolean[] | null = null;
    for (const weight of weights) {
      const onCandidate = buckets.map((bucket) => assignVariant(bucket, split(weight))?.name === "candidate");
      const share = onCandidate.filter(Boolean).length / buckets.length;
      expect(Math.abs(share - weight / 100)).toBeLessThan(0.01);
      if (previous !== null) {
        const lost = previous.filter((was, i) => was && !onCandidate[i]).length;
        expect(lost).toBe(0);
      }
      previous = onCandidate;
    }
  });

  it("only adds keys when coverage rises, never moving an assigned key to another variant", () => {
    const variants = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
      { name: "c", weight: 2 },
    ];
    const buckets = Array.from({ length: 100_000 }, (_, i) => bucketOf("coverage", String(i)));
    const low = buckets.map((bucket) => assignVariant(bucket, variants, 0.3)?.name ?? null);
    const high = buckets.map((bucket) => assignVariant(bucket, variants, 0.8)?.name ?? null);
    const moved = low.filter((name, i) => name !== null && high[i] !== name).length;
    expect(moved).toBe(0);
    expect(low.filter((name) => name !== null).length / buckets.length).toBeCloseTo(0.3, 1);
    expect(high.filter((name) => name !== null).length / buckets.length).toBeCloseTo(0.8, 1);
  });

  it("rejects negative weights, weights summing to zero and coverage outside 0..1", () => {
    expect(() => assignVariant(0.1, [{ name: "x", weight: -1 }])).toThrow(/variants\.x\.weight/);
    expect(() => assignVariant(0.1, [{ name: "x", weight: 0 }])).toThrow(FlowOpsError);
    expect(() => assignVariant(0.1, split(10), 1.5)).toThrow(/coverage/);
    expect(() => assignVariant(0.1, [])).toThrow(/at least one variant/);
  });
});

describe("headerMatch", () => {
  it("matches exact values with a case-insensitive header name", () => {
    const rule = { header: "X-Canary", match: { exact: "always" } };
    expect(headerMatch(rule, { "x-canary": "always" })).toBe(true);
    expect(headerMatch(rule, { "x-canary": "Always" })).toBe(false);
    expect(headerMatch(rule, {})).toBe(false);
    expect(headerMatch(rule, { "x-canary": undefined })).toBe(false);
  });

  it("matches prefixes and any value of a repeated header", () => {
    const rule = { header: "user-agent", match: { prefix: "mobile/" } };
    expect(headerMatch(rule, { "User-Agent": ["desktop/1", "mobile/2.1"] })).toBe(true);
    expect(headerMatch(rule, { "user-agent": "desktop/mobile/" })).toBe(false);
  });

  it("anchors regexes so the whole value must match", () => {
    const matches = compileHeaderRule({ header: "x-version", match: { regex: "v2|v3" } });
    expect(matches({ "x-version": "v2" })).toBe(true);
    expect(matches({ "x-version": "v20" })).toBe(false);
    expect(matches({ "x-version": "av3" })).toBe(false);
  });

  it("names the header when a regex does not compile", () => {
    expect(() => compileHeaderRule({ header: "x-version", match: { regex: "(" } })).toThrow(
      /headerRoute\.match\.regex.*x-version/,
    );
  });
});
