/**
 * Picks an artifact store by URI scheme through one registry, as MLflow's artifact_repository_registry
 * does. A bare path is a local directory. Unknown schemes are refused with the list of known ones; in
 * particular http(s) is absent on purpose, so a user-supplied root can never make the server fetch URLs.
 */
import { fileURLToPath } from "node:url";
import { invalidParameter } from "../errors.js";
import { LocalArtifactStore } from "./local.js";
import { S3ArtifactStore, type S3StoreOptions } from "./s3.js";
import type { ArtifactStore } from "./store.js";

export type ResolveStoreOptions = S3StoreOptions;

type StoreFactory = (uri: string, options: ResolveStoreOptions) => ArtifactStore;

const STORE_FACTORIES = {
  file: (uri) => new LocalArtifactStore(localPathOfFileUri(uri)),
  s3: (uri, options) => new S3ArtifactStore(uri, options),
} as const satisfies Record<string, StoreFactory>;

export const ARTIFACT_STORE_SCHEMES = Object.keys(STORE_FACTORIES) as (keyof typeof STORE_FACTORIES)[];

/** The scheme of a URI, or undefined for a bare path (a one-letter "scheme" is a Windows drive). */
export function uriScheme(uri: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1];
  return scheme === undefined || scheme.length === 1 ? undefined : scheme.toLowerCase();
}

/** Opens the store rooted at a storage URI: a local directory, `file://...` or `s3://bucket/prefix`. */
export function resolveArtifactStore(uri: string, options: ResolveStoreOptions = {}): ArtifactStore {
  const scheme = uriScheme(uri);
  if (scheme === undefined) return new LocalArtifactStore(uri);
  if (!Object.hasOwn(STORE_FACTORIES, scheme)) {
    throw invalidParameter(
      `Unsupported artifact URI scheme '${scheme}' in '${uri}'. Supported: local paths, ${ARTIFACT_STORE_SCHEMES.map((s) => `${s}://`).join(", ")}.`,
    );
  }
  return STORE_FACTORIES[scheme as keyof typeof STORE_FACTORIES](uri, options);
}

function localPathOfFileUri(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    throw invalidParameter(`Invalid file URI '${uri}': expected file:///<absolute path> on this host.`);
  }
}
