/**
 * `flowops data config [name] [value]`: dvc's `config` command, wiring for data/configOptions.ts. Argument
 * mistakes dvc reports itself (exit 1) are reported the same way; config errors exit 251 (cli/dvcExitCodes.ts).
 */
import { Command, InvalidArgumentError } from "commander";
import type { ConfigName } from "../data/configOptions.js";
import { configLevelOf, dvcDirOrNone, withLevelOptions } from "./dataRemote.js";
import { printJson } from "./output.js";

const configOptions = () => import("../data/configOptions.js");

interface ConfigCliOptions {
  unset: boolean;
  list: boolean;
  showOrigin: boolean;
  json?: boolean;
  system?: boolean;
  global?: boolean;
  project?: boolean;
  local?: boolean;
}

/** A malformed name is a usage error (exit 254), as argparse's `type=` makes it in dvc. */
function checkName(value: string): string {
  if (!/^(?:(remote|db)\.)?[^.]*\.[^.]*$/.test(value)) {
    throw new InvalidArgumentError(
      "name argument should look like remote.name.option or db.name.option or section.option",
    );
  }
  return value;
}

/** dvc logs these and returns 1 instead of raising. */
function refuse(message: string): void {
  process.stderr.write(`ERROR: ${message}\n`);
  process.exitCode = 1;
}

async function run(
  nameText: string | undefined,
  value: string | undefined,
  opts: ConfigCliOptions,
): Promise<void> {
  const lib = await configOptions();
  const level = configLevelOf(opts);
  const dvcDir = await dvcDirOrNone();
  const name: ConfigName | undefined = nameText === undefined ? undefined : lib.parseConfigName(nameText);
  if (opts.showOrigin && (value !== undefined || opts.unset)) {
    return refuse("--show-origin can't be used together with any of these options: -u/--unset, value");
  }
  if (opts.list) {
    if (name !== undefined || value !== undefined || opts.unset) {
      return refuse("-l/--list can't be used together with any of these options: -u/--unset, name, value");
    }
    const entries = await lib.listConfigOptions(dvcDir, level);
    if (opts.json === true) return printJson(entries);
    const prefix = (l: (typeof entries)[number]["level"]) =>
      opts.showOrigin ? `${lib.levelOrigin(dvcDir, l)}\t` : "";
    for (const e of entries) process.stdout.write(`${prefix(e.level)}${e.name}=${e.value}\n`);
    return;
  }
  if (name === undefined) return refuse("name argument is required");
  if (value === undefined && !opts.unset) {
    const found = await lib.getConfigOption(dvcDir, name, level);
    if (opts.json === true) return printJson(found ?? null);
    if (found === undefined) return;
    const origin = opts.showOrigin ? `${lib.levelOrigin(dvcDir, found.level)}\t` : "";
    process.stdout.write(`${origin}${found.value}\n`);
    return;
  }
  if (opts.unset) await lib.unsetConfigOption(dvcDir, name, level);
  else await lib.setConfigOption(dvcDir, name, value ?? "", { level, cwd: process.cwd() });
  if (nameText === "cache.type") {
    process.stderr.write(
      "WARNING: You have changed the 'cache.type' option. This doesn't update any existing workspace file " +
        "links, but it can be done with:\n             flowops data checkout --relink\n",
    );
  }
}

export function configCommand(): Command {
  return withLevelOptions(
    new Command("config")
      .description(
        "Get, set, unset or list DVC config options (core.remote, cache.type, remote.<name>.<option>...), " +
          "checked against dvc's schema.",
      )
      .argument("[name]", "section.option, remote.<name>.<option> or db.<name>.<option>", checkName)
      .argument("[value]", "the value to set")
      .option("-u, --unset", "unset the option", false)
      .option("-l, --list", "list every option set, level by level", false)
      .option("--show-origin", "show the file each value comes from", false)
      .option("--json", "print machine-readable JSON (get and --list)", false),
  ).action(run);
}

