import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { metadataBackends } from "../../test/support/backends.js";
import { createModelVersion } from "./modelVersionStore.js";
import { isVersionOf, modelVersionsOfModelFilter } from "./modelNameFilter.js";
import { createRegisteredModel } from "./registeredModelStore.js";
import { searchModelVersions } from "./registrySearch.js";

const NAMES = ["plain", "it's", 'say "hi"', `both'"x`, `both_"x`, "100%_done"];

describe.each(metadataBackends())("modelVersionsOfModelFilter on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let clock = 1000;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    for (const name of NAMES) {
      await createRegisteredModel(meta.db, { name }, (clock += 10));
      await createModelVersion(
        meta.db,
        { name, source: `/srv/artifacts/m${clock}` },
        ["/srv/artifacts"],
        (clock += 10),
      );
    }
  });
  afterAll(async () => close());

  it.each(NAMES)("finds the versions of %j and, after isVersionOf, only those", async (name) => {
    const found = await searchModelVersions(meta, { filter: modelVersionsOfModelFilter(name) });
    expect(found.items.map((v) => v.name)).toContain(name);
    expect(found.items.filter(isVersionOf(name)).map((v) => v.name)).toEqual([name]);
  });
});
