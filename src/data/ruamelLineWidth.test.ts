import { describe, expect, it } from "vitest";
import { stringifyLikeRuamel, updateDvcFileText } from "./dvcFileUpdate.js";

// Expected bytes are ruamel's: dvc 3.67.1's `dvc.utils.serialize._yaml.dumps_yaml` on the same data.
describe("values past column 80, as dvc's ruamel writes them", () => {
  const h = `/tmp/${"h".repeat(70)}`;
  it("puts a long word on a line of its own, two columns right of its key", () => {
    const data = {
      outs: [{ md5: "x", path: "a".repeat(90) }],
      deps: [{ path: "data", repo: { url: "u".repeat(75), config: { remote: { mine: { url: h } } } } }],
    };
    expect(stringifyLikeRuamel(data)).toBe(
      `outs:\n- md5: x\n  path: \n    ${"a".repeat(90)}\ndeps:\n- path: data\n  repo:\n    url: \n` +
        `      ${"u".repeat(75)}\n    config:\n      remote:\n        mine:\n          url: \n            ${h}\n`,
    );
  });

  it("breaks a long command at the first space past the width, and leaves sequence items and short lines", () => {
    const cmd =
      "python train.py --epochs 10 --learning-rate 0.001 --batch-size 64 --model resnet50 --output models/ " +
      "and more words after that to wrap twice over the width of eighty";
    const data = { stages: { train: { cmd, deps: ["p".repeat(85)], desc: "short" } } };
    expect(stringifyLikeRuamel(data)).toBe(
      "stages:\n  train:\n    cmd: python train.py --epochs 10 --learning-rate 0.001 --batch-size 64 \n" +
        "      --model resnet50 --output models/ and more words after that to wrap twice \n" +
        `      over the width of eighty\n    deps:\n    - ${"p".repeat(85)}\n    desc: short\n`,
    );
    const edge = { k: "x".repeat(74), k2: "y".repeat(75), k3: `two  spaces ${"z".repeat(80)}` };
    expect(stringifyLikeRuamel(edge)).toBe(
      `k: ${"x".repeat(74)}\nk2: ${"y".repeat(75)}\nk3: two  spaces \n  ${"z".repeat(80)}\n`,
    );
  });

  it("keeps the wrapping when a file written so is updated, and leaves block scalars alone", () => {
    const old = `outs:\n- md5: x\n  path: \n    ${"a".repeat(90)}\n`;
    expect(updateDvcFileText(old, { outs: [{ md5: "y", path: "a".repeat(90) }] })).toBe(
      old.replace("md5: x", "md5: y"),
    );
    const block = `desc: |\n  ${"word ".repeat(30).trim()}\n`;
    expect(updateDvcFileText(block, { desc: `${"word ".repeat(30).trim()}\n` })).toBe(block);
  });
});
