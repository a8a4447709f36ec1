/**
 * Webhook secrets are kept encrypted in the metadata database, as mlflow keeps them: a Fernet token
 * (AES-128-CBC then HMAC-SHA256, the `cryptography` package's format) under the key in
 * `MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY`, so a database dump or backup does not give away what signs the
 * deliveries, and a store written by one server reads under the other with the same key. Without the variable
 * mlflow makes a new key per process, which loses every secret at a restart; here the key is generated once and
 * kept in a file beside the embedded database (mode 0600), and only a server with nowhere to keep it falls back
 * to a key of its own lifetime.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { FlowOpsError, invalidParameter } from "../../errors.js";

export const WEBHOOK_SECRET_KEY_VARIABLE = "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY";

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;

export class WebhookSecretCipher {
  private keys: { signing: Buffer; encryption: Buffer } | undefined;

  /**
   * `key`: a Fernet key, 32 bytes as URL-safe base64 (what `Fernet.generate_key()` prints), or what reads it
   * on first use, so a server that never meets a secret never creates a key file.
   */
  constructor(
    private readonly key: string | (() => string),
    private readonly source = "key",
  ) {
    if (typeof key === "string") this.keys = parseKey(key, source);
  }

  static generateKey(): string {
    return paddedBase64Url(randomBytes(32));
  }

  private loaded(): { signing: Buffer; encryption: Buffer } {
    this.keys ??= parseKey(typeof this.key === "string" ? this.key : this.key(), this.source);
    return this.keys;
  }

  /** A Fernet token; `nowSeconds` and `iv` are fixed only by tests that compare with known tokens. */
  encrypt(
    plaintext: string,
    nowSeconds = Math.floor(Date.now() / 1000),
    iv: Buffer = randomBytes(16),
  ): string {
    const keys = this.loaded();
    const cipher = createCipheriv("aes-128-cbc", keys.encryption, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const header = Buffer.alloc(9);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(nowSeconds), 1);
    const signed = Buffer.concat([header, iv, body]);
    const mac = createHmac("sha256", keys.signing).update(signed).digest();
    return paddedBase64Url(Buffer.concat([signed, mac]));
  }

  decrypt(token: string): string {
    if (!isFernetToken(token)) throw undecryptable("it is not a Fernet token");
    const keys = this.loaded();
    const bytes = Buffer.from(token, "base64url");
    const signed = bytes.subarray(0, bytes.length - MAC);
    const expected = createHmac("sha256", keys.signing).update(signed).digest();
    if (!timingSafeEqual(expected, bytes.subarray(bytes.length - MAC))) {
      throw undecryptable(
        `it was encrypted under another key than the one in use (set ${WEBHOOK_SECRET_KEY_VARIABLE} to that key)`,
      );
    }
    const decipher = createDecipheriv("aes-128-cbc", keys.encryption, signed.subarray(9, HEADER));
    return Buffer.concat([decipher.update(signed.subarray(HEADER)), decipher.final()]).toString("utf8");
  }
}

function parseKey(key: string, source: string): { signing: Buffer; encryption: Buffer } {
  const bytes = Buffer.from(key.trim(), "base64url");
  if (bytes.length !== 32 || !/^[A-Za-z0-9_-]{43}=?$/.test(key.trim())) {
    throw invalidParameter(`${source} must be 32 url-safe base64-encoded bytes (a Fernet key).`);
  }
  return { signing: bytes.subarray(0, 16), encryption: bytes.subarray(16) };
}

/** Python's `urlsafe_b64encode`: Fernet keys and tokens keep their `=` padding. */
function paddedBase64Url(bytes: Buffer): string {
  const text = bytes.toString("base64url");
  return text + "=".repeat((4 - (text.length % 4)) % 4);
}

/**
 * Whether a stored value has a Fernet token's shape: the version byte, a header, whole cipher blocks and a MAC.
 * Anything else in the column is a secret stored in the clear before encryption, to be encrypted in place.
 */
export function isFernetToken(value: string): boolean {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, "base64url");
  const body = bytes.length - HEADER - MAC;
  return bytes[0] === VERSION && body >= 16 && body % 16 === 0;
}

function undecryptable(why: string): FlowOpsError {
  return new FlowOpsError("INVALID_STATE", `The webhook's secret cannot be decrypted: ${why}.`);
}

/**
 * The cipher a server uses: the variable's key when set (refused by name when malformed, at once); else the key
 * kept in `keyFile`, read or generated there when a secret is first met; else a key for this process only.
 */
export function webhookSecretCipher(env: NodeJS.ProcessEnv, keyFile?: string): WebhookSecretCipher {
  const fromEnv = env[WEBHOOK_SECRET_KEY_VARIABLE];
  if (fromEnv !== undefined && fromEnv.trim() !== "")
    return new WebhookSecretCipher(fromEnv, WEBHOOK_SECRET_KEY_VARIABLE);
  if (keyFile === undefined) return new WebhookSecretCipher(WebhookSecretCipher.generateKey());
  return new WebhookSecretCipher(() => readOrCreateKeyFile(keyFile), keyFile);
}

function readOrCreateKeyFile(keyFile: string): string {
  try {
    return readFileSync(keyFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(keyFile), { recursive: true });
  const temp = `${keyFile}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, `${WebhookSecretCipher.generateKey()}\n`, { mode: 0o600 });
  try {
    // A hard link never replaces: when two servers start at once, the first key wins and both read it.
    linkSync(temp, keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return readFileSync(keyFile, "utf8");
}
