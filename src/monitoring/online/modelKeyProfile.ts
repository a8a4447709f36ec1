/**
 * Which reference profile a served model key is judged against: `models:/<name>/<version>` keys have the
 * profile stored with that version; other keys (aliases, runs:/, bare paths) name no fixed version, so they
 * have none and their windows are not compared.
 */
import type { ReferenceProfile } from "../drift/referenceProfile.js";
import type { ProfileStore } from "./profileStore.js";

const VERSION_KEY = /^models:\/([^/@]+)\/(\d+)$/;

export function modelVersionOfKey(modelKey: string): { name: string; version: string } | undefined {
  const match = VERSION_KEY.exec(modelKey);
  return match === null ? undefined : { name: match[1] as string, version: match[2] as string };
}

export function profileForModelKey(
  profiles: Pick<ProfileStore, "get">,
): (endpoint: string, modelKey: string) => Promise<ReferenceProfile | undefined> {
  return async (_endpoint, modelKey) => {
    const version = modelVersionOfKey(modelKey);
    return version === undefined ? undefined : profiles.get(version.name, version.version);
  };
}