/** `flowops data cache dir [value]`: dvc's `cache dir`, the `cache.dir` option with the default shown. */
export function cacheCommand(): Command {
  const dir = withLevelOptions(
    new Command("dir")
      .description("Show or set the cache directory (cache.dir); a relative path is stored as dvc stores it.")
      .argument("[value]", "the new cache directory")
      .option("-u, --unset", "unset cache.dir (back to .dvc/cache)", false),
  ).action(async (value: string | undefined, opts: ConfigCliOptions) => {
    const lib = await configOptions();
    const level = configLevelOf(opts);
    const dvcDir = await dvcDirOrNone();
    const name = lib.parseConfigName("cache.dir");
    if (opts.unset) await lib.unsetConfigOption(dvcDir, name, level);
    else if (value !== undefined)
      await lib.setConfigOption(dvcDir, name, value, { level, cwd: process.cwd() });
    else process.stdout.write(`${await lib.cacheDirSetting(dvcDir, level)}\n`);
  });
  return new Command("cache")
    .description("Manage cache settings (as dvc cache).")
    .addCommand(dir)
    .addCommand(cacheMigrateCommand());
}

interface CacheMigrateCliOptions {
  dvcFiles?: boolean;
  dry?: boolean;
  json?: boolean;
}

/** `flowops data cache migrate`: dvc's `cache migrate`, with dvc's messages; the work is data/cacheMigrateRun.ts. */
function cacheMigrateCommand(): Command {
  return new Command("migrate")
    .description("Migrate cached files to the DVC 3.0 cache location.")
    .option("--dvc-files", "also migrate the entries of every .dvc file and dvc.lock to the DVC 3.0 format")
    .option("--dry", "only print what would be done, migrating nothing")
    .option("--json", "print the outcome as JSON")
    .action(async (opts: CacheMigrateCliOptions) => {
      const cwd = process.cwd();
      const { withDataRepo } = await import("../data/dataRepo.js");
      const { cacheMigrate } = await import("../data/cacheMigrateRun.js");
      const { createProgress } = await import("./progressBar.js");
      const progress = createProgress("Migrating to DVC 3.0 cache", undefined, {
        enabled: opts.json !== true && opts.dry !== true,
        unit: "count",
      });
      const options = {
        dry: opts.dry === true,
        dvcFiles: opts.dvcFiles === true,
        onObject: () => progress.advance(1),
      };
      const { result, scm } = await withDataRepo(cwd, async (repo) => ({
        result: await cacheMigrate(repo, options).finally(() => progress.done()),
        scm: repo,
      }));
      if (opts.json === true) return printJson(result);
      const out = (line: string): void => {
        process.stdout.write(`${line}\n`);
      };
      const noFiles = "No DVC files in the repo to migrate to the 3.0 format.";
      if (result.dry) {
        out(`${result.objects} files will be re-hashed and migrated to the DVC 3.0 cache location.`);
        if (result.dvcFiles === undefined) return;
        if (result.dvcFiles.length === 0) return out(noFiles);
        out("Entries in following DVC files will be migrated to the 3.0 format:");
        for (const name of result.dvcFiles) out(`\t${name}`);
        return;
      }
      out(`Migrated ${result.cache.migrated.length} files to DVC 3.0 cache location.`);
      if (result.dvcFiles === undefined) return;
      const { updated, lockFiles, leftLegacy } = result.dvcFiles;
      for (const { file, path } of leftLegacy) {
        process.stderr.write(
          `WARNING: '${path}' is missing from the workspace and its DVC 2 object is not in the cache: ` +
            `its entry in '${file}' stays in the DVC 2 format\n`,
        );
      }
      if (updated.length === 0 && lockFiles.length === 0) return out(noFiles);
      for (const file of updated) out(`Updating DVC file '${file}'`);
      for (const file of lockFiles) out(`Updating lock file '${file}'`);
      const { relative, resolve, sep } = await import("node:path");
      const fromCwd = (rel: string) => relative(cwd, resolve(scm.root, rel)).split(sep).join("/");
      const { reportFilesToTrack } = await import("./gitReminder.js");
      await reportFilesToTrack(scm, [...updated, ...lockFiles].map(fromCwd), cwd);
    });
}
