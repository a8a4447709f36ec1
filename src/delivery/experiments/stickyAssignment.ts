/**
 * Sticky traffic assignment for A/B tests and canaries: a request key (user id, session cookie, header value)
 * always lands in the same bucket, and GrowthBook's cumulative bucket ranges decide the variant. Pure: no
 * randomness, no clock, so a replica restart or a second replica routes a key the same way.
 */
import { FlowOpsError } from "../../errors.js";

/**
 * 32-bit FNV-1a over UTF-16 code units, exactly GrowthBook's `hashFnv32a` (sdk-js `util.ts`), so a key hashes
 * to the same bucket here as in a GrowthBook SDK.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash += (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24);
  }
  return hash >>> 0;
}

/**
 * GrowthBook's v2 hash, in [0, 1) on a grid of 1/10000. The separator keeps seed "ab" + key "c" apart from
 * seed "a" + key "bc", which GrowthBook's plain concatenation confuses.
 */
export function bucketOf(seed: string, key: string, separator = ":"): number {
  return (fnv1a32(String(fnv1a32(seed + separator + key))) % 10000) / 10000;
}

export interface VariantWeight {
  readonly name: string;
  /** Any non-negative scale (percent or fraction); weights are divided by their sum. */
  readonly weight: number;
}

export interface VariantAssignment {
  readonly name: string;
  readonly index: number;
}

/** One half-open range [start, end) of the bucket space per variant. */
export type BucketRange = readonly [start: number, end: number];

/**
 * GrowthBook's `getBucketRanges`: variant i starts at the cumulative share of the variants before it and covers
 * `coverage * share`. Because the starts depend only on the shares and not on coverage, raising coverage only
 * adds keys; and the last variant's range ends at the top of the space, so ramping the last variant up (with
 * the ones before it shrinking) only moves keys into it. Put the candidate last to ramp it.
 */
export function bucketRanges(variants: readonly VariantWeight[], coverage = 1): BucketRange[] {
  if (variants.length === 0) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", "variants: expected at least one variant, got none");
  }
  if (!(coverage >= 0 && coverage <= 1)) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `coverage: expected a number in 0..1, got ${coverage}`);
  }
  let total = 0;
  for (const variant of variants) {
    if (!(Number.isFinite(variant.weight) && variant.weight >= 0)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `variants.${variant.name}.weight: expected a non-negative number, got ${variant.weight}`,
      );
    }
    total += variant.weight;
  }
  if (total <= 0) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", "variants: expected weights summing to more than 0");
  }
  let cumulative = 0;
  return variants.map((variant) => {
    const start = cumulative;
    const share = variant.weight / total;
    cumulative += share;
    return [start, start + coverage * share] as const;
  });
}

/** GrowthBook's `chooseVariation`; null when the bucket falls outside every range (not covered by the test). */
export function assignVariant(
  bucket: number,
  variants: readonly VariantWeight[],
  coverage = 1,
): VariantAssignment | null {
  const ranges = bucketRanges(variants, coverage);
  for (let index = 0; index < ranges.length; index++) {
    const [start, end] = ranges[index] as BucketRange;
    if (bucket >= start && bucket < end) return { name: (variants[index] as VariantWeight).name, index };
  }
  return null;
}

/** How a header value is matched, Argo Rollouts' `setHeaderRoute` vocabulary. */
export type HeaderValueMatch =
  { readonly exact: string } | { readonly prefix: string } | { readonly regex: string };

export interface HeaderRouteRule {
  /** Header name; compared case-insensitively, as HTTP header names are. */
  readonly header: string;
  readonly match: HeaderValueMatch;
}

/** Node's `IncomingHttpHeaders` shape, or any plain record of header values. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Compiles a rule once; regexes are anchored (the whole value must match), as Envoy and Istio's RE2 matchers
 * do, so `v2` does not also route `v20`.
 */
export function compileHeaderRule(rule: HeaderRouteRule): (headers: RequestHeaders) => boolean {
  const name = rule.header.toLowerCase();
  let test: (value: string) => boolean;
  if ("exact" in rule.match) {
    const expected = rule.match.exact;
    test = (value) => value === expected;
  } else if ("prefix" in rule.match) {
    const prefix = rule.match.prefix;
    test = (value) => value.startsWith(prefix);
  } else {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${rule.match.regex})$`, "u");
    } catch (error) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `headerRoute.match.regex: invalid regular expression ${JSON.stringify(rule.match.regex)} for header ${rule.header}`,
        { cause: error },
      );
    }
    test = (value) => pattern.test(value);
  }
  return (headers) => {
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() !== name || value === undefined) continue;
      const values = typeof value === "string" ? [value] : value;
      if (values.some(test)) return true;
    }
    return false;
  };
}

/** True when any value of the rule's header matches; a missing header never matches. */
export function headerMatch(rule: HeaderRouteRule, headers: RequestHeaders): boolean {
  return compileHeaderRule(rule)(headers);
}
