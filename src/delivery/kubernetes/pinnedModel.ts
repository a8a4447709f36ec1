/**
 * The model a cluster should load. An alias is resolved when the manifests are made, so every pod, and every
 * restart, loads the same version; the version also labels the serving metrics the analyses query.
 */
import { basename } from "node:path";

export interface PinnedModel {
  /** The URI the pods load: the caller's, or `models:/name/version` for an alias. */
  uri: string;
  /** The `version` label of the serving metrics: a registry version, a run id, or the artifact's name. */
  version: string;
}

/** Reads the version an alias of a registered model points at now. */
export type AliasLookup = (name: string, alias: string) => Promise<string>;

/**
 * `models:/name/version` as is, `models:/name@alias` through `versionOfAlias` (called for aliases only, so
 * other URIs need no tracking server), `runs:/id/path` by its run id, anything else by its last path segment.
 */
export async function pinnedModel(uri: string, versionOfAlias: AliasLookup): Promise<PinnedModel> {
  const registered = /^models:\/([^/@]+)\/([^/]+)$/.exec(uri);
  if (registered !== null) return { uri, version: registered[2] as string };
  const aliased = /^models:\/([^/@]+)@([^/]+)$/.exec(uri);
  if (aliased !== null) {
    const name = aliased[1] as string;
    const version = await versionOfAlias(name, aliased[2] as string);
    return { uri: `models:/${name}/${version}`, version };
  }
  const run = /^runs:\/([^/]+)\//.exec(uri);
  if (run !== null) return { uri, version: run[1] as string };
  return { uri, version: basename(uri) };
}
