import { describe, expect, it } from "vitest";

import { compareCodePoints, sortLabels } from "./labelOrder.js";

describe("sortLabels", () => {
  it("sorts labels that are all numbers numerically", () => {
    expect(sortLabels(["10", "2", "-1", "2", "0.5"])).toEqual(["-1", "0.5", "2", "10"]);
  });

  it("sorts as strings as soon as one label is not a number", () => {
    expect(sortLabels(["10", "2", "b", "A"])).toEqual(["10", "2", "A", "b"]);
  });

  it("treats infinities and blanks as strings, not numbers", () => {
    expect(sortLabels(["inf", "1", "2"])).toEqual(["1", "2", "inf"]);
    expect(sortLabels(["", "3", "1"])).toEqual(["", "1", "3"]);
  });

  it("orders by code point, putting astral characters after the rest of the BMP", () => {
    const astral = "\u{1F600}";
    const highBmp = "\uFF01";
    expect(sortLabels([astral, highBmp, "a"])).toEqual(["a", highBmp, astral]);
    expect(compareCodePoints(astral, highBmp)).toBeGreaterThan(0);
  });

  it("returns an empty list for no labels", () => {
    expect(sortLabels([])).toEqual([]);
  });
});
