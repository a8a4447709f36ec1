/**
 * What mlflow 3.17's server security middleware allows (mlflow/server/security_utils.py): which Host headers
 * pass the DNS-rebinding check, which origins CORS answers for, and which cross-origin requests it refuses.
 * Settings come from mlflow's own environment variables, which `mlflow server` (and `flowops server`) set from
 * --allowed-hosts, --cors-allowed-origins, --x-frame-options and --disable-security-middleware.
 */
import { FlowOpsError } from "../errors.js";

export interface SecuritySettings {
  /** MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE is exactly "true": no headers, CORS or host checks at all. */
  disabled: boolean;
  /** fnmatch patterns or exact values; "*" among them turns the check off. */
  allowedHosts: readonly string[];
  /** Explicit origins (fnmatch when they hold "*"); "*" alone switches to credential-less wildcard CORS. */
  corsAllowedOrigins: readonly string[];
  /** Upper-cased; "" or "NONE" sends no X-Frame-Options. */
  frameOptions: string;
}

export const INVALID_HOST_MESSAGE = "Invalid Host header - possible DNS rebinding attack detected";
export const CORS_BLOCKED_MESSAGE = "Cross-origin request blocked";

/** Exempt from the Host check so that load balancers and probes using any name can reach them. */
const HEALTH_PATHS = new Set(["/health", "/version"]);
const STATE_CHANGING_METHODS = new Set(["POST", "PUT", "DELETE", "PATCH"]);
/** mlflow's TEST_ENDPOINTS, left out of the API paths. */
const TEST_PATHS = new Set(["/test", "/api/test"]);
const LOCALHOST_HOSTS = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"];
const LOCALHOST_ORIGIN_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
/** The origins CORS answers for besides the configured ones (LOCALHOST_ORIGIN_PATTERNS): plain http only. */
const LOCALHOST_ORIGIN = /^(?:http:\/\/localhost|http:\/\/127\.0\.0\.1|http:\/\/\[::1\])(?::[0-9]+)?$/;

/** Loopback names, bare and with any port (fnmatch patterns; `[[]` is a literal bracket). */
const LOOPBACK_HOST_PATTERNS: readonly string[] = [
  ...LOCALHOST_HOSTS,
  ...LOCALHOST_HOSTS.map((host) => `${host.replace(/^\[/, "[[]")}:*`),
];

/** get_default_allowed_hosts(): loopback names with any port, and the RFC 1918 / RFC 4193 ranges. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = [
  ...LOOPBACK_HOST_PATTERNS,
  "192.168.*",
  "10.*",
  ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`),
  "fc00:*",
  "fd00:*",
];

export function securitySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SecuritySettings {
  return {
    disabled: env.MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE === "true",
    allowedHosts: commaList(env.MLFLOW_SERVER_ALLOWED_HOSTS) ?? DEFAULT_ALLOWED_HOSTS,
    corsAllowedOrigins: commaList(env.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS) ?? [],
    frameOptions: (env.MLFLOW_SERVER_X_FRAME_OPTIONS ?? "SAMEORIGIN").toUpperCase(),
  };
}

/** An unset or empty variable means the default, as mlflow's truthiness test does; entries are trimmed. */
function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined || value === "") return undefined;
  return value.split(",").map((entry) => entry.trim());
}

export function isHealthPath(path: string): boolean {
  return HEALTH_PATHS.has(path);
}

/** Paths where CORS blocking applies and a 200 answer to OPTIONS becomes 204 (is_api_endpoint). */
export function isApiPath(path: string): boolean {
  return (path.startsWith("/api/") || path.startsWith("/ajax-api/")) && !TEST_PATHS.has(path);
}

/**
 * Unlike mlflow, a loopback Host (any port) passes even when `--allowed-hosts` leaves it out: FlowOps' own
 * delivery, retraining and pipeline steps call their server at 127.0.0.1, and a DNS-rebinding page cannot
 * send a loopback Host (its requests carry the attacker's name).
 */
export function isAllowedHost(allowedHosts: readonly string[], host: string | undefined): boolean {
  if (host === undefined || host === "") return false;
  if (allowedHosts.includes("*")) return true;
  if (LOOPBACK_HOST_PATTERNS.some((pattern) => matchesPattern(host, pattern))) return true;
  return allowedHosts.some((pattern) => matchesPattern(host, pattern));
}

