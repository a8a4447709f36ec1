import { describe, expect, it } from "vitest";
import { parseSearchFilter } from "./filterParser.js";
import {
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  validateFilter,
  type FilterSchema,
} from "./filterValidation.js";

/** The shape a registry search would declare: bare name and version_number, tags, nothing else. */
const schema: FilterSchema = {
  attribute: {
    name: { valueType: "string", comparators: STRING_COMPARATORS },
    version_number: { valueType: "number", comparators: NUMERIC_COMPARATORS, canonicalKey: "version" },
  },
  tag: { valueType: "string", comparators: STRING_COMPARATORS },
};

const validate = (filter: string) => validateFilter(parseSearchFilter(filter), schema);

describe("validateFilter", () => {
  it("accepts allowed keys and maps aliases to canonical keys", () => {
    expect(validate("name LIKE 'm%' AND version_number >= 2 AND tags.t = 'x'")).toEqual([
      { type: "attribute", key: "name", comparator: "LIKE", value: "m%" },
      { type: "attribute", key: "version", comparator: ">=", value: 2 },
      { type: "tag", key: "t", comparator: "=", value: "x" },
    ]);
  });

  it("rejects entities the search does not have", () => {
    expect(() => validate("metrics.a > 1")).toThrow(
      /Invalid entity type 'metric' in filter. Valid values are 'attribute', 'tag'/,
    );
  });

  it("rejects unknown attribute keys, including inherited object properties", () => {
    expect(() => validate("source = 'x'")).toThrow(
      /Invalid attribute key 'source' specified. Valid keys are 'name', 'version_number'/,
    );
    expect(() => validate("constructor = 'x'")).toThrow(/Invalid attribute key 'constructor'/);
  });

  it("rejects comparators and value types the key does not allow", () => {
    expect(() => validate("name > 'a'")).toThrow(/Invalid comparator '>' for attribute 'name'/);
    expect(() => validate("name = 3")).toThrow(/must be a quoted string/);
    expect(() => validate("version_number = '3'")).toThrow(
      /Expected a numeric value for attribute 'version_number'/,
    );
    expect(() => validate("name IN ('a')")).toThrow(/Invalid comparator 'IN'/);
  });
});
