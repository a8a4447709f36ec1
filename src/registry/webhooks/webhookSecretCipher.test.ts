import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isFernetToken, webhookSecretCipher, WebhookSecretCipher } from "./webhookSecretCipher.js";

// Tokens made by Python's `cryptography` (Fernet(KEY)._encrypt_from_parts(data, time, iv)); the first is the
// Fernet specification's own example.
const KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const HELLO =
  "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
const ACCENTED =
  "gAAAAABlU_EAEBESExQVFhcYGRobHB0eH3I9OGCYPnQAOPnAGW96OhQ1vVTehrSWcJSMcLIH4tdGSCcuqk9rRLTKRnTjZtPgNA==";
const iv = (start: number): Buffer => Buffer.from(Array.from({ length: 16 }, (_, i) => start + i));

const dir = mkdtempSync(join(tmpdir(), "flowops-webhook-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("WebhookSecretCipher", () => {
  it("writes the tokens Python's Fernet writes, and reads them back", () => {
    const cipher = new WebhookSecretCipher(KEY);
    expect(cipher.encrypt("hello", 499162800, iv(0))).toBe(HELLO);
    expect(cipher.encrypt("s3cr3t-é", 1700000000, iv(16))).toBe(ACCENTED);
    expect(cipher.decrypt(HELLO)).toBe("hello");
    expect(cipher.decrypt(ACCENTED)).toBe("s3cr3t-é");
    expect(cipher.decrypt(cipher.encrypt("fresh"))).toBe("fresh");
  });

  it("refuses a token made under another key or altered, and a malformed key by name", () => {
    const other = new WebhookSecretCipher(WebhookSecretCipher.generateKey());
    expect(() => other.decrypt(HELLO)).toThrow(/another key than the one in use/);
    const altered = HELLO.slice(0, 40) + (HELLO[40] === "A" ? "B" : "A") + HELLO.slice(41);
    expect(() => new WebhookSecretCipher(KEY).decrypt(altered)).toThrow(/another key/);
    expect(() => new WebhookSecretCipher(KEY).decrypt("plain")).toThrow(/not a Fernet token/);
    expect(() => webhookSecretCipher({ MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: "short" })).toThrow(
      "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes (a Fernet key).",
    );
  });

  it("tells tokens from secrets stored in the clear", () => {
    expect(isFernetToken(HELLO)).toBe(true);
    expect(isFernetToken("s3cr3t")).toBe(false);
    expect(isFernetToken("gAAAAAAdwJ6w")).toBe(false);
  });
});

describe("webhookSecretCipher", () => {
  it("takes the key from MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY before any file", () => {
    const cipher = webhookSecretCipher(
      { MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: KEY },
      join(dir, "unused.key"),
    );
    expect(cipher.decrypt(HELLO)).toBe("hello");
    expect(() => statSync(join(dir, "unused.key"))).toThrow(/ENOENT/);
  });

  it("otherwise generates a key file when a secret is first met, private to its owner, and keeps using it", () => {
    const keyFile = join(dir, "home", "webhook-secret.key");
    const cipher = webhookSecretCipher({}, keyFile);
    expect(() => statSync(keyFile)).toThrow(/ENOENT/);
    const token = cipher.encrypt("survives a restart");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, "utf8")).toMatch(/^[A-Za-z0-9_-]{43}=\n$/);
    expect(webhookSecretCipher({}, keyFile).decrypt(token)).toBe("survives a restart");
  });
});
