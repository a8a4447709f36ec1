import { describe, expect, it } from "vitest";
import { stageDefinitionDump } from "./stageDefinitionDump.js";

// Expected values follow dvc 3.67.1's to_pipeline_file; tests/compat/dvc/test_dvc_freeze.py checks the bytes beside dvc.
describe("stageDefinitionDump", () => {
  it("orders keys as dvc, sorts deps and params, and drops empty values and `wdir: .`", () => {
    const dumped = stageDefinitionDump(
      {
        meta: { owner: "me" },
        cmd: "python train.py",
        wdir: "./",
        deps: ["z.txt", "a.txt"],
        params: ["x.y", { "other.yaml": ["k", "b"] }, "lr", { "b.yaml": null }],
        outs: [],
        desc: "d",
        always_changed: false,
      },
      "/repo/dvc.yaml",
      true,
    );
    expect(Object.keys(dumped)).toEqual(["desc", "cmd", "deps", "params", "frozen", "meta"]);
    expect(dumped.deps).toEqual(["a.txt", "z.txt"]);
    expect(dumped.params).toEqual(["lr", "x.y", { "b.yaml": null }, { "other.yaml": ["b", "k"] }]);
  });

  it("sorts outs, metrics and plots together by path and writes each one's flags in dvc's order", () => {
    const dumped = stageDefinitionDump(
      {
        cmd: ["a", "b"],
        wdir: "sub",
        outs: ["z.bin", { "b.out": { push: false, remote: "r", cache: true, persist: true, desc: "b" } }],
        metrics: [{ "m.json": { cache: false } }],
        plots: [{ "p.csv": { y: "b", cache: false, x: "a" } }, "a.png"],
      },
      "/repo/dvc.yaml",
      false,
    );
    expect(dumped).toEqual({
      cmd: ["a", "b"],
      wdir: "sub",
      outs: [{ "b.out": { desc: "b", persist: true, remote: "r", push: false } }, "z.bin"],
      metrics: [{ "m.json": { cache: false } }],
      plots: ["a.png", { "p.csv": { cache: false, y: "b", x: "a" } }],
    });
    expect(Object.keys((dumped.outs as Record<string, Record<string, unknown>>[])[0]!["b.out"]!)).toEqual([
      "desc",
      "persist",
      "remote",
      "push",
    ]);
  });
});
