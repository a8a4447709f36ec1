/**
 * Maps an artifact URI (a run's artifact_uri, a model version's source) to the storage holding its files.
 * Proxied URIs (`mlflow-artifacts:/p`, `mlflow-artifacts://host:port/p`, and the HTTP form
 * `http(s)://.../api/2.0/mlflow-artifacts/artifacts/p`) name files under this server's artifacts
 * destination; any other URI is opened through the store registry. Proxied HTTP URIs are never fetched:
 * the server reads its own storage, so an artifact root cannot be used to reach other hosts.
 */
import { assertSafeArtifactUri, assertSafeRelativePath } from "./pathSafety.js";
import { resolveArtifactStore, uriScheme, type ResolveStoreOptions } from "./resolveStore.js";
import { scopeArtifactStore } from "./scopedStore.js";
import type { ArtifactStore } from "./store.js";

const PROXY_PATH_MARKER = "/api/2.0/mlflow-artifacts/artifacts";

export interface ArtifactLocationConfig {
  /** Where the mlflow-artifacts proxy keeps files: a local directory or a storage URI. */
  artifactsDestination: string;
}

/** Where an artifact URI's files are: a store, and the directory inside it (`""` is its root). */
export interface ArtifactLocation {
  store: ArtifactStore;
  path: string;
}

export interface ArtifactLocator {
  /** The store behind the mlflow-artifacts proxy. */
  readonly destination: ArtifactStore;
  locate(uri: string): ArtifactLocation;
  /** A store rooted at `uri`: list/read/write/delete paths relative to it. */
  open(uri: string): ArtifactStore;
}

/**
 * The path under the proxy's destination that a proxied URI names, or undefined when the URI is not a
 * proxied one.
 */
export function proxiedArtifactPath(uri: string): string | undefined {
  const scheme = uriScheme(uri);
  if (scheme === "mlflow-artifacts") {
    const rest = uri.slice(uri.indexOf(":") + 1);
    const path = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
    return assertSafeRelativePath(path.replace(/^\/+/, ""), "artifact_uri");
  }
  if (scheme === "http" || scheme === "https") {
    const pathname = new URL(uri).pathname;
    const at = pathname.indexOf(PROXY_PATH_MARKER);
    if (at === -1) return undefined;
    const after = pathname.slice(at + PROXY_PATH_MARKER.length);
    if (after !== "" && !after.startsWith("/")) return undefined;
    return assertSafeRelativePath(after.replace(/^\/+/, ""), "artifact_uri");
  }
  return undefined;
}

/** One destination store for the server's lifetime; each `locate`/`open` is cheap. */
export function createArtifactLocator(
  config: ArtifactLocationConfig,
  options: ResolveStoreOptions = {},
): ArtifactLocator {
  const destination = resolveArtifactStore(config.artifactsDestination, options);
  const locate = (uri: string): ArtifactLocation => {
    assertSafeArtifactUri(uri, "artifact_uri");
    const proxied = proxiedArtifactPath(uri);
    if (proxied !== undefined) return { store: destination, path: proxied };
    return { store: resolveArtifactStore(uri, options), path: "" };
  };
  return {
    destination,
    locate,
    open(uri) {
      const { store, path } = locate(uri);
      return scopeArtifactStore(store, path, uri);
    },
  };
}

/**
 * Opens the files behind an artifact URI server-side, e.g. to download a run's or a model version's files
 * for serving: `await downloadArtifacts(openArtifactLocation(version.source, ctx.config), "", dir)`.
 */
export function openArtifactLocation(
  uri: string,
  config: ArtifactLocationConfig,
  options: ResolveStoreOptions = {},
): ArtifactStore {
  return createArtifactLocator(config, options).open(uri);
}
