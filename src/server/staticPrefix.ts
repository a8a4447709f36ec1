/**
 * `--static-prefix` (env MLFLOW_STATIC_PREFIX), as `mlflow server` has it: every route of the server moves
 * under the prefix, so it can sit behind a reverse proxy at `https://host/mlflow`, and clients use
 * `http://host:port/<prefix>` as their tracking URI. MLflow registers each route with the prefix prepended
 * (handlers.py `_add_static_prefix`); a path outside it is Flask's plain 404.
 *
 * Here the prefix is taken off the URL before routing instead, so routes, the artifact proxy's raw path
 * checks and the security middleware all see the paths they see without a prefix.
 */
import { FlowOpsError } from "../errors.js";

/** A path no route has: where a request outside the prefix is sent, so it gets the server's 404. */
export const OUTSIDE_STATIC_PREFIX = "/.flowops-outside-static-prefix";

/**
 * The prefix, checked with `mlflow server`'s rules (cli `_validate_static_prefix`): it begins with `/`, does
 * not end with one and has no braces. Unset or empty means none.
 */
export function validateStaticPrefix(value: string | undefined, source: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const refuse = (why: string): never => {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${source} ${why}: '${value}'`);
  };
  if (!value.startsWith("/")) refuse("must begin with a '/'");
  if (value.endsWith("/")) refuse("should not end with a '/'");
  if (value.includes("{") || value.includes("}")) refuse("must not contain '{' or '}'");
  if (/[?#\s]/.test(value)) refuse("must be a plain path, without '?', '#' or spaces");
  return value;
}

/**
 * The URL as the routes know it: `prefix` taken off a path inside it; OUTSIDE_STATIC_PREFIX (with the query
 * kept) for a path outside. The bare prefix is the root, as `/prefix/` is.
 */
export function urlInsideStaticPrefix(prefix: string, url: string): string {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  const rest = query === -1 ? "" : url.slice(query);
  if (path === prefix) return `/${rest}`;
  if (path.startsWith(`${prefix}/`)) return url.slice(prefix.length);
  return `${OUTSIDE_STATIC_PREFIX}${rest}`;
}
