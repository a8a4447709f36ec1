import { describe, expect, it } from "vitest";

import { mulberry32 } from "../../seededRandom.js";
import { finiteSample } from "./driftSample.js";

/** What drift tests sort: the finite values, copied and then sorted in place (float64Sort). */
const sortedFiniteValues = (values: Float64Array): Float64Array => finiteSample(values).sorted;

const nativeSorted = (values: Float64Array): Float64Array =>
  Float64Array.from(values.filter(Number.isFinite)).sort();

describe("sorting the finite values of a drift column", () => {
  it("sorts mixed signs, magnitudes, subnormals and duplicates as the engine's sort does", () => {
    const random = mulberry32(3);
    const values = Float64Array.from({ length: 50_000 }, (_, i) => {
      const u = random();
      if (i % 7 === 0) return Math.round(u * 20) - 10;
      if (i % 11 === 0) return (u - 0.5) * 1e-310;
      return (u - 0.5) * 10 ** Math.floor(random() * 40 - 20);
    });
    expect(sortedFiniteValues(values)).toEqual(nativeSorted(values));
  });

  it("orders values that share their high 32 bits by their low bits", () => {
    const random = mulberry32(5);
    const values = Float64Array.from(
      { length: 20_000 },
      (_, i) => 1 + random() * 1e-9 * (i % 3 === 0 ? -1 : 1),
    );
    expect(sortedFiniteValues(values)).toEqual(nativeSorted(values));
  });

  it("drops NaN and infinities and leaves the input untouched", () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 10 === 0 ? Number.NaN : i % 10 === 1 ? -Infinity : i % 10 === 2 ? Infinity : 5000 - i,
    );
    const copy = Float64Array.from(values);
    const sorted = sortedFiniteValues(values);
    expect(sorted).toHaveLength(3500);
    expect(sorted).toEqual(nativeSorted(values));
    expect(values).toEqual(copy);
  });
});
