/**
 * The tracking RPCs whose JSON bodies carry int64 fields that MLflow keeps to the last digit: metric steps and
 * timestamps (log-metric, log-batch) and run start and end times (create, update). Their bodies are read with
 * integers beyond 2^53 as exact BigInts (see parseJsonBody); every other body keeps JSON.parse's doubles, so
 * no other schema meets a BigInt.
 */
const INT64_BODY_RPC = /\/2\.0\/mlflow\/runs\/(?:log-metric|log-batch|create|update)\/?(?:[?#]|$)/;

export function bodyHasInt64Fields(url: string): boolean {
  return INT64_BODY_RPC.test(url);
}
