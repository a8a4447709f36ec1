/**
 * A dvc S3 remote's `.dvc/config` options (dvc-s3's `S3FileSystem._prepare_credentials`) as S3 store settings:
 * credentials profile and file, TLS verification, server-side encryption and ACLs. An option dvc honours must
 * not be stored and then ignored here: pushing unencrypted what was configured to be encrypted, or with
 * another identity, is worse than refusing. `version_aware`/`worktree` remotes lay data out by workspace path
 * with cloud versions in the `.dvc` files, which FlowOps does not do, so they are refused by name.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { S3StoreSettings } from "../artifacts/s3.js";
import { invalidParameter } from "../errors.js";

const TRUE = /^(true|yes|on|1)$/i;
const FALSE = /^(false|no|off|0)$/i;

/** dvc's own boolean spellings (configobj's `Bool`). */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && TRUE.test(value);
}

/**
 * The store settings of S3 remote `name` from its config section; `configDir` resolves a relative
 * `credentialpath` or `ssl_verify` CA bundle as dvc resolves paths in `.dvc/config`.
 */
export function s3RemoteSettings(
  name: string,
  section: Record<string, string>,
  configDir: string,
): S3StoreSettings {
  for (const option of ["version_aware", "worktree"]) {
    if (isTrue(section[option])) {
      throw invalidParameter(
        `remote '${name}': '${option} = true' is not supported by flowops (it stores files by workspace path ` +
          "with cloud versions in the .dvc files); use dvc with this remote, or a remote without the option.",
      );
    }
  }
  const settings: S3StoreSettings = {};
  if (section.profile !== undefined) settings.profile = section.profile;
  if (section.credentialpath !== undefined)
    settings.credentialsFile = pathIn(configDir, section.credentialpath);
  const sslVerify = section.ssl_verify;
  if (sslVerify !== undefined && FALSE.test(sslVerify)) settings.tls = { rejectUnauthorized: false };
  else if (sslVerify !== undefined && !TRUE.test(sslVerify)) {
    const caPath = pathIn(configDir, sslVerify);
    try {
      settings.tls = { ca: readFileSync(caPath, "utf8") };
    } catch (error) {
      throw invalidParameter(
        `remote '${name}': cannot read the ssl_verify CA bundle ${caPath}: ${String(error)}`,
      );
    }
  }
  const upload: Record<string, string> = {};
  const read: Record<string, string> = {};
  const put = (option: string, param: string, alsoOnRead = false): void => {
    const value = section[option];
    if (value === undefined) return;
    upload[param] = value;
    if (alsoOnRead) read[param] = value;
  };
  put("sse", "ServerSideEncryption");
  put("sse_kms_key_id", "SSEKMSKeyId");
  // SSE-C: S3 needs the same key to read the object back.
  put("sse_customer_algorithm", "SSECustomerAlgorithm", true);
  put("sse_customer_key", "SSECustomerKey", true);
  put("acl", "ACL");
  put("grant_read", "GrantRead");
  put("grant_read_acp", "GrantReadACP");
  put("grant_write_acp", "GrantWriteACP");
  put("grant_full_control", "GrantFullControl");
  if (section.acl !== undefined && Object.keys(upload).some((param) => param.startsWith("Grant"))) {
    throw invalidParameter(`remote '${name}': 'acl' and 'grant_*' cannot be used together (as in dvc)`);
  }
  if (Object.keys(upload).length > 0) settings.uploadParams = upload;
  if (Object.keys(read).length > 0) settings.readParams = read;
  return settings;
}

function pathIn(configDir: string, path: string): string {
  const expanded = path.startsWith("~/") ? `${process.env.HOME ?? ""}${path.slice(1)}` : path;
  return isAbsolute(expanded) ? expanded : resolve(configDir, expanded);
}
