import { describe, expect, it } from "vitest";
import { attachmentDisposition, pythonGuessType } from "./s3Presigned.js";

describe("attachmentDisposition", () => {
  it.each([
    ["model.json", 'attachment; filename="model.json"'],
    ['a "b"\\c.txt', 'attachment; filename="a \\"b\\"\\\\c.txt"'],
    ["sé t.bin", "attachment; filename*=UTF-8''s%C3%A9%20t.bin"],
    ["a\nb(1)!.txt", "attachment; filename*=UTF-8''a%0Ab%281%29%21.txt"],
  ])("words %j as MLflow's _attachment_content_disposition", (name, expected) => {
    expect(attachmentDisposition(name)).toBe(expected);
  });
});

describe("pythonGuessType", () => {
  it.each([
    ["dir/model.json", "application/json"],
    ["A.TXT", "text/plain"],
    ["data.tar.gz", "application/x-tar"],
    ["data.gz", undefined],
    ["model.pkl", undefined],
    ["MLmodel", undefined],
  ])("types %s as Python's mimetypes.guess_type", (path, expected) => {
    expect(pythonGuessType(path)).toBe(expected);
  });
});
