import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { isPublicAddress } from "./publicAddress.js";
import { DEFAULT_WEBHOOK_URL_POLICY, validateWebhookUrl, type ResolveHost } from "./webhookUrlPolicy.js";
import { webhookSettingsFromEnv } from "./webhookSettings.js";

/** The FlowOpsError a promise rejects with. */
async function thrownError(promise: Promise<unknown>): Promise<FlowOpsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof FlowOpsError) return error;
  throw new Error(`expected a FlowOpsError, got ${String(error)}`);
}

const LOCAL_DEV = { allowedSchemes: ["http", "https"], allowPrivateIps: true };
const resolvesTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses;

describe("isPublicAddress", () => {
  it.each([
    ["8.8.8.8", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.20.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["2002:7f00:1::", false],
    ["64:ff9b::a9fe:a9fe", false],
    ["not-an-ip", false],
  ])("%s is public: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe("validateWebhookUrl", () => {
  it("accepts an https URL whose host resolves only to public addresses", async () => {
    const url = await validateWebhookUrl(
      "https://hooks.example.com/mlflow",
      DEFAULT_WEBHOOK_URL_POLICY,
      resolvesTo("93.184.215.14"),
    );
    expect(url.hostname).toBe("hooks.example.com");
  });

  it("refuses http by default with mlflow's message", async () => {
    const error = await thrownError(
      validateWebhookUrl("http://hooks.example.com/x", DEFAULT_WEBHOOK_URL_POLICY),
    );
    expect(error).toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "Invalid webhook URL scheme: 'http'. Allowed schemes are: https.",
    });
  });

  it("refuses a host that resolves to a private address, even one of several", async () => {
    const error = await thrownError(
      validateWebhookUrl(
        "https://rebind.example.com/",
        DEFAULT_WEBHOOK_URL_POLICY,
        resolvesTo("93.184.215.14", "10.0.0.5"),
      ),
    );
    expect(error).toMatchObject({
      message:
        "Webhook URL must not resolve to a non-public IP address. 'rebind.example.com' resolves to 10.0.0.5.",
    });
  });

  it("refuses loopback literals in any spelling WHATWG parsing makes canonical", async () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://127.1/",
      "https://0x7f000001/",
      "https://[::1]:8443/",
    ]) {
      const error = await thrownError(validateWebhookUrl(url, DEFAULT_WEBHOOK_URL_POLICY, resolvesTo()));
      expect(error).toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
      expect(error.message).toMatch(/non-public IP address/);
    }
  });

  it("reports a host that does not resolve", async () => {
    const failing: ResolveHost = async () => {
      throw new Error("getaddrinfo ENOTFOUND nowhere.invalid");
    };
    const error = await thrownError(
      validateWebhookUrl("https://nowhere.invalid/", DEFAULT_WEBHOOK_URL_POLICY, failing),
    );
    expect(error.message).toBe(
      "Cannot resolve Webhook URL hostname 'nowhere.invalid': getaddrinfo ENOTFOUND nowhere.invalid",
    );
  });

  it("allows http and loopback when told to, without resolving anything", async () => {
    const never: ResolveHost = async () => {
      throw new Error("must not resolve");
    };
    await expect(validateWebhookUrl("http://localhost:9000/hook", LOCAL_DEV, never)).resolves.toBeInstanceOf(
      URL,
    );
  });

  it("words empty, host-less and unknown-scheme URLs as mlflow does", async () => {
    const cases: [string, string][] = [
      ["  ", "Webhook URL cannot be empty or just whitespace: '  '"],
      ["http:///x", "Webhook URL must include a hostname: 'http:///x'"],
      ["ftp://example.com/x", "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https."],
    ];
    for (const [url, message] of cases) {
      const error = await thrownError(validateWebhookUrl(url, LOCAL_DEV));
      expect(error).toMatchObject({ code: "INVALID_PARAMETER_VALUE", message });
    }
  });
});

describe("webhookSettingsFromEnv", () => {
  it("reads mlflow's variables and defaults", () => {
    expect(webhookSettingsFromEnv({})).toMatchObject({
      urlPolicy: { allowedSchemes: ["https"], allowPrivateIps: false },
      timeoutMs: 30_000,
      maxRetries: 3,
      maxConcurrent: 10,
    });
    expect(
      webhookSettingsFromEnv({
        MLFLOW_WEBHOOK_ALLOWED_SCHEMES: "http, https",
        MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: "TRUE",
        MLFLOW_WEBHOOK_REQUEST_TIMEOUT: "5",
        MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: "0",
      }),
    ).toMatchObject({
      urlPolicy: { allowedSchemes: ["http", "https"], allowPrivateIps: true },
      timeoutMs: 5000,
      maxRetries: 0,
    });
  });

  it("refuses a boolean it cannot read rather than guessing", () => {
    expect(() => webhookSettingsFromEnv({ MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: "yes" })).toThrow(
      /MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS must be one of/,
    );
  });
});
