import { afterEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../../db/connect.js";
import { detectDrift } from "../drift/datasetDrift.js";
import { buildProfile } from "../drift/referenceProfile.js";
import { metadataBackends } from "../../../test/support/backends.js";
import { DriftReportStore } from "./driftReportStore.js";
import { ProfileStore } from "./profileStore.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const table = [
  { name: "age", values: Float64Array.from([21, 35, 47, 52, 63]) },
  { name: "plan", values: ["basic", "pro", "basic", null, "pro"] },
];

for (const backend of metadataBackends()) {
  describe(`monitoring stores on ${backend.name}`, () => {
    async function open(): Promise<MetadataDb> {
      const opened = await backend.open();
      closers.push(opened.close);
      return opened.meta;
    }

    it("stores a version's profile, replaces it on a second put, and knows no other version's", async () => {
      const meta = await open();
      let now = 1000;
      const profiles = new ProfileStore(meta, () => now);
      const first = buildProfile(table);
      await profiles.put("churn", "3", first);
      expect(await profiles.get("churn", "3")).toEqual(first);
      now = 2000;
      const second = buildProfile(table.slice(0, 1));
      await profiles.put("churn", "3", second);
      expect(await profiles.getStored("churn", "3")).toEqual({
        modelName: "churn",
        version: "3",
        profile: second,
        createdAt: 2000,
      });
      expect(await profiles.get("churn", "4")).toBeUndefined();
    });

    it("lists an endpoint's drift reports newest first, pages after an id, and tells the latest", async () => {
      const meta = await open();
      const reports = new DriftReportStore(meta);
      const report = detectDrift(table, table);
      const added = [];
      for (let i = 0; i < 3; i++) {
        added.push(
          await reports.add({
            endpoint: "churn",
            model: "models:/churn/3",
            windowStart: i * 15_000,
            windowEnd: (i + 1) * 15_000,
            rows: 200 + i,
            report,
          }),
        );
      }
      await reports.add({
        endpoint: "fraud",
        model: "models:/fraud/1",
        windowStart: 0,
        windowEnd: 1,
        rows: 9,
        report,
      });
      const ids = added.map((row) => row.id);
      expect((await reports.list("churn")).map((row) => row.id)).toEqual([...ids].reverse());
      expect((await reports.list("churn", { limit: 2 })).map((row) => row.rows)).toEqual([202, 201]);
      expect((await reports.list("churn", { afterId: ids[0] })).map((row) => row.id)).toEqual(ids.slice(1));
      const latest = await reports.latest("churn");
      expect(latest).toMatchObject({ id: ids[2], windowEnd: 45_000, rows: 202 });
      expect(latest?.report.share).toBe(report.share);
      expect(latest?.report.columns.map((c) => c.column)).toEqual(["age", "plan"]);
      expect(await reports.latest("nowhere")).toBeUndefined();
    });
  });
}
