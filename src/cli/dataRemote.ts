/**
 * `flowops data remote add|list|default|remove|rename|modify`: wiring for data/remoteConfig.ts. Every
 * subcommand takes dvc's level options (`--system`, `--global`, `--project`, `--local`); the system and global
 * levels work outside a repository, as dvc's do.
 */
import { Command, Option } from "commander";
import { join } from "node:path";
import type { ConfigLevel } from "../data/configLevels.js";
import { DVC_DIR, findDataRepoRoot } from "../data/dataRepo.js";
import { printJson } from "./output.js";

const remoteConfig = () => import("../data/remoteConfig.js");

interface LevelOptions {
  system?: boolean;
  global?: boolean;
  project?: boolean;
  local?: boolean;
  json?: boolean;
}

const LEVEL_FLAGS = [
  ["global", "use the global config (~/.config/dvc/config)"],
  ["system", "use the system config (/etc/xdg/dvc/config)"],
  ["project", "use the project config (.dvc/config)"],
  ["local", "use the local config (.dvc/config.local, Git-ignored)"],
] as const;

/** dvc's mutually exclusive level group, added to a subcommand. */
export function withLevelOptions(command: Command): Command {
  for (const [flag, help] of LEVEL_FLAGS) {
    const others = LEVEL_FLAGS.map(([f]) => f).filter((f) => f !== flag);
    command.addOption(new Option(`--${flag}`, help).conflicts(others));
  }
  return command;
}

export function configLevelOf(opts: LevelOptions): ConfigLevel | undefined {
  if (opts.system === true) return "system";
  if (opts.global === true) return "global";
  if (opts.project === true) return "repo";
  if (opts.local === true) return "local";
  return undefined;
}

/** The enclosing repo's `.dvc` directory, or undefined outside one (the system and global levels still work). */
export async function dvcDirOrNone(): Promise<string | undefined> {
  const root = await findDataRepoRoot(process.cwd());
  return root === undefined ? undefined : join(root, DVC_DIR);
}

/** dvc writes "name\turl[\t(default)]" through rich, which expands tabs to 8-column stops. */
function expandTabs(line: string, size = 8): string {
  let out = "";
  for (const char of line) out += char === "\t" ? " ".repeat(size - (out.length % size)) : char;
  return out;
}

function addSubcommand(): Command {
  return withLevelOptions(
    new Command("add")
      .description("Add a remote; a relative local path is stored relative to the config file, as DVC does.")
      .argument("<name>")
      .argument("<url>", "a local path or s3://bucket/prefix")
      .option("-d, --default", "make it the default remote", false)
      .option("-f, --force", "overwrite an existing remote of that name", false),
  ).action(async (name: string, url: string, opts: LevelOptions & { default: boolean; force: boolean }) => {
    if (opts.default) process.stdout.write(`Setting '${name}' as a default remote.\n`);
    await (
      await remoteConfig()
    ).addRemote(await dvcDirOrNone(), name, url, {
      makeDefault: opts.default,
      level: configLevelOf(opts),
      force: opts.force,
      cwd: process.cwd(),
    });
  });
}

function listSubcommand(): Command {
  return withLevelOptions(
    new Command("list")
      .description("List remotes of every level merged, or of one level (local paths shown resolved).")
      .option("--json", "print machine-readable JSON", false),
  ).action(async (opts: LevelOptions) => {
    const remotes = await (
      await remoteConfig()
    ).listRemotes(await dvcDirOrNone(), { level: configLevelOf(opts) });
    if (opts.json === true) return printJson(remotes);
    for (const r of remotes) {
      const line = [r.name, r.resolvedUrl, ...(r.isDefault ? ["(default)"] : [])].join("\t");
      process.stdout.write(`${expandTabs(line)}\n`);
    }
  });
}

function defaultSubcommand(): Command {
  return withLevelOptions(
    new Command("default")
      .description("Show, set or unset the default remote.")
      .argument("[name]")
      .option("-u, --unset", "unset the default remote", false)
      .option("--json", "print machine-readable JSON", false),
  ).action(async (name: string | undefined, opts: LevelOptions & { unset: boolean }) => {
    const dvcDir = await dvcDirOrNone();
    const level = configLevelOf(opts);
    const config = await remoteConfig();
    if (opts.unset) {
      await config.unsetDefaultRemote(dvcDir, { level });
      return;
    }
    if (name !== undefined) {
      await config.setDefaultRemote(dvcDir, name, { level });
      return;
    }
    const current = await config.defaultRemote(dvcDir, { level });
    if (opts.json === true) return printJson({ default: current ?? null });
    // As dvc: an answer on stdout and exit 1, not an error.
    process.stdout.write(`${current ?? "No default remote set"}\n`);
    if (current === undefined) process.exitCode = 1;
  });
}

function removeSubcommand(): Command {
  return withLevelOptions(
    new Command("remove")
      .description("Remove a remote (and unset it as the default where it is).")
      .argument("<name>"),
  ).action(async (name: string, opts: LevelOptions) => {
    await (
      await remoteConfig()
    ).removeRemote(await dvcDirOrNone(), name.toLowerCase(), { level: configLevelOf(opts) });
  });
}

function renameSubcommand(): Command {
  return withLevelOptions(
    new Command("rename")
      .description("Rename a remote (and the default remote setting that names it).")
      .argument("<name>")
      .argument("<new>"),
  ).action(async (name: string, newName: string, opts: LevelOptions) => {
    await (
      await remoteConfig()
    ).renameRemote(await dvcDirOrNone(), name.toLowerCase(), newName, { level: configLevelOf(opts) });
  });
}

function modifySubcommand(): Command {
  return withLevelOptions(
    new Command("modify")
      .description("Set or unset an option of a remote (url, jobs, endpointurl, region, access_key_id...).")
      .argument("<name>")
      .argument("<option>")
      .argument("[value]")
      .option("-u, --unset", "remove the option", false),
  ).action(
    async (
      name: string,
      option: string,
      value: string | undefined,
      opts: LevelOptions & { unset: boolean },
    ) => {
      await (
        await remoteConfig()
      ).modifyRemote(await dvcDirOrNone(), name, option, value, {
        unset: opts.unset,
        level: configLevelOf(opts),
        cwd: process.cwd(),
      });
    },
  );
}

export function remoteCommand(): Command {
  const command = new Command("remote").description(
    "Manage DVC remotes in .dvc/config (or the local, global or system config).",
  );
  for (const sub of [
    addSubcommand(),
    listSubcommand(),
    defaultSubcommand(),
    removeSubcommand(),
    renameSubcommand(),
    modifySubcommand(),
  ]) {
    command.addCommand(sub);
  }
  return command;
}
