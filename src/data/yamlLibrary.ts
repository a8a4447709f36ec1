/**
 * The `yaml` package, loaded on its first use rather than with the module that needs it. An unchanged
 * `data status` or no-op `repro` reads every YAML file from the parse cache (yamlParseCache.ts) and never needs
 * the parser, whose ~260 KB would otherwise be compiled and initialised on each start. Loaded synchronously
 * (the readers are synchronous) through `require`, which gives the package's Node build.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

const requireFromHere = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

export function yamlLibrary(): typeof Yaml {
  loaded ??= requireFromHere("yaml") as typeof Yaml;
  return loaded;
}
