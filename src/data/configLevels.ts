/**
 * DVC's four config levels, lowest first: `system`, `global`, `repo` (`.dvc/config`) and `local`
 * (`.dvc/config.local`). A later level overrides an earlier one key by key. The system and global files live
 * where dvc 3 puts them (`dvc/dirs.py`, through platformdirs, app "dvc", author "iterative"), so a remote a
 * user added with `dvc remote add --global` is seen here too, and the reverse.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { FlowOpsError } from "../errors.js";

export type ConfigLevel = "system" | "global" | "repo" | "local";

export const CONFIG_LEVELS: readonly ConfigLevel[] = ["system", "global", "repo", "local"];

export const CONFIG_FILE = "config";
export const LOCAL_CONFIG_FILE = "config.local";

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** platformdirs' `site_config_dir("dvc", "iterative")`; `DVC_SYSTEM_CONFIG_DIR` wins, as in dvc. */
export function systemConfigDir(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const override = nonEmpty(env.DVC_SYSTEM_CONFIG_DIR);
  if (override !== undefined) return override;
  if (platform === "darwin") return "/Library/Application Support/dvc";
  if (platform === "win32") return join(env.ALLUSERSPROFILE ?? "C:\\ProgramData", "iterative", "dvc");
  // XDG_CONFIG_DIRS is a search path; platformdirs answers with its first entry.
  const first = nonEmpty(env.XDG_CONFIG_DIRS)?.split(":")[0];
  return join(nonEmpty(first) ?? "/etc/xdg", "dvc");
}

/** platformdirs' `user_config_dir("dvc", "iterative")`; `DVC_GLOBAL_CONFIG_DIR` wins, as in dvc. */
export function globalConfigDir(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = nonEmpty(env.DVC_GLOBAL_CONFIG_DIR);
  if (override !== undefined) return override;
  if (platform === "darwin") return join(home, "Library", "Application Support", "dvc");
  if (platform === "win32")
    return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "iterative", "dvc");
  return join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(home, ".config"), "dvc");
}

/** dvc's "Not inside a DVC repo": a repo-level file asked for outside a repository. */
export function notInsideRepo(): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", "config file error: Not inside a DVC repo");
}

/** The file of one level; the repo levels need the repository's `.dvc` directory. */
export function configLevelFile(dvcDir: string | undefined, level: ConfigLevel): string {
  switch (level) {
    case "system":
      return join(systemConfigDir(), CONFIG_FILE);
    case "global":
      return join(globalConfigDir(), CONFIG_FILE);
    case "repo":
    case "local":
      if (dvcDir === undefined) throw notInsideRepo();
      return join(dvcDir, level === "repo" ? CONFIG_FILE : LOCAL_CONFIG_FILE);
  }
}

/** The levels that exist where we are: outside a repository only system and global. */
export function availableLevels(dvcDir: string | undefined): ConfigLevel[] {
  return dvcDir === undefined ? ["system", "global"] : [...CONFIG_LEVELS];
}

/** The levels a level is merged onto (`load_config_to_level`): every level before it. */
export function levelsBelow(dvcDir: string | undefined, level: ConfigLevel): ConfigLevel[] {
  return availableLevels(dvcDir).slice(0, CONFIG_LEVELS.indexOf(level));
}

const SCHEME = /^\w+:\/\//;

/**
 * A path-valued option as dvc's `Config._resolve` reads it: urls with a scheme and absolute paths as they are,
 * `~` expanded, anything else relative to the directory of the file that set it.
 */
export function resolveConfigPath(value: string, configDir: string, home: string = homedir()): string {
  if (value === "" || SCHEME.test(value) || isAbsolute(value)) return value;
  if (value === "~" || value.startsWith("~/")) return join(home, value.slice(2));
  return resolve(configDir, value);
}

/** The options dvc's `Config._map_dirs` treats as paths, by section kind. */
const REMOTE_PATH_OPTIONS = new Set([
  "url",
  "gdrive_user_credentials_file",
  "gdrive_service_account_json_file_path",
  "credentialpath",
  "configpath",
  "keyfile",
  "cert_path",
  "key_path",
]);
const MACHINE_PATH_OPTIONS = new Set(["startup_script", "setup_script"]);

export function isPathOption(section: string, key: string): boolean {
  if (section === "cache") return key === "dir";
  if (/^remote\s+"/.test(section)) return REMOTE_PATH_OPTIONS.has(key);
  if (/^machine\s+"/.test(section)) return MACHINE_PATH_OPTIONS.has(key);
  return false;
}
