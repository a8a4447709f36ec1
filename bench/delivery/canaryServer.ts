/**
 * The server process of the routing-overhead measurement, run as its own process so the load generator
 * does not share its event loop: the fault-injection harness's server with two endpoints over the same
 * ONNX model. `direct` serves only the stable version; `canary` has the same model as stable and a copy of
 * it in another directory as candidate, held at 90/10 by a `setWeight: 10` then `pause: {}` rollout (no
 * analysis, so nothing can move the split while it is measured). Prints one JSON line {url, bodyFile,
 * direct, canary} once both answer, and stops on SIGTERM or SIGINT.
 *
 *   node --import tsx bench/delivery/canaryServer.ts
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inferBody, startDeliveryHarness, writeHarnessModels } from "../../test/support/deliveryHarness.js";

/** DeliveryController's default tick. */
const DEFAULT_TICK_MS = 250;
const DIRECT_ENDPOINT = "direct";
const CANARY_ENDPOINT = "canary";
const CANARY_WEIGHT = 10;
const HELD_CANARY = `strategy:
  canary:
    steps:
      - setWeight: ${CANARY_WEIGHT}
      - pause: {}
      - setWeight: 100
`;

const dir = await mkdtemp(join(tmpdir(), "flowops-bench-delivery-"));
const models = await writeHarnessModels(join(dir, "models"));
const harness = await startDeliveryHarness(join(dir, "server.db"), DEFAULT_TICK_MS);
const stop = async (): Promise<void> => {
  await harness.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());

await harness.delivery.create({ name: DIRECT_ENDPOINT, modelUri: models.stable });
await harness.delivery.create({
  name: CANARY_ENDPOINT,
  modelUri: models.stable,
  specYaml: HELD_CANARY,
  specFile: "overhead-rollout.yaml",
});
await harness.delivery.deploy(CANARY_ENDPOINT, models.healthy);
const deadline = Date.now() + 30_000;
for (;;) {
  const status = await harness.delivery.status(CANARY_ENDPOINT);
  const weight = status.weights.find((route) => route.model === status.candidate)?.weight ?? 0;
  if (status.phase === "Paused" && weight === CANARY_WEIGHT) break;
  if (Date.now() > deadline) throw new Error(`canary not held at 10 %: ${JSON.stringify(status)}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const bodyFile = join(dir, "v2-body.json");
await writeFile(bodyFile, inferBody(1));
process.stdout.write(
  `${JSON.stringify({ url: harness.url, bodyFile, direct: DIRECT_ENDPOINT, canary: CANARY_ENDPOINT })}\n`,
);
