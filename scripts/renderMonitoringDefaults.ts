/**
 * Writes deploy/monitoring/flowops-alerts.yaml from FlowOps' default SLOs. Run from the repository root:
 *   npx tsx scripts/renderMonitoringDefaults.ts
 * A test fails when the committed file and this rendering differ.
 */
import { writeFile } from "node:fs/promises";
import { DEFAULT_ALERTS_FILE, renderDefaultAlerts } from "../src/monitoring/slo/defaultSlos.js";

await writeFile(DEFAULT_ALERTS_FILE, renderDefaultAlerts(), "utf8");
console.log(`wrote ${DEFAULT_ALERTS_FILE}`);
