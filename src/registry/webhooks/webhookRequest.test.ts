import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  selfSignedCertificate,
  startWebhookReceiver,
  type SelfSignedCertificate,
  type WebhookReceiver,
} from "../../../test/support/webhookReceiver.js";
import { webhookEvent } from "./webhookEvents.js";
import { examplePayload } from "./webhookPayloads.js";
import { pythonUtcIsoformat, sendWebhookRequest } from "./webhookRequest.js";
import { DEFAULT_WEBHOOK_DELIVERY } from "./webhookSettings.js";
import { webhookSignature } from "./webhookSignature.js";

/**
 * mlflow's documented receiver check (docs "Webhooks", HMAC signature verification), ported line by line:
 * strip `v1,`, HMAC-SHA256 the secret over `<delivery id>.<timestamp>.<raw body>`, compare the base64.
 */
function verifyMlflowSignature(
  payload: string,
  signature: string,
  secret: string,
  deliveryId: string,
  timestamp: string,
): boolean {
  if (!signature.startsWith("v1,")) return false;
  const signatureB64 = signature.slice("v1,".length);
  const signedContent = `${deliveryId}.${timestamp}.${payload}`;
  const expected = createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(Buffer.from(signedContent, "utf8"))
    .digest("base64");
  const a = Buffer.from(signatureB64);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const TAG_SET = webhookEvent("model_version_tag", "set");
const NOTICE = {
  event: TAG_SET,
  data: { name: "churn-caf\u00e9", version: "3", key: "validated", value: "true" },
};
const LOCAL = {
  ...DEFAULT_WEBHOOK_DELIVERY,
  urlPolicy: { allowedSchemes: ["http", "https"], allowPrivateIps: true },
  backoffMs: 5,
  timeoutMs: 2000,
};
const NOW = Date.UTC(2026, 11, 2, 16, 8, 18, 12);

let receiver: WebhookReceiver;
afterEach(async () => receiver?.close());

describe("webhook signatures", () => {
  it("equal what mlflow's _generate_hmac_signature printed for the same inputs", () => {
    // Printed by mlflow 3.17.2: mlflow.webhooks.delivery._generate_hmac_signature(...).
    expect(
      webhookSignature(
        "s3cr3t",
        "9d4f0c2e-1111-4222-8333-944455556666",
        "1700000000",
        '{"entity": "registered_model", "data": {"name": "caf\\u00e9"}}',
      ),
    ).toBe("v1,czmdC2g/Vb8T01nJKjVeM/aqFSiYh4ym9ncKuIoEmTQ=");
    expect(webhookSignature("cl\u00e9", "id", "1", "body")).toBe(
      "v1,EiPQenU32P1sd7qnmM2mdDFHOuYYBFBkEcfix4UYFCw=",
    );
  });
});

describe("sendWebhookRequest", () => {
  it("posts mlflow's envelope and headers, signed so mlflow's documented check accepts it", async () => {
    receiver = await startWebhookReceiver();
    const response = await sendWebhookRequest({ url: `${receiver.url}/hook`, secret: "s3cr3t" }, NOTICE, {
      settings: LOCAL,
      now: () => NOW,
    });
    expect(response).toEqual({ status: 200, body: "ok" });
    const [request] = await receiver.waitFor(1);
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hook");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-mlflow-timestamp"]).toBe(String(Math.floor(NOW / 1000)));
    const deliveryId = String(request?.headers["x-mlflow-delivery-id"]);
    expect(deliveryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // json.dumps of mlflow's webhook_payload dict, with Python's separators and ASCII escapes.
    expect(request?.body).toBe(
      '{"entity": "model_version_tag", "action": "set", "timestamp": "2026-12-02T16:08:18.012000+00:00", ' +
        '"data": {"name": "churn-caf\\u00e9", "version": "3", "key": "validated", "value": "true"}}',
    );
    const signature = String(request?.headers["x-mlflow-signature"]);
    expect(
      verifyMlflowSignature(
        request?.body ?? "",
        signature,
        "s3cr3t",
        deliveryId,
        String(request?.headers["x-mlflow-timestamp"]),
      ),
    ).toBe(true);
    expect(verifyMlflowSignature(request?.body ?? "", signature, "wrong", deliveryId, "0")).toBe(false);
  });

  it("sends no signature header when the webhook has no secret", async () => {
    receiver = await startWebhookReceiver();
    await sendWebhookRequest({ url: receiver.url, secret: null }, NOTICE, { settings: LOCAL });
    const [request] = await receiver.waitFor(1);
    expect(request?.headers).not.toHaveProperty("x-mlflow-signature");
    expect(request?.headers).toHaveProperty("x-mlflow-delivery-id");
  });

  it("retries 503 with the same delivery id and signature, then returns the answer", async () => {
    receiver = await startWebhookReceiver();
    receiver.answers.push(
      { status: 503 },
      { status: 503, headers: { "retry-after": "0" } },
      { status: 202, body: "queued" },
    );
    const response = await sendWebhookRequest({ url: receiver.url, secret: "k" }, NOTICE, {
      settings: LOCAL,
    });
    expect(response).toEqual({ status: 202, body: "queued" });
    const requests = await receiver.waitFor(3);
    expect(new Set(requests.map((r) => r.headers["x-mlflow-delivery-id"])).size).toBe(1);
    expect(new Set(requests.map((r) => r.headers["x-mlflow-signature"])).size).toBe(1);
  });

  it("returns a 4xx at once, and the last 5xx once the retries are spent", async () => {
    receiver = await startWebhookReceiver();
    receiver.answers.push({ status: 418, body: "teapot" });
    expect(
      await sendWebhookRequest({ url: receiver.url, secret: null }, NOTICE, { settings: LOCAL }),
    ).toEqual({
      status: 418,
      body: "teapot",
    });
    receiver.answers.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const response = await sendWebhookRequest({ url: receiver.url, secret: null }, NOTICE, {
      settings: LOCAL,
    });
    expect(response.status).toBe(500);
    expect(receiver.received).toHaveLength(1 + 4);
  });

  it("throws after the retries when nothing answers", async () => {
    receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    await expect(sendWebhookRequest({ url, secret: null }, NOTICE, { settings: LOCAL })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it("refuses a loopback receiver under mlflow's default policy, before connecting", async () => {
    receiver = await startWebhookReceiver();
    const settings = { ...LOCAL, urlPolicy: { allowedSchemes: ["http", "https"], allowPrivateIps: false } };
    await expect(
      sendWebhookRequest({ url: receiver.url, secret: null }, NOTICE, { settings }),
    ).rejects.toThrow(/must not resolve to a non-public IP address/);
    expect(receiver.received).toEqual([]);
  });

  it("checks the address it connects to, so a name that re-resolves to loopback (DNS rebinding) is blocked", async () => {
    receiver = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    const settings = {
      ...LOCAL,
      maxRetries: 0,
      urlPolicy: { allowedSchemes: ["http"], allowPrivateIps: false },
    };
    // The check when the URL is validated sees a public address; the connection's own lookup sees 127.0.0.1.
    const publicAtFirst = async () => ["93.184.215.14"];
    await expect(
      sendWebhookRequest({ url: `http://localhost:${port}/`, secret: null }, NOTICE, {
        settings,
        resolveHost: publicAtFirst,
      }),
    ).rejects.toThrow(/Webhook connection blocked: (127\.0\.0\.1|::1) is not a public IP address/);
    expect(receiver.received).toEqual([]);
  });

  it("stops waiting when the server shuts down", async () => {
    receiver = await startWebhookReceiver();
    receiver.answers.push({ status: 503 }, { status: 503 });
    const closing = new AbortController();
    const settings = { ...LOCAL, backoffMs: 60_000 };
    const sending = sendWebhookRequest({ url: receiver.url, secret: null }, NOTICE, {
      settings,
      signal: closing.signal,
    });
    await receiver.waitFor(2);
    closing.abort(new Error("shutting down"));
    await expect(sending).rejects.toThrow(/shutting down/);
  });
});

describe("sendWebhookRequest over https", () => {
  let certificate: SelfSignedCertificate;
  beforeAll(() => {
    certificate = selfSignedCertificate();
  });
  afterAll(async () => receiver?.close());

  it("delivers to an https receiver whose certificate is trusted", async () => {
    receiver = await startWebhookReceiver(certificate);
    const https = { ...LOCAL, urlPolicy: { allowedSchemes: ["https"], allowPrivateIps: true } };
    const event = webhookEvent("registered_model", "created");
    const response = await sendWebhookRequest(
      { url: `${receiver.url}/secure`, secret: "k" },
      { event, data: examplePayload(event) },
      { settings: https, ca: certificate.cert },
    );
    expect(response.status).toBe(200);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? "{}")).toMatchObject({
      entity: "registered_model",
      action: "created",
      data: {
        name: "example_model",
        tags: { example_key: "example_value" },
        description: "An example registered model",
      },
    });
  });

  it("fails on an untrusted certificate rather than sending in the clear", async () => {
    receiver = await startWebhookReceiver(certificate);
    const settings = { ...LOCAL, maxRetries: 0 };
    await expect(
      sendWebhookRequest({ url: receiver.url, secret: "k" }, NOTICE, { settings }),
    ).rejects.toThrow(/self-signed certificate/);
  });
});

describe("pythonUtcIsoformat", () => {
  it("writes datetime.isoformat()'s microseconds and offset, leaving out a zero fraction", () => {
    expect(pythonUtcIsoformat(NOW)).toBe("2026-12-02T16:08:18.012000+00:00");
    expect(pythonUtcIsoformat(Date.UTC(2026, 0, 1))).toBe("2026-01-01T00:00:00+00:00");
  });
});
