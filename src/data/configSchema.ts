/**
 * dvc 3's config schema (`dvc/config_schema.py`, voluptuous), as the checks dvc runs on every config edit:
 * unknown sections and options are refused, booleans are `true`/`false`, counts are integers in range, link
 * types and choices are dvc's. A remote's options depend on its url's scheme. Messages are voluptuous's, so a
 * script matching dvc's errors matches ours. Deprecated options dvc still accepts are accepted here.
 */
import { FlowOpsError } from "../errors.js";

/** A check returns voluptuous's message for a bad value, undefined for a good one. */
type Check = (value: string) => string | undefined;

const text: Check = () => undefined;
const bool: Check = (v) => (/^(true|false)$/i.test(v) ? undefined : "expected true or false");
/** `Coerce(int)`: Python's int() of the string. */
const int =
  (min?: number): Check =>
  (v) => {
    if (!/^\s*[-+]?\d+(_\d+)*\s*$/.test(v)) return "expected int";
    return min !== undefined && Number(v.replace(/_/g, "")) < min
      ? `value must be at least ${min}`
      : undefined;
  };
/** `Coerce(float)` with `Range(0)`. */
const nonNegativeFloat: Check = (v) => {
  const n = Number(v.trim());
  if (v.trim() === "" || (Number.isNaN(n) && !/^\s*[-+]?(nan|inf|infinity)\s*$/i.test(v)))
    return "expected float";
  return n < 0 ? "value must be at least 0" : undefined;
};
const float: Check = (v) =>
  v.trim() === "" || Number.isNaN(Number(v.trim())) ? "expected float" : undefined;
/** dvc's `cache_regions: bool` and hdfs `replication: int` take Python types a config string never is. */
const never =
  (type: string): Check =>
  () =>
    `expected ${type}`;
/** `All(Lower, Choices(...))`. */
const oneOf =
  (...choices: string[]): Check =>
  (v) =>
    choices.includes(v.toLowerCase()) ? undefined : `expected one of ${choices.join(", ")}`;
const LINK_TYPES = new Set(["reflink", "hardlink", "symlink", "copy"]);
/** `supported_cache_type`. */
const linkTypes: Check = (v) => {
  const bad = [...new Set(v.split(",").map((t) => t.trim()))].filter((t) => !LINK_TYPES.has(t));
  return bad.length === 0 ? undefined : `Unsupported cache type(s): ${bad.join(", ")}`;
};

type Schema = Record<string, Check>;

const REMOTE_COMMON: Schema = {
  url: text,
  checksum_jobs: int(1),
  jobs: int(1),
  worktree: bool,
  no_traverse: bool,
  version_aware: bool,
};
const LOCAL_COMMON: Schema = {
  type: linkTypes,
  protected: bool,
  shared: oneOf("group"),
  slow_link_warning: bool,
  verify: bool,
};
const HTTP_COMMON: Schema = {
  auth: oneOf("basic", "digest", "custom"),
  custom_auth_header: text,
  user: text,
  password: text,
  ask_password: bool,
  ssl_verify: text,
  method: text,
  connect_timeout: nonNegativeFloat,
  read_timeout: nonNegativeFloat,
  verify: bool,
};
const WEBDAV_COMMON: Schema = {
  user: text,
  password: text,
  ask_password: bool,
  token: text,
  bearer_token_command: text,
  custom_auth_header: text,
  cert_path: text,
  key_path: text,
  timeout: int(),
  ssl_verify: text,
  verify: bool,
};
const strings = (...keys: string[]): Schema => Object.fromEntries(keys.map((k) => [k, text]));

