import { describe, expect, it } from "vitest";
import { formatStageList } from "../pipelines/stageList.js";
import { joinCommand, stageCommand } from "./stage.js";

describe("stage add", () => {
  it("joins the command words as dvc's parse_cmd does", () => {
    expect(joinCommand(["python train.py --lr 1"])).toBe("python train.py --lr 1");
    expect(joinCommand(["python", "train.py", "x y", "", 'say "hi there"'])).toBe(
      'python train.py "x y" "" say "hi there"',
    );
  });

  it("leaves options after the command to the command", () => {
    const add = stageCommand().commands.find((command) => command.name() === "add")!;
    add.exitOverride().action(() => undefined);
    add.parse(["-n", "s", "-o", "out", "python", "train.py", "-o", "--lr", "1"], { from: "user" });
    expect(add.opts()).toMatchObject({ name: "s", outs: ["out"] });
    expect(add.args).toEqual(["python", "train.py", "-o", "--lr", "1"]);
  });
});

describe("stage list", () => {
  it("pads names to one width, two spaces before the description, no trailing spaces", () => {
    expect(
      formatStageList([
        { stage: "prep", description: "Outputs data" },
        { stage: "sub/dvc.yaml:s", description: "" },
      ]),
    ).toBe("prep            Outputs data\nsub/dvc.yaml:s\n");
  });
});
