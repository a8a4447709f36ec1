import { describe, expect, it } from "vitest";
import { validateModelName, validateTag, validateTagKey } from "./validation.js";

describe("registry input rules", () => {
  // Regression: `team/churn` was registered and then could not be addressed as models:/team/churn/1.
  it("refuses model names with '/' or ':' in MLflow's words", () => {
    expect(() => validateModelName("team/churn")).toThrow(
      "Invalid model name 'team/churn'. Names cannot contain '/' or ':'.",
    );
    expect(() => validateModelName("a:b", "new_name")).toThrow(
      "Invalid model name 'a:b'. Names cannot contain '/' or ':'.",
    );
  });

  it("refuses blank names and names that resolve to another path, as _validate_model_name does", () => {
    expect(() => validateModelName("  ")).toThrow("Missing value for required parameter 'name'.");
    expect(() => validateModelName("", "new_name")).toThrow(
      "Missing value for required parameter 'new_name'.",
    );
    expect(() => validateModelName("..x")).toThrow(
      `Invalid value "..x" for parameter 'name' supplied: Names may be treated as files in certain cases, ` +
        "and must not resolve to other names when treated as such. This name would resolve to '..x'",
    );
    for (const name of ["churn", "a..b", "x.", "my model", "modèle"]) {
      expect(validateModelName(name)).toBe(name);
    }
  });

  it("allows registry tag values up to 100000 characters", () => {
    expect(() => validateTag({ key: "note", value: "x".repeat(100_000) })).not.toThrow();
    expect(() => validateTag({ key: "note", value: "x".repeat(100_001) })).toThrow(
      "'value' exceeds the maximum length of 100000 characters",
    );
  });

  it("checks tag keys with the tracking key rules, colons included", () => {
    expect(validateTagKey("team:owner")).toBe("team:owner");
    expect(() => validateTagKey("a/../b")).toThrow(/This name would resolve to 'b'/);
  });
});
