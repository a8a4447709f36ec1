/**
 * Which URLs a webhook may call, with mlflow's rules and words (`_validate_webhook_url`): a scheme from
 * the allowed list (https only by default), a host name, and, unless private addresses are allowed, a
 * host whose every address is public. The server calls these URLs itself, so without the last rule anyone
 * who may create a webhook could make it reach loopback, the cluster network or a cloud metadata service.
 * The check runs when a webhook is saved and again before each delivery; `publicOnlyLookup` repeats it
 * on the address actually connected to, so a name that resolves differently the second time
 * (DNS rebinding) gains nothing.
 */
import { lookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import { invalidParameter } from "../../errors.js";
import { isPublicAddress } from "./publicAddress.js";

export interface WebhookUrlPolicy {
  /** `MLFLOW_WEBHOOK_ALLOWED_SCHEMES`; ["https"] by default. */
  allowedSchemes: readonly string[];
  /** `MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS`; false by default. Meant for local development and tests only. */
  allowPrivateIps: boolean;
}

export const DEFAULT_WEBHOOK_URL_POLICY: WebhookUrlPolicy = {
  allowedSchemes: ["https"],
  allowPrivateIps: false,
};

/** Every address a host name resolves to; injected in tests, else `dns.lookup` (which reads /etc/hosts). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/** mlflow stores URLs in a 500-character column; a longer one fails there, so it is refused here. */
const MAX_URL_LENGTH = 500;

/** Python's repr of a string, as mlflow's messages quote URLs: `'https://x'`. */
const repr = (text: string): string => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** Checks `url` against the policy and returns it parsed; throws INVALID_PARAMETER_VALUE in mlflow's words. */
export async function validateWebhookUrl(
  url: string,
  policy: WebhookUrlPolicy,
  resolveHost: ResolveHost = resolveAll,
): Promise<URL> {
  if (url.trim() === "") {
    throw invalidParameter(`Webhook URL cannot be empty or just whitespace: ${repr(url)}`);
  }
  if (url.length > MAX_URL_LENGTH) {
    throw invalidParameter(`Webhook URL exceeds the maximum length of ${MAX_URL_LENGTH} characters.`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? "";
  if (!policy.allowedSchemes.includes(scheme)) {
    throw invalidParameter(
      `Invalid webhook URL scheme: ${repr(scheme)}. ` +
        `Allowed schemes are: ${policy.allowedSchemes.join(", ")}.`,
    );
  }
  // WHATWG parsing reads `http:///x` as host `x`; Python's urlparse, like a reader, sees no host there.
  if (!/^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*@)?[^/?#@:]/i.test(url)) {
    throw invalidParameter(`Webhook URL must include a hostname: ${repr(url)}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw invalidParameter(`Invalid webhook URL ${repr(url)}: ${String(error)}`);
  }
  const hostname = bareHostname(parsed);
  if (hostname === "") throw invalidParameter(`Webhook URL must include a hostname: ${repr(url)}`);
  if (!policy.allowPrivateIps) await assertPublicHost(hostname, resolveHost);
  return parsed;
}

/** The URL's host without IPv6 brackets; WHATWG parsing has already made legacy IPv4 forms canonical. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

async function assertPublicHost(hostname: string, resolveHost: ResolveHost): Promise<void> {
  let addresses: string[];
  if (isIP(hostname) !== 0) {
    addresses = [hostname];
  } else {
    try {
      addresses = await resolveHost(hostname);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw invalidParameter(`Cannot resolve Webhook URL hostname ${repr(hostname)}: ${why}`);
    }
  }
  const blocked = addresses.find((address) => !isPublicAddress(address));
  if (blocked !== undefined) {
    throw invalidParameter(
      `Webhook URL must not resolve to a non-public IP address. ${repr(hostname)} resolves to ${blocked}.`,
    );
  }
}

async function resolveAll(hostname: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses.map((a) => a.address)),
    );
  });
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that fails the connection when the name resolves to a non-public address
 * (mlflow's `SSRFProtectedHTTPAdapter` checks the connected peer for the same reason). IP literals never
 * reach a lookup; `validateWebhookUrl` has checked those.
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked !== undefined) {
      return callback(
        Object.assign(
          new Error(`Webhook connection blocked: ${blocked.address} is not a public IP address.`),
          { code: "EWEBHOOKPRIVATEADDRESS" },
        ),
        [],
      );
    }
    if (options.all === true) return callback(null, addresses);
    const first = addresses[0];
    if (first === undefined)
      return callback(Object.assign(new Error(`No address for ${hostname}`), { code: "ENOTFOUND" }), []);
    callback(null, first.address, first.family);
  });
}
