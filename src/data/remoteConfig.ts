/**
 * `remote add|list|default|remove|modify` with DVC's semantics (checked against dvc 3.67.1): a relative
 * local url given on the command line is relative to the current directory and is stored relative to the
 * `.dvc/` directory; `-d` sets `core.remote` in the same file; `--local` writes `config.local`; removing the
 * default remote also unsets `core.remote`; unknown options and bad values are refused before writing.
 * It must not open remotes (data/dataRemote.ts does).
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import {
  configuredRemoteName,
  readConfigDocument,
  readDvcConfig,
  remoteSectionName,
  writeDvcConfig,
  type ConfigDocument,
  type DvcConfig,
} from "./dvcConfig.js";

export interface RemoteListing {
  name: string;
  /** As configured (relative local paths are relative to `.dvc/`). */
  url: string;
  /** Local paths made absolute, as `dvc remote list` shows them. */
  resolvedUrl: string;
  isDefault: boolean;
}

export interface ConfigScope {
  /** Write `.dvc/config.local` (Git-ignored: for secrets) instead of `.dvc/config`. */
  local?: boolean;
}

/** Options every remote takes, plus those of the S3, HTTP and SSH remotes (`dvc/config_schema.py`). */
const INT_OPTIONS = new Set(["jobs", "checksum_jobs", "port", "read_timeout", "connect_timeout"]);
const BOOL_OPTIONS = new Set([
  "verify",
  "version_aware",
  "worktree",
  "listobjects",
  "use_ssl",
  "ssl_verify",
  "allow_anonymous_login",
  "cache_regions",
  "ask_password",
  "allow_agent",
]);
const STRING_OPTIONS = new Set([
  "url",
  "region",
  "profile",
  "credentialpath",
  "configpath",
  "endpointurl",
  "access_key_id",
  "secret_access_key",
  "session_token",
  "sse",
  "sse_kms_key_id",
  "sse_customer_algorithm",
  "sse_customer_key",
  "acl",
  "grant_read",
  "grant_read_acp",
  "grant_write_acp",
  "grant_full_control",
  "user",
  "password",
  "keyfile",
  "auth",
  "custom_auth_header",
  "method",
  "ssl_verify",
]);

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

function configFailure(message: string): FlowOpsError {
  return invalidParameter(`config file error: ${message}`);
}

/**
 * The url as DVC stores it: a local path given relative to `cwd` becomes relative to `.dvc/` with POSIX
 * separators; absolute paths and urls with a scheme are kept as given.
 */
export function storedRemoteUrl(url: string, dvcDir: string, cwd: string): string {
  if (SCHEME.test(url) || isAbsolute(url)) return url;
  return relative(dvcDir, resolve(cwd, url)).split(sep).join("/");
}

/** What `dvc remote list` prints for a url: local paths resolved against `.dvc/`. */
export function resolvedRemoteUrl(url: string, dvcDir: string): string {
  return SCHEME.test(url) || isAbsolute(url) ? url : resolve(dvcDir, url);
}

function remoteExists(config: DvcConfig, name: string): boolean {
  return configuredRemoteName(config, name) !== undefined;
}

export async function addRemote(
  dvcDir: string,
  given: string,
  url: string,
  options: ConfigScope & { makeDefault?: boolean; force?: boolean; cwd?: string } = {},
): Promise<DvcConfig> {
  if (given === "" || given.includes('"')) throw configFailure(`invalid remote name '${given}'.`);
  // dvc stores the names it adds in lower case (`dvc remote add Store` writes remote "store").
  const name = given.toLowerCase();
  const doc = await readConfigDocument(dvcDir, options);
  const section = remoteSectionName(name);
  if (doc.hasSection(section) && options.force !== true) {
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `config file error: remote '${name}' already exists. Use \`-f|--force\` to overwrite it.`,
    );
  }
  const stored = storedRemoteUrl(url, dvcDir, options.cwd ?? process.cwd());
  return writeDvcConfig(
    dvcDir,
    (d) => {
      // DVC's --force replaces the whole section in place: options of the old remote do not leak into the new.
      d.clearSection(section);
      d.set(section, "url", stored);
      if (options.makeDefault === true) d.set("core", "remote", name);
    },
    options,
  );
}

/** With `local`, only what `.dvc/config.local` says, as `dvc remote list --local` reads that level alone. */
async function readScope(dvcDir: string, options: ConfigScope): Promise<Pick<DvcConfig, "core" | "remotes">> {
  if (options.local !== true) return readDvcConfig(dvcDir);
  const doc = await readConfigDocument(dvcDir, { local: true });
  const remotes: Record<string, Record<string, string>> = {};
  for (const section of doc.sectionNames()) {
    const match = /^remote\s+"(.*)"$/.exec(section);
    if (match?.[1] !== undefined) remotes[match[1]] = doc.section(section);
  }
  return { core: doc.hasSection("core") ? doc.section("core") : {}, remotes };
}

export async function listRemotes(dvcDir: string, options: ConfigScope = {}): Promise<RemoteListing[]> {
  const config = await readScope(dvcDir, options);
  return Object.entries(config.remotes).map(([name, values]) => ({
    name,
    url: values.url ?? "",
    resolvedUrl: resolvedRemoteUrl(values.url ?? "", dvcDir),
    isDefault: config.core.remote === name,
  }));
}

