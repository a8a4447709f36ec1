/**
 * Bundles the `flowops` command into dist/bundle/ with esbuild. Node 20 loads an ES module graph file by file
 * (the CLI's own ~100 files, yaml's ~60, kysely's ~400), which was most of a no-op `repro` or an unchanged
 * `data status`. Two bundles: every command with code splitting (main.js and its chunks), which keeps each
 * command's code lazy, and the quick commands alone in one file (quick.cjs, see src/cli/quickMain.ts). Native
 * and heavy packages stay external (loaded from node_modules when used). Worker threads' files are entries of
 * their own (found by workerEntries.mjs) so `new URL("./hashWorker.js", import.meta.url)` finds them beside
 * the chunks.
 */
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { argv } from "node:process";
import { build } from "esbuild";
import { workerEntries } from "./workerEntries.mjs";

// Another directory only for the test that runs a bundle of its own (test/bundledCli.e2e.test.ts).
const outdir = argv[2] ?? "dist/bundle";
await rm(outdir, { recursive: true, force: true });
/**
 * Node built-ins that the quick commands load at start-up but seldom use (commander requires child_process,
 * with net and dgram behind it, for subcommands we never spawn; zlib serves Parquet; readline gc's prompt;
 * crypto only hashes, which an unchanged `data status` never does), each required on first use instead: 21
 * fewer built-in modules loaded by every `data status`. They stay external under a `lazy-builtin:` prefix, which
 * the bundle's own `require` (LAZY_REQUIRE below) answers with a proxy. An external's named imports compile to
 * plain property reads of what `require` returned, so nothing loads until a name is read. (A virtual module
 * in the bundle would be CommonJS to esbuild, and copying its ~100 names for each importing file cost more
 * than the lazy loading saved.)
 */
function lazyBuiltins(names) {
  const filter = new RegExp(`^(${names.map((name) => name.replace(/[/]/g, "\\/")).join("|")})$`);
  return {
    name: "lazy-builtins",
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: `lazy-builtin:${args.path}`, external: true }));
    },
  };
}

/**
 * Wraps the bundle's `require` (the module wrapper's parameter) so `lazy-builtin:<name>` gives a proxy that
 * requires `<name>` when a property is first read. Namespace and default imports (esbuild's `__toESM`) list the
 * proxy's names, which loads the module then: the same as before, only later.
 */
const LAZY_REQUIRE = `require = ((plain) => {
  const lazy = (name) => {
    let loaded;
    const load = () => (loaded ??= plain(name));
    return new Proxy({}, {
      get: (_, key) => load()[key],
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const found = Reflect.getOwnPropertyDescriptor(load(), key);
        return found === undefined ? undefined : { enumerable: found.enumerable, configurable: true, get: () => load()[key] };
      },
    });
  };
  return Object.assign((id) => (id.startsWith("lazy-builtin:") ? lazy(id.slice(13)) : plain(id)), plain);
})(require);`;

/** What both bundles share: the externals, the require() banner and the yaml file's name. */
const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir,
  external: [
    "better-sqlite3",
    "pg",
    "pg-native",
    "@aws-sdk/*",
    "@resvg/resvg-js",
    "fastify",
    "pino",
    "onnxruntime-node",
    "@kubernetes/client-node",
    "tsx",
    "tsx/*",
  ],
  // Bundled CommonJS packages (yaml, commander) call require(); ES modules have none of their own.
  banner: {
    js: 'import { createRequire as __flowopsCreateRequire } from "node:module"; const require = __flowopsCreateRequire(import.meta.url);',
  },
  // src/yamlLibrary.ts requires this file on first use instead of bundling yaml into a chunk every command loads.
  define: { FLOWOPS_BUNDLED_YAML: JSON.stringify("./yaml.cjs") },
  logLevel: "warning",
};
await build({
  ...common,
  entryPoints: { main: "src/cli/main.ts", ...(await workerEntries()) },
  splitting: true,
});
// The quick commands as one CommonJS file (src/cli/quickMain.ts says why), which bin/loadCachedBundle.js runs
// through V8's code cache; workers and yaml.cjs are the split build's, found beside it through the
// `import.meta.url` that the banner recreates.
await build({
  ...common,
  format: "cjs",
  // better-sqlite3's JavaScript rides in the bundle (~6 ms less of every `data status` than resolving and
  // compiling its dozen files from node_modules); its addon is still loaded from there (src/db/sqliteAddon.ts).
  external: common.external.filter((name) => name !== "better-sqlite3"),
  plugins: [
    lazyBuiltins([
      "node:child_process",
      "node:zlib",
      "node:readline/promises",
      "node:readline",
      "node:crypto",
      "node:fs/promises",
      "node:os",
      "node:stream",
      "node:string_decoder",
    ]),
  ],
  entryPoints: { quick: "src/cli/quickMain.ts" },
  outExtension: { ".js": ".cjs" },
  splitting: false,
  // import() of a package kept external becomes require(): code run by vm.Script from a code cache has no
  // dynamic import in Node 20 ("A dynamic import callback was not specified"). Those packages all ship CommonJS.
  supported: { "dynamic-import": false },
  banner: {
    js: `${LAZY_REQUIRE}\nconst __flowopsImportMetaUrl = require("node:url").pathToFileURL(__filename).href;`,
  },
  define: { ...common.define, "import.meta.url": "__flowopsImportMetaUrl" },
});
// yaml as one CommonJS file: loaded synchronously, in one read and compile, by the commands that parse YAML.
await build({
  entryPoints: [createRequire(import.meta.url).resolve("yaml")],
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  outfile: `${outdir}/yaml.cjs`,
  logLevel: "warning",
});
