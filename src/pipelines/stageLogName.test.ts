import { describe, expect, it } from "vitest";
import { stageLogName } from "./stageCommand.js";

describe("stageLogName", () => {
  it("gives stages whose addresses differ only in separators files of their own", () => {
    const names = ["a/b/dvc.yaml:x", "a_b/dvc.yaml:x", "a%2Fb/dvc.yaml:x", "a\\b/dvc.yaml:x", "train"];
    const files = names.map(stageLogName);
    expect(new Set(files).size).toBe(names.length);
    expect(files[0]).toBe("a%2Fb%2Fdvc.yaml:x.log");
    expect(files[4]).toBe("train.log");
    for (const file of files) expect(file).not.toMatch(/[/\\]/);
  });
});
