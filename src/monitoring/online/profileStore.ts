/**
 * Reference profiles stored with model versions (`model_profiles`): the compact summary of a version's
 * training data that online drift monitoring compares each window with. A version has at most one profile;
 * storing another replaces it. Rows stay inside the store: callers get ReferenceProfile objects.
 */
import type { MetadataDb } from "../../db/connect.js";
import { FlowOpsError } from "../../errors.js";
import { PROFILE_FORMAT_VERSION, type ReferenceProfile } from "../drift/referenceProfile.js";

export interface StoredProfile {
  readonly modelName: string;
  readonly version: string;
  readonly profile: ReferenceProfile;
  readonly createdAt: number;
}

export class ProfileStore {
  constructor(
    private readonly meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores (or replaces) the profile of one model version. */
  async put(modelName: string, version: string, profile: ReferenceProfile): Promise<StoredProfile> {
    const createdAt = this.now();
    const profileJson = JSON.stringify(profile);
    await this.meta.db
      .insertInto("model_profiles")
      .values({ model_name: modelName, version, profile_json: profileJson, created_at: createdAt })
      .onConflict((conflict) =>
        conflict
          .columns(["model_name", "version"])
          .doUpdateSet({ profile_json: profileJson, created_at: createdAt }),
      )
      .execute();
    return { modelName, version, profile, createdAt };
  }

  async get(modelName: string, version: string): Promise<ReferenceProfile | undefined> {
    return (await this.getStored(modelName, version))?.profile;
  }

  async getStored(modelName: string, version: string): Promise<StoredProfile | undefined> {
    const row = await this.meta.db
      .selectFrom("model_profiles")
      .selectAll()
      .where("model_name", "=", modelName)
      .where("version", "=", version)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const profile = JSON.parse(row.profile_json) as ReferenceProfile;
    if (profile.formatVersion !== PROFILE_FORMAT_VERSION) {
      throw new FlowOpsError(
        "INVALID_STATE",
        `the stored profile of model '${modelName}' version ${version} has format ${String(profile.formatVersion)}; ` +
          `this FlowOps reads format ${PROFILE_FORMAT_VERSION}: store the profile again`,
      );
    }
    return { modelName, version, profile, createdAt: row.created_at };
  }
}
