import { describe, expect, it } from "vitest";
import { checkExpressions, InterpolationContext, toInterpolatedString } from "./interpolation.js";
import { PyFloat } from "./pythonValues.js";

function context(data: Record<string, unknown>): InterpolationContext {
  const ctx = InterpolationContext.empty();
  ctx.merge(data as never, "vars[0]");
  return ctx;
}

describe("InterpolationContext", () => {
  const ctx = context({
    lr: 0.01,
    whole: new PyFloat(2),
    on: true,
    model: { name: "cnn", layers: [64, 32] },
    n: 3,
  });

  it("keeps the type of a value that is exactly one interpolation", () => {
    expect(ctx.resolve("${n}", "outs")).toBe(3);
    expect(ctx.resolve("${on}", "outs")).toBe(true);
  });

  it("renders values inside text as dvc does: booleans lower-case, floats as Python prints them", () => {
    expect(ctx.resolve("--lr ${lr} --w ${whole} --on ${on}", "cmd")).toBe("--lr 0.01 --w 2.0 --on true");
  });

  it("looks up nested keys with dots and list items with brackets", () => {
    expect(ctx.resolve("${model.name}-${model.layers[1]}-${model.layers.0}", "cmd")).toBe("cnn-32-64");
  });

  it("turns a mapping into --key value flags in cmd only", () => {
    expect(ctx.resolve("train ${model}", "cmd")).toBe("train --name cnn --layers 64 32");
    expect(() => ctx.resolve("${model}", "outs")).toThrow("Cannot interpolate data of type 'dict'");
    expect(() => ctx.resolve("x ${model.layers}", "deps")).toThrow("Cannot interpolate data of type 'list'");
  });

  it("leaves an escaped \\${ as a literal ${", () => {
    expect(ctx.resolve("echo \\${HOME} ${n}", "cmd")).toBe("echo ${HOME} 3");
  });

  it("names a missing variable", () => {
    expect(() => ctx.resolve("${model.depth}", "cmd")).toThrow("Could not find 'model.depth'");
  });

  it("rejects malformed expressions before resolving", () => {
    expect(() => checkExpressions({ cmd: "echo ${}" })).toThrow(
      "${}\n  ^\nParseException: Expected !W:(.[]), found '}'",
    );
    expect(() => checkExpressions(["${a..b}"])).toThrow("ParseException: Expected end of text, found '.'");
  });

  it("refuses to redefine a variable from another source", () => {
    const c = context({ a: { b: 1 } });
    c.merge({ a: { c: 2 } } as never, "vars[1]");
    expect(() => c.merge({ a: { b: 3 } } as never, "vars[2]")).toThrow(
      "cannot redefine 'a.b' from 'vars[2]'",
    );
  });

  it("binds item and key in a derived context, shadowing globals and leaving the original untouched", () => {
    const c = context({ item: "global", lr: 1 });
    const bound = c.withBindings({ item: "x" });
    expect(bound.resolve("${item} ${lr}", "cmd")).toBe("x 1");
    expect(c.resolve("${item}", "cmd")).toBe("global");
  });

  it("prints None for null like Python's str", () => {
    expect(toInterpolatedString(null)).toBe("None");
  });
});

describe("InterpolationContext.loadVars", () => {
  it("loads params.yaml by default, then vars files, selected keys and inline mappings", async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "flowops-vars-"));
    try {
      writeFileSync(join(dir, "params.yaml"), "lr: 0.1\n");
      writeFileSync(join(dir, "more.json"), '{"seed": 1, "skip": 2}');
      const ctx = InterpolationContext.empty();
      await ctx.loadVars(["more.json:seed", { name: "x" }], dir, true);
      expect(ctx.resolve("${lr} ${seed} ${name}", "cmd")).toBe("0.1 1 x");
      expect(ctx.has("skip")).toBe(false);
      await expect(ctx.loadVars(["missing.yaml"], dir, false)).rejects.toThrow(
        "/missing.yaml' does not exist",
      );
      await expect(ctx.loadVars(["more.json"], dir, false)).rejects.toThrow("partially loaded already");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
