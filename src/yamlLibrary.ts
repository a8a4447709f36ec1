/**
 * The `yaml` package, loaded on first use. Most commands that read DVC files find every parse in the parse
 * cache (data/yamlParseCache.ts) and never run the parser, whose 260 KB of code took ~8 ms to load on every
 * `data status` and no-op `repro`, about 5 % of the whole command. The load has to be synchronous because the
 * readers are: the CLI bundle ships yaml as one CommonJS file beside its chunks (scripts/bundleCli.mjs defines
 * FLOWOPS_BUNDLED_YAML as its path). Required from node_modules instead, as under tsx and from dist/, its ~60
 * files cost 60-120 ms, too much for the bundle's short-lived commands but fine for tests and the library.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

type YamlModule = typeof Yaml;
/** Set by the CLI bundle only; see above. */
declare const FLOWOPS_BUNDLED_YAML: string | undefined;

// Not named `require`: the bundle's banner declares that name at the top of every chunk.
const requireHere = createRequire(import.meta.url);
let library: YamlModule | undefined;

export function yamlLibrary(): YamlModule {
  library ??= requireHere(
    typeof FLOWOPS_BUNDLED_YAML === "string" ? FLOWOPS_BUNDLED_YAML : "yaml",
  ) as YamlModule;
  return library;
}