/** By url scheme; "" is a local path (no network location). */
const REMOTE_SCHEMAS: Record<string, Schema> = {
  "": { ...LOCAL_COMMON, ...REMOTE_COMMON },
  s3: {
    ...strings("region", "profile", "credentialpath", "configpath", "endpointurl", "access_key_id"),
    ...strings("secret_access_key", "session_token", "ssl_verify", "sse", "sse_kms_key_id"),
    ...strings("sse_customer_algorithm", "sse_customer_key", "acl", "grant_read", "grant_read_acp"),
    ...strings("grant_write_acp", "grant_full_control"),
    listobjects: bool,
    use_ssl: bool,
    allow_anonymous_login: bool,
    cache_regions: never("bool"),
    read_timeout: int(),
    connect_timeout: int(),
    verify: bool,
    ...REMOTE_COMMON,
  },
  gs: {
    ...strings("projectname", "credentialpath", "endpointurl"),
    verify: bool,
    allow_anonymous_login: bool,
    ...REMOTE_COMMON,
  },
  ssh: {
    type: linkTypes,
    port: int(),
    ...strings("user", "password", "passphrase", "keyfile"),
    ask_password: bool,
    ask_passphrase: bool,
    timeout: int(),
    gss_auth: bool,
    allow_agent: bool,
    max_sessions: int(),
    verify: bool,
    ...REMOTE_COMMON,
  },
  hdfs: { ...strings("user", "kerb_ticket"), replication: never("int"), ...REMOTE_COMMON },
  webhdfs: {
    kerberos: bool,
    ...strings(
      "kerberos_principal",
      "proxy_to",
      "ssl_verify",
      "token",
      "user",
      "password",
      "data_proxy_target",
    ),
    use_https: bool,
    verify: bool,
    ...REMOTE_COMMON,
  },
  azure: {
    ...strings("connection_string", "sas_token", "account_name", "account_key", "tenant_id", "client_id"),
    client_secret: text,
    allow_anonymous_login: bool,
    exclude_environment_credential: bool,
    exclude_visual_studio_code_credential: bool,
    exclude_shared_token_cache_credential: bool,
    exclude_managed_identity_credential: bool,
    verify: bool,
    timeout: int(),
    read_timeout: int(),
    connection_timeout: int(),
    ...REMOTE_COMMON,
  },
  oss: { ...strings("oss_key_id", "oss_key_secret", "oss_endpoint"), verify: bool, ...REMOTE_COMMON },
  gdrive: {
    ...strings("profile", "gdrive_client_id", "gdrive_client_secret", "gdrive_user_credentials_file"),
    ...strings("gdrive_service_account_user_email", "gdrive_service_account_json_file_path"),
    gdrive_use_service_account: bool,
    gdrive_trash_only: bool,
    gdrive_acknowledge_abuse: bool,
    verify: bool,
    ...REMOTE_COMMON,
  },
  http: { ...HTTP_COMMON, ...REMOTE_COMMON },
  https: { ...HTTP_COMMON, ...REMOTE_COMMON },
  webdav: { ...WEBDAV_COMMON, ...REMOTE_COMMON },
  webdavs: { ...WEBDAV_COMMON, ...REMOTE_COMMON },
};

const SECTIONS: Record<string, Schema> = {
  core: {
    remote: text,
    checksum_jobs: int(1),
    interactive: bool,
    analytics: bool,
    hardlink_lock: bool,
    no_scm: bool,
    autostage: bool,
    experiments: bool,
    check_update: bool,
    site_cache_dir: text,
    machine: text,
  },
  cache: { ...strings("local", "s3", "gs", "hdfs", "webhdfs", "ssh", "azure", "dir"), ...LOCAL_COMMON },
  state: { dir: text, row_limit: int(1), row_cleanup_quota: int(0) },
  index: { dir: text },
  plots: { html_template: text, auto_open: bool, out_dir: text },
  exp: {
    ...strings("code", "data", "models", "metrics", "params", "plots", "live", "git_remote"),
    auto_push: bool,
  },
  parsing: { bool: oneOf("store_true", "boolean_optional"), list: oneOf("nargs", "append") },
  hydra: {
    enabled: bool,
    ...strings("config_dir", "config_module", "config_name", "plugins_path"),
  },
  studio: { token: text, url: text, repo_url: text, offline: bool },
};

/** Every top-level section of dvc's schema: dvc's loader gives each an empty default. */
export const SCHEMA_SECTIONS: ReadonlySet<string> = new Set([
  ...Object.keys(SECTIONS),
  "remote",
  "machine",
  "feature",
  "db",
]);

