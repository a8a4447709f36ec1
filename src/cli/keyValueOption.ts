/** Options given as `key=value` words (dvc's `DictAction`): `--fs-config`, `--remote-config`. */
import { InvalidArgumentError, Option } from "commander";

/** Each `key=value` (split at the first `=`) into one dict, a later key winning. */
export function keyValuePair(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError(`expects key=value, got '${value}'.`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** dvc's `--fs-config` of import-url, get-url and ls-url: options of the source's filesystem. */
export function fsConfigOption(description: string): Option {
  return new Option("--fs-config <key=value...>", description).argParser(keyValuePair);
}

/** dvc's `--config` of get, du and import: a config file merged over the source repository's. */
export function configFileOption(): Option {
  return new Option("--config <path>", "a DVC config file merged over the repository's own config");
}

/** dvc's `--remote-config` of get, du and import. */
export function remoteConfigOption(): Option {
  return new Option(
    "--remote-config <key=value...>",
    "options merged into the repository's remote (the one --remote names, else its default), e.g. url=...",
  ).argParser(keyValuePair);
}
