/**
 * Model-version tags the server writes after a gate runs. Their prefix is reserved: the MLflow tag API
 * refuses to set or delete them, so a tag showing "passed" always comes from a real gate record.
 */

export const GATE_TAG_PREFIX = "flowops.gate.";

export const GATE_TAGS = {
  status: `${GATE_TAG_PREFIX}status`,
  policy: `${GATE_TAG_PREFIX}policy`,
  runId: `${GATE_TAG_PREFIX}run_id`,
  at: `${GATE_TAG_PREFIX}at`,
} as const;

export function isReservedGateTag(key: string): boolean {
  return key.toLowerCase().startsWith(GATE_TAG_PREFIX);
}
