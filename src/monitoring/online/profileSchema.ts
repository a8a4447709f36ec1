/**
 * The zod schema of a ReferenceProfile as it arrives over the API: the drift core's JSON form
 * (referenceProfile.ts), checked once at the edge so a stored profile always turns back into a DriftTable.
 */
import { z } from "zod";
import { PROFILE_FORMAT_VERSION, type ReferenceProfile } from "../drift/referenceProfile.js";

const count = z.number().int().nonnegative();
const finiteOrNull = z.number().finite().nullable();

const numericalColumn = z.object({
  kind: z.literal("numerical"),
  name: z.string().min(1),
  count,
  missing: count,
  min: finiteOrNull,
  max: finiteOrNull,
  mean: finiteOrNull,
  std: finiteOrNull,
  distinct: count,
  distinctCapped: z.boolean(),
  histogram: z.object({ edges: z.array(z.number().finite()), counts: z.array(count) }),
  sample: z.array(z.number().finite()),
});

const categoricalColumn = z.object({
  kind: z.literal("categorical"),
  name: z.string().min(1),
  count,
  missing: count,
  distinct: count,
  frequencies: z.array(z.tuple([z.string(), count])),
  otherCount: count,
});

export const referenceProfileSchema = z
  .object({
    formatVersion: z.literal(PROFILE_FORMAT_VERSION),
    rows: count,
    seed: z.number().int(),
    columns: z.array(z.discriminatedUnion("kind", [numericalColumn, categoricalColumn])).min(1),
  })
  .superRefine((profile, context) => {
    const seen = new Set<string>();
    profile.columns.forEach((column, index) => {
      if (seen.has(column.name)) {
        context.addIssue({
          code: "custom",
          path: ["columns", index, "name"],
          message: `column '${column.name}' appears twice`,
        });
      }
      seen.add(column.name);
    });
  }) as unknown as z.ZodType<ReferenceProfile>;
