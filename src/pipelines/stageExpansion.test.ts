import { describe, expect, it } from "vitest";
import { InterpolationContext } from "./interpolation.js";
import { expandStage } from "./stageExpansion.js";

const names = (def: Record<string, unknown>, vars: Record<string, unknown> = {}): string[] => {
  const ctx = InterpolationContext.empty();
  ctx.merge(vars as never, "vars[0]");
  return expandStage("s", def, ctx).map((i) => i.name);
};

describe("expandStage", () => {
  it("keeps a plain stage as it is", () => {
    expect(names({ cmd: "x" })).toEqual(["s"]);
  });

  it("names foreach items by value, by index when any item is composite, and by key for mappings", () => {
    expect(names({ foreach: ["a", 1, true, 0.5], do: { cmd: "x" } })).toEqual([
      "s@a",
      "s@1",
      "s@true",
      "s@0.5",
    ]);
    expect(names({ foreach: ["a", { b: 1 }], do: { cmd: "x" } })).toEqual(["s@0", "s@1"]);
    expect(names({ foreach: { us: 1, eu: 2 }, do: { cmd: "x" } })).toEqual(["s@us", "s@eu"]);
  });

  it("expands a foreach over a variable", () => {
    expect(names({ foreach: "${models}", do: { cmd: "x" } }, { models: ["cnn", "xgb"] })).toEqual([
      "s@cnn",
      "s@xgb",
    ]);
  });

  it("binds item for lists and item and key for mappings", () => {
    const [first] = expandStage(
      "s",
      { foreach: { us: { r: 1 } }, do: { cmd: "x" } },
      InterpolationContext.empty(),
    );
    expect(first?.bindings).toEqual({ item: { r: 1 }, key: "us" });
    expect(first?.templatePath).toEqual(["stages", "s", "do"]);
  });

  it("names matrix combinations in axis order, composite values as <axis><index>", () => {
    expect(names({ matrix: { model: ["cnn", "xgb"], feature: ["f1", "f2"] }, cmd: "x" })).toEqual([
      "s@cnn-f1",
      "s@cnn-f2",
      "s@xgb-f1",
      "s@xgb-f2",
    ]);
    expect(names({ matrix: { labels: [["a"], ["b"]], config: [{ p: 1 }] }, cmd: "x" })).toEqual([
      "s@labels0-config0",
      "s@labels1-config0",
    ]);
  });

  it("takes matrix axes from variables", () => {
    expect(names({ matrix: { m: "${models}", n: [1] }, cmd: "x" }, { models: ["a", "b"] })).toEqual([
      "s@a-1",
      "s@b-1",
    ]);
  });

  it("drops the matrix key from the template and binds key and item", () => {
    const [first] = expandStage("s", { matrix: { m: ["a"] }, cmd: "x" }, InterpolationContext.empty());
    expect(first?.template).toEqual({ cmd: "x" });
    expect(first?.bindings).toEqual({ key: "a", item: { m: "a" } });
  });

  it("rejects foreach data that is not a list or mapping", () => {
    expect(() => names({ foreach: "${n}", do: { cmd: "x" } }, { n: 3 })).toThrow(
      "expected list/dictionary, got int",
    );
  });
});
