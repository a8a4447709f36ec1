/**
 * mlflow's delivery headers and HMAC scheme (`mlflow/webhooks/constants.py`, `_generate_hmac_signature`),
 * which follow Standard Webhooks: the signature is HMAC-SHA256, keyed by the webhook's secret, over
 * `<delivery id>.<unix seconds>.<body>`, sent as `v1,<base64>`. Receivers verify with mlflow's documented
 * code, so every byte of this must stay as mlflow writes it.
 */
import { createHmac } from "node:crypto";

export const WEBHOOK_SIGNATURE_HEADER = "X-MLflow-Signature";
export const WEBHOOK_TIMESTAMP_HEADER = "X-MLflow-Timestamp";
export const WEBHOOK_DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id";
export const WEBHOOK_SIGNATURE_VERSION = "v1";

export function webhookSignature(
  secret: string,
  deliveryId: string,
  timestamp: string,
  body: string,
): string {
  const digest = createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(`${deliveryId}.${timestamp}.${body}`, "utf8")
    .digest("base64");
  return `${WEBHOOK_SIGNATURE_VERSION},${digest}`;
}
