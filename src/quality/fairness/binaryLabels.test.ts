import { describe, expect, it } from "vitest";
import { BinaryLabelSet, resolvePositiveLabel } from "./binaryLabels.js";

describe("resolvePositiveLabel", () => {
  it("picks 1 for 0/1 and -1/1 labels, as Fairlearn does", () => {
    expect(resolvePositiveLabel(["1", "0"], undefined)).toBe("1");
    expect(resolvePositiveLabel(["-1", "1"], undefined)).toBe("1");
    expect(resolvePositiveLabel(["0"], undefined)).toBe("1");
  });

  it("picks the greater of two labels in scikit-learn's order otherwise", () => {
    expect(resolvePositiveLabel(["yes", "no"], undefined)).toBe("yes");
    expect(resolvePositiveLabel(["10", "9"], undefined)).toBe("10");
  });

  it("asks for posLabel when a single label leaves no choice", () => {
    expect(() => resolvePositiveLabel(["yes"], undefined)).toThrow(
      "y_true and y_pred hold the single label value 'yes'; pass posLabel",
    );
  });

  it("accepts a posLabel that names an observed label numerically", () => {
    expect(resolvePositiveLabel(["0", "1"], "1.0")).toBe("1");
  });

  it("accepts a posLabel absent from a single observed label, which is then the negative one", () => {
    expect(resolvePositiveLabel(["no"], "yes")).toBe("yes");
  });
});

describe("BinaryLabelSet", () => {
  it("indexes labels by first appearance and refuses a third", () => {
    const labels = new BinaryLabelSet();
    expect(labels.add("b", "row 1")).toBe(0);
    expect(labels.add("a", "row 2")).toBe(1);
    expect(labels.indexOf("a")).toBe(1);
    expect(labels.indexOf("c")).toBe(-1);
    expect(() => labels.add("c", "data.csv: column 'y', row 3")).toThrow(
      "data.csv: column 'y', row 3: found a third label value; fairness metrics are binary only, and y_true and " +
        "y_pred together hold 'b', 'a', 'c'",
    );
  });
});
