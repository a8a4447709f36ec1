#!/usr/bin/env node
// Thin launcher: the CLI is built into dist/ by `npm ci` (the prepare script): dist/bundle/ (esbuild bundles,
// fast start-up), or the plain tsc output when the bundle is absent. The quick commands, named first, run from
// dist/bundle/quick.js, one file without code splitting (see src/cli/quickMain.ts for why).
import { existsSync } from "node:fs";
import { URL } from "node:url";

const QUICK_COMMANDS = ["data", "repro", "dag", "params", "metrics"];
const quick = QUICK_COMMANDS.includes(process.argv[2] ?? "");
const bundled = new URL(quick ? "../dist/bundle/quick.js" : "../dist/bundle/main.js", import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : "../dist/cli/main.js");

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
