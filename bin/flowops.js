#!/usr/bin/env node
// Thin launcher: the CLI is built into dist/ by `npm ci` (the prepare script): dist/bundle/ (one esbuild bundle,
// fast start-up), or the plain tsc output when the bundle is absent.
import { existsSync } from "node:fs";
import { URL } from "node:url";

const bundled = new URL("../dist/bundle/main.js", import.meta.url);
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
