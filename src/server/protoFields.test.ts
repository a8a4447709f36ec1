import { describe, expect, it } from "vitest";
import { z } from "zod";
import { firstOfRepeatedQueryKeys, withoutEmptyRequiredText } from "./protoFields.js";
import { keyValue, list } from "./wire.js";

const request = z.preprocess(
  (value) => value,
  z.object({
    name: z.string(),
    note: z.string().optional(),
    count: z.number(),
    ids: list(z.string()).optional(),
    either: z.union([z.string(), z.array(z.string())]).optional(),
    tags: list(keyValue).optional(),
  }),
);

describe("firstOfRepeatedQueryKeys", () => {
  it("keeps the first value of single-value fields and every value of repeated ones", () => {
    expect(
      firstOfRepeatedQueryKeys(request, {
        name: ["a", "b"],
        ids: ["1", "2"],
        either: ["x", "y"],
        unknown: ["u", "v"],
      }),
    ).toEqual({ name: "a", ids: ["1", "2"], either: ["x", "y"], unknown: ["u", "v"] });
  });
});

describe("withoutEmptyRequiredText", () => {
  it("drops only the empty strings of required text fields at the top level", () => {
    expect(withoutEmptyRequiredText(request, { name: "", note: "", count: "", tags: [{ key: "" }] })).toEqual(
      { note: "", count: "", tags: [{ key: "" }] },
    );
  });

  it("keeps the key of an empty required text and drops a null one, as MLflow tells them apart", () => {
    const empty = withoutEmptyRequiredText(request, { name: "" }) as Record<string, unknown>;
    expect(Object.hasOwn(empty, "name")).toBe(true);
    expect(empty.name).toBeUndefined();
    expect(withoutEmptyRequiredText(request, { name: null, note: null })).toStrictEqual({ note: null });
  });
});
