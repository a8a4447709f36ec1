import { describe, expect, it } from "vitest";
import { likeToGlob } from "./sqlComparison.js";

describe("likeToGlob", () => {
  it("turns LIKE wildcards into GLOB wildcards", () => {
    expect(likeToGlob("a%b_c")).toBe("a*b?c");
  });

  it("makes GLOB metacharacters literal", () => {
    expect(likeToGlob("[x]*?")).toBe("[[]x][*][?]");
  });

  it("reads a backslash as an escape for the next character", () => {
    expect(likeToGlob("100\\%\\_\\\\")).toBe("100%_\\");
    expect(likeToGlob("trailing\\")).toBe("trailing\\");
  });

  it("keeps unicode text as is", () => {
    expect(likeToGlob("数据%")).toBe("数据*");
  });
});