export function allowsAnyOrigin(settings: SecuritySettings): boolean {
  return settings.corsAllowedOrigins.includes("*");
}

/**
 * Whether CORS names the origin back (Access-Control-Allow-Origin). Starlette's CORSMiddleware compares the
 * configured origins exactly, so a wildcard pattern there passes the blocking check but gets no CORS headers.
 */
export function corsAnswersOrigin(settings: SecuritySettings, origin: string): boolean {
  return (
    allowsAnyOrigin(settings) || LOCALHOST_ORIGIN.test(origin) || settings.corsAllowedOrigins.includes(origin)
  );
}

/** should_block_cross_origin_request(): a state-changing request from an origin neither local nor allowed. */
export function blocksCrossOrigin(
  settings: SecuritySettings,
  origin: string | undefined,
  method: string,
): boolean {
  if (origin === undefined || origin === "" || !STATE_CHANGING_METHODS.has(method)) return false;
  if (allowsAnyOrigin(settings)) return false;
  const host = pythonUrlHostname(origin);
  if (host !== undefined && LOCALHOST_ORIGIN_HOSTS.has(host)) return false;
  return !settings.corsAllowedOrigins.some((pattern) => matchesPattern(origin, pattern));
}

/** mlflow matches with fnmatch only where the pattern holds "*"; otherwise the value must be equal. */
function matchesPattern(value: string, pattern: string): boolean {
  return pattern.includes("*") ? fnmatchRegExp(pattern).test(value) : value === pattern;
}

/**
 * Python's fnmatch.translate: `*`, `?`, `[seq]` and `[!seq]`; a `[` without its `]` is literal. Case-sensitive,
 * as fnmatch.fnmatch is on POSIX, where mlflow's server runs.
 */
export function fnmatchRegExp(pattern: string): RegExp {
  let source = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    i += 1;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[") {
      let j = i;
      if (pattern.charAt(j) === "!") j += 1;
      if (pattern.charAt(j) === "]") j += 1;
      while (j < pattern.length && pattern.charAt(j) !== "]") j += 1;
      if (j >= pattern.length) {
        source += "\\[";
        continue;
      }
      let set = pattern.slice(i, j).replace(/\\/g, "\\\\");
      i = j + 1;
      if (set.startsWith("!")) set = `^${set.slice(1)}`;
      else if (set.startsWith("^")) set = `\\${set}`;
      source += `[${set.replace(/\]/g, "\\]").replace(/\[/g, "\\[")}]`;
    } else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^(?:${source})$`, "s");
}

/**
 * urllib.parse.urlparse(origin).hostname: the network location only after `scheme://`, without user info or
 * port, brackets stripped from an IPv6 address, lower-cased; undefined where Python finds none or raises.
 */
export function pythonUrlHostname(url: string): string | undefined {
  const netloc = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1];
  if (netloc === undefined) return undefined;
  const hostPort = netloc.slice(netloc.lastIndexOf("@") + 1);
  if (hostPort.startsWith("[")) {
    const end = hostPort.indexOf("]");
    return end < 0 ? undefined : hostPort.slice(1, end).toLowerCase();
  }
  // Python raises "Invalid IPv6 URL" on a lone bracket, and the origin then counts as not local.
  if (hostPort.includes("[") || hostPort.includes("]")) return undefined;
  const host = hostPort.split(":")[0]?.toLowerCase() ?? "";
  return host === "" ? undefined : host;
}

/**
 * click's boolean reading of MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE when `mlflow server` starts, which
 * takes "1", "yes" or "on" as a yes and refuses what it does not know.
 */
export function parseSwitch(name: string, value: string | undefined): boolean {
  const normalized = (value ?? "").trim().toLowerCase();
  if (["1", "true", "t", "yes", "y", "on"].includes(normalized)) return true;
  if (["", "0", "false", "f", "no", "n", "off"].includes(normalized)) return false;
  throw new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${name}=${JSON.stringify(value)} is not a valid boolean. Recognized values: , 0, 1, f, false, n, no, off, on, t, true, y, yes`,
  );
}
