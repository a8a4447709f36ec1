/**
 * The `drift:` section of a monitoring config: how the server's drift monitor samples and windows live traffic.
 * Absent keys keep the monitor's defaults (15 s windows, 200 rows to judge, 5,000 rows close a window early,
 * every answer sampled, dataset drift at half the columns).
 */
import { z } from "zod";
import { schemaProblem, type YamlFile } from "../../data/yamlFile.js";

const driftSection = z.strictObject({
  windowSeconds: z.number().positive().optional(),
  minRows: z.number().int().min(1).optional(),
  closeAtRows: z.number().int().min(1).optional(),
  sampleRate: z.number().gt(0).max(1).optional(),
  driftShare: z.number().gt(0).max(1).optional(),
});

export interface DriftSettings {
  windowSeconds?: number;
  minRows?: number;
  closeAtRows?: number;
  sampleRate?: number;
  driftShare?: number;
}

/** The settings under `drift:` in a parsed monitoring config; `{}` when the section is absent. */
export function driftSettingsFromYaml(yaml: YamlFile): DriftSettings {
  const value = (yaml.value as { drift?: unknown } | null | undefined)?.drift;
  if (value === undefined || value === null) return {};
  const parsed = driftSection.safeParse(value);
  if (parsed.success) {
    // Only the keys given, so the monitor's own defaults fill the rest.
    return Object.fromEntries(
      Object.entries(parsed.data).filter(([, setting]) => setting !== undefined),
    ) as DriftSettings;
  }
  throw schemaProblem(yaml, parsed.error.issues, ["drift"]);
}
