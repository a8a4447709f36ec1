import { describe, expect, it } from "vitest";
import { invalidValueMessage, pythonFloatText, pythonStringListRepr } from "./validationMessages.js";

describe("MLflow message text", () => {
  it("quotes a list of strings as Python's repr does", () => {
    expect(pythonStringListRepr(["name", "name DESC"])).toBe("['name', 'name DESC']");
    expect(pythonStringListRepr(["it's", `both ' and "`, "tab\there"])).toBe(
      String.raw`["it's", 'both \' and "', 'tab\there']`,
    );
  });

  it("quotes a value as json.dumps does, escaping non-ASCII", () => {
    expect(invalidValueMessage("key", "é", "why")).toBe(
      String.raw`Invalid value "\u00e9" for parameter 'key' supplied: why`,
    );
    expect(invalidValueMessage("timestamp", -1)).toBe("Invalid value -1 for parameter 'timestamp' supplied.");
  });

  it("writes floats as Python's repr does", () => {
    expect([1, 0.5, Number.NaN, Number.NEGATIVE_INFINITY].map(pythonFloatText)).toEqual([
      "1.0",
      "0.5",
      "nan",
      "-inf",
    ]);
  });
});
