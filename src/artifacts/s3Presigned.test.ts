import type * as S3Sdk from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { S3ArtifactStore } from "./s3.js";
import { attachmentDisposition, pythonGuessType } from "./s3Presigned.js";

afterEach(() => {
  vi.restoreAllMocks();
});

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

describe("presigned download of an SSE-C object", () => {
  it("reads the size with the customer key but signs no key into the URL, as MLflow 3.17", async () => {
    const sdk = await import("@aws-sdk/client-s3");
    const heads: Record<string, unknown>[] = [];
    vi.spyOn(sdk.S3Client.prototype, "send").mockImplementation(async function (command: {
      input: Record<string, unknown>;
    }) {
      heads.push(command.input);
      return { ContentLength: 5 };
    } as unknown as S3Sdk.S3Client["send"]);
    const sseC = { SSECustomerAlgorithm: "AES256", SSECustomerKey: "k".repeat(32) };
    const store = new S3ArtifactStore("s3://bkt/root", {
      env: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" },
      settings: { readParams: sseC },
    });
    const signed = await store.presignDownload("a.bin", 300);
    expect(heads).toEqual([{ ...sseC, Bucket: "bkt", Key: "root/a.bin" }]);
    expect(signed).toMatchObject({ headers: {}, file_size: 5 });
    const url = new URL(signed.url);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(signed.url).not.toMatch(/customer|k{32}/i);
  });
});
