import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withSettings } from "../artifacts/s3.js";
import { s3RemoteSettings } from "./s3RemoteOptions.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flowops-s3opts-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("s3RemoteSettings: a dvc S3 remote's options", () => {
  it("refuses version_aware and worktree remotes by name instead of pushing a layout dvc cannot read", () => {
    expect(() => s3RemoteSettings("vr", { url: "s3://b/p", version_aware: "true" }, dir)).toThrow(
      /remote 'vr': 'version_aware = true' is not supported/,
    );
    expect(() => s3RemoteSettings("wt", { url: "s3://b/p", worktree: "True" }, dir)).toThrow(
      /'worktree = true'/,
    );
    expect(s3RemoteSettings("ok", { url: "s3://b/p", version_aware: "false" }, dir)).toEqual({});
  });

  it("passes encryption, ACL and grants to uploads, and the SSE-C key to reads too", () => {
    expect(s3RemoteSettings("r", { sse: "AES256", acl: "public-read" }, dir)).toEqual({
      uploadParams: { ServerSideEncryption: "AES256", ACL: "public-read" },
    });
    expect(
      s3RemoteSettings("r", { sse: "aws:kms", sse_kms_key_id: "k1", grant_read: "id=abc" }, dir).uploadParams,
    ).toEqual({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: "k1", GrantRead: "id=abc" });
    const ssec = s3RemoteSettings("r", { sse_customer_algorithm: "AES256", sse_customer_key: "key" }, dir);
    expect(ssec.readParams).toEqual({ SSECustomerAlgorithm: "AES256", SSECustomerKey: "key" });
    expect(() => s3RemoteSettings("r", { acl: "private", grant_read: "id=abc" }, dir)).toThrow(
      /cannot be used together/,
    );
  });

  it("reads ssl_verify as a switch or as a CA bundle relative to .dvc/", () => {
    expect(s3RemoteSettings("r", { ssl_verify: "false" }, dir).tls).toEqual({ rejectUnauthorized: false });
    expect(s3RemoteSettings("r", { ssl_verify: "true" }, dir).tls).toBeUndefined();
    writeFileSync(join(dir, "ca.pem"), "PEM");
    expect(s3RemoteSettings("r", { ssl_verify: "ca.pem" }, dir).tls).toEqual({ ca: "PEM" });
    expect(() => s3RemoteSettings("r", { ssl_verify: "missing.pem" }, dir)).toThrow(
      /cannot read the ssl_verify CA bundle/,
    );
  });

  it("gives the client the profile of the configured credentials file", async () => {
    writeFileSync(
      join(dir, "creds"),
      "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = s\n[team]\naws_access_key_id = TEAMKEY\naws_secret_access_key = t\n",
    );
    const settings = s3RemoteSettings("r", { profile: "team", credentialpath: "creds" }, dir);
    expect(settings).toMatchObject({ profile: "team", credentialsFile: join(dir, "creds") });
    const config = await withSettings({ region: "us-east-1" }, settings);
    const credentials = await (config.credentials as () => Promise<{ accessKeyId: string }>)();
    expect(credentials.accessKeyId).toBe("TEAMKEY");
    // Keys given explicitly (access_key_id in the remote, or the environment) still win.
    const explicit = await withSettings(
      { credentials: { accessKeyId: "X", secretAccessKey: "Y" } },
      settings,
    );
    expect(explicit.credentials).toEqual({ accessKeyId: "X", secretAccessKey: "Y" });
  });
});
