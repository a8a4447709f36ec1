import { describe, expect, it } from "vitest";
import { checkJsonDepth } from "./jsonDepth.js";
import { thrownError } from "../../../test/support/thrownError.js";

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

describe("checkJsonDepth", () => {
  it("accepts nesting up to the limit and refuses one level more", () => {
    expect(() => checkJsonDepth(nested(5), "body", 5)).not.toThrow();
    expect(thrownError(() => checkJsonDepth(nested(6), "body", 5)).message).toBe(
      "Invalid input. body is nested more than 5 lists or objects deep; a tensor has at most 64 dimensions",
    );
  });

  it("finds deep nesting behind shallow elements and refuses it without overflowing the stack", () => {
    const body = { inputs: [1, "a", null, [2], nested(500_000)] };
    expect(thrownError(() => checkJsonDepth(body, "The JSON body"))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("accepts scalars and wide, shallow bodies", () => {
    expect(() => checkJsonDepth(3, "body")).not.toThrow();
    expect(() =>
      checkJsonDepth({ data: Array.from({ length: 1000 }, () => [1, 2, 3]) }, "body"),
    ).not.toThrow();
  });
});