/** The default remote's name (`core.remote`, local config winning), or undefined. */
export async function defaultRemote(dvcDir: string, options: ConfigScope = {}): Promise<string | undefined> {
  const name = (await readScope(dvcDir, options)).core.remote;
  return name === undefined || name === "" ? undefined : name;
}

export async function setDefaultRemote(
  dvcDir: string,
  name: string,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  const configured = configuredRemoteName(await readDvcConfig(dvcDir), name);
  if (configured === undefined) throw configFailure("default remote must be present in remote list.");
  return writeDvcConfig(dvcDir, (d) => d.set("core", "remote", configured), options);
}

export async function unsetDefaultRemote(dvcDir: string, options: ConfigScope = {}): Promise<DvcConfig> {
  return writeDvcConfig(dvcDir, (d) => d.unset("core", "remote"), options);
}

/** Removes the remote from the file that defines it; `core.remote` naming it is unset in both files. */
export async function removeRemote(
  dvcDir: string,
  name: string,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  const doc = await readConfigDocument(dvcDir, options);
  const section = remoteSectionName(name);
  if (!doc.hasSection(section)) throw notFound(`config file error: remote '${name}' doesn't exist.`);
  const dropDefault = (d: ConfigDocument): void => {
    if (d.get("core", "remote") === name) d.unset("core", "remote");
  };
  await writeDvcConfig(
    dvcDir,
    (d) => {
      d.removeSection(section);
      dropDefault(d);
    },
    options,
  );
  return writeDvcConfig(dvcDir, dropDefault, { local: options.local !== true });
}

/**
 * `dvc remote rename`: the remote's section moves to the end under its new name (dvc rewrites it through a
 * dict), and `core.remote` naming it follows in this file and in the files it overrides.
 */
export async function renameRemote(
  dvcDir: string,
  name: string,
  newName: string,
  options: ConfigScope = {},
): Promise<DvcConfig> {
  if (newName === "" || newName.includes('"')) throw configFailure(`invalid remote name '${newName}'.`);
  if (remoteExists(await readDvcConfig(dvcDir), newName)) {
    throw new FlowOpsError(
      "RESOURCE_ALREADY_EXISTS",
      `config file error: Rename failed. Remote name '${newName}' already exists.`,
    );
  }
  const doc = await readConfigDocument(dvcDir, options);
  const section = remoteSectionName(name);
  if (!doc.hasSection(section)) throw notFound(`config file error: remote '${name}' doesn't exist.`);
  const renameDefault = (d: ConfigDocument): void => {
    if (d.get("core", "remote") === name) d.set("core", "remote", newName);
  };
  const values = doc.section(section);
  await writeDvcConfig(
    dvcDir,
    (d) => {
      d.removeSection(section);
      for (const [key, value] of Object.entries(values)) d.set(remoteSectionName(newName), key, value);
      renameDefault(d);
    },
    options,
  );
  // The project file's default is overridden by config.local, never the reverse.
  if (options.local === true) return readDvcConfig(dvcDir);
  return writeDvcConfig(dvcDir, renameDefault, { local: true });
}

/** Sets (or with `unset`, removes) one option of an existing remote, validating it as DVC's schema does. */
export async function modifyRemote(
  dvcDir: string,
  given: string,
  option: string,
  value: string | undefined,
  options: ConfigScope & { unset?: boolean; cwd?: string } = {},
): Promise<DvcConfig> {
  const config = await readDvcConfig(dvcDir);
  const name = configuredRemoteName(config, given);
  if (name === undefined) throw notFound(`config file error: remote '${given}' doesn't exist.`);
  const section = remoteSectionName(name);
  if (!INT_OPTIONS.has(option) && !BOOL_OPTIONS.has(option) && !STRING_OPTIONS.has(option)) {
    throw configFailure(`extra keys not allowed @ data['remote']['${name}']['${option}']`);
  }
  if (options.unset === true) {
    const merged = { ...config.remotes[name] };
    delete merged[option];
    if (option === "url" || merged.url === undefined) {
      throw configFailure(`expected 'url' for dictionary value @ data['remote']['${name}']`);
    }
    return writeDvcConfig(dvcDir, (d) => d.unset(section, option), options);
  }
  if (value === undefined)
    throw invalidParameter(`remote modify ${name} ${option}: a value is required (or --unset)`);
  if (INT_OPTIONS.has(option) && !/^-?\d+$/.test(value)) {
    throw configFailure(`expected int for dictionary value @ data['remote']['${name}']['${option}']`);
  }
  // ssl_verify is a bool or a CA bundle's path (dvc's `Any(Bool, str)`).
  if (
    BOOL_OPTIONS.has(option) &&
    option !== "ssl_verify" &&
    !/^(true|false|yes|no|on|off|1|0)$/i.test(value)
  ) {
    throw configFailure(`expected bool for dictionary value @ data['remote']['${name}']['${option}']`);
  }
  const stored = option === "url" ? storedRemoteUrl(value, dvcDir, options.cwd ?? process.cwd()) : value;
  return writeDvcConfig(dvcDir, (d) => d.set(section, option, stored), options);
}