const MACHINE: Schema = {
  cloud: oneOf("aws", "azure"),
  region: oneOf("us-west", "us-east", "eu-west", "eu-north"),
  image: text,
  spot: bool,
  spot_price: float,
  instance_hdd_size: int(),
  instance_type: text,
  instance_gpu: text,
  ssh_private: text,
  startup_script: text,
  setup_script: text,
};
const DB: Schema = strings("url", "username", "password");

/** The scheme `urlparse` would find, or "" for a path without a network location (a local remote). */
function urlKind(url: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)/.exec(url);
  if (match?.[1] === undefined || match[2] === "") return "";
  return match[1].toLowerCase();
}

function schemaFailure(message: string, path: string[]): FlowOpsError {
  const at = `data${path.map((p) => `['${p}']`).join("")}`;
  const text =
    message === "extra keys not allowed" ? `${message} @ ${at}` : `${message} for dictionary value @ ${at}`;
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `config file error: ${text}`);
}

function checkOptions(schema: Schema, values: Record<string, string>, path: string[]): void {
  for (const [key, value] of Object.entries(values)) {
    const check = schema[key];
    if (check === undefined) throw schemaFailure("extra keys not allowed", [...path, key]);
    const problem = check(value);
    if (problem !== undefined) throw schemaFailure(problem, [...path, key]);
  }
}

function checkRemote(name: string, values: Record<string, string>): void {
  const url = values.url;
  if (url === undefined) throw schemaFailure("expected 'url'", ["remote", name]);
  const kind = urlKind(url);
  // `remote://base/sub` remotes inherit another remote's options: dvc accepts any there.
  if (kind === "remote") return;
  const schema = REMOTE_SCHEMAS[kind];
  if (schema === undefined) throw schemaFailure(`Unsupported URL type ${kind}://`, ["remote", name]);
  checkOptions(schema, values, ["remote", name]);
}

/**
 * Checks a merged config (sections by their file names: `core`, `remote "r"`) as dvc's `Config.validate` does,
 * and throws dvc's "config file error: ..." for the first problem; with `fileOf`, prefixed by the file that set
 * the section, for a config read rather than edited (dvc names no file, which leaves the user to search).
 */
export function validateDvcConfig(
  sections: Record<string, Record<string, string>>,
  fileOf?: (section: string, key: string | undefined) => string | undefined,
): void {
  for (const [section, values] of Object.entries(sections)) {
    try {
      validateSection(section, values);
    } catch (error) {
      const file = fileOf?.(section, offendingKey(section, values));
      if (file === undefined || !(error instanceof FlowOpsError)) throw error;
      throw new FlowOpsError(error.code, `${file}: ${error.message}`, { cause: error });
    }
  }
}

/**
 * The first option of a section that fails on its own (with the remote's url, which picks its schema), so
 * that a merged config's problem is blamed on the file that set that option, not on any file with the section.
 */
function offendingKey(section: string, values: Record<string, string>): string | undefined {
  return Object.keys(values).find((key) => {
    const alone = { ...(values.url === undefined ? {} : { url: values.url }), [key]: values[key] ?? "" };
    try {
      validateSection(section, alone);
      return false;
    } catch {
      return true;
    }
  });
}

function validateSection(section: string, values: Record<string, string>): void {
  const named = /^(remote|machine|db)\s+"(.*)"$/.exec(section);
  if (named?.[1] === "remote") checkRemote(named[2] ?? "", values);
  else if (named?.[1] === "machine") checkOptions(MACHINE, values, ["machine", named[2] ?? ""]);
  else if (named?.[1] === "db") checkOptions(DB, values, ["db", named[2] ?? ""]);
  // `feature` drops what it does not know, with a warning, instead of refusing it.
  else if (section === "feature") return;
  else {
    const schema = SECTIONS[section];
    if (schema === undefined) throw schemaFailure("extra keys not allowed", [section]);
    checkOptions(schema, values, [section]);
  }
}
