import { describe, expect, it } from "vitest";
import { holdsIntegralNumber, topLevelMemberText } from "./jsonMemberText.js";

describe("topLevelMemberText", () => {
  it("returns a member's text as written, past strings and nested values that look like it", () => {
    const text =
      ' {"inputs": [[1, 2], {"params": 9}], "s": "a \\" \\\\", "t": "}]\\"{", "params" :\n {"k": 5.0, "l": [1E0]} , "z": 1}';
    expect(JSON.parse(text)).toBeTruthy();
    expect(topLevelMemberText(text, "params")).toBe('{"k": 5.0, "l": [1E0]}');
    expect(topLevelMemberText(text, "z")).toBe("1");
    expect(topLevelMemberText(text, "s")).toBe('"a \\" \\\\"');
    expect(topLevelMemberText(text, "missing")).toBeUndefined();
  });

  it("keeps the last of repeated keys, as json.loads and JSON.parse do, and reads escaped key names", () => {
    expect(topLevelMemberText('{"p": 1.0, "\\u0070": 2.0}', "p")).toBe("2.0");
    expect(topLevelMemberText('{"p":3.0}', "p")).toBe("3.0");
  });

  it("answers undefined for a body that is not an object", () => {
    expect(topLevelMemberText("[1, 2]", "p")).toBeUndefined();
    expect(topLevelMemberText("{}", "p")).toBeUndefined();
  });
});

describe("holdsIntegralNumber", () => {
  it("finds integral numbers at any depth and nothing else", () => {
    expect(holdsIntegralNumber({ a: "x", b: [0.5, { c: 2 }] })).toBe(true);
    expect(holdsIntegralNumber({ a: "5", b: [0.5, true, null] })).toBe(false);
  });
});
