import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { assertValidModelName } from "./modelName.js";

/**
 * Answers recorded from `mlflow server` 3.17.2 for POST /api/2.0/mlflow/logged-models with a bad name: 400
 * INVALID_PARAMETER_VALUE, the name and the forbidden characters written with Python's repr().
 */
const FORBIDDEN = `('/', ':', '.', '%', '"', "'")`;

describe("a logged model's name", () => {
  it.each([
    ["a/b", "'a/b'"],
    ["a:b", "'a:b'"],
    ["a.b", "'a.b'"],
    ["a%b", "'a%b'"],
    ['a"b', `'a"b'`],
    ["a'b", `"a'b"`],
    [`a'b"c`, `'a\\'b"c'`],
  ])("%s is refused with MLflow's message", (name, repr) => {
    let error: unknown;
    try {
      assertValidModelName(name);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as FlowOpsError).message).toBe(
      `Invalid model name (${repr}) provided. Model name must be a non-empty string and cannot contain the ` +
        `following characters: ${FORBIDDEN}`,
    );
  });

  it("accepts a name without those characters", () => {
    expect(() => assertValidModelName("churn-model_v2")).not.toThrow();
  });
});
