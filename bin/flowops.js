#!/bin/sh
//usr/bin/env true; if [ -n "$NODE_EXTRA_CA_CERTS" ]; then export FLOWOPS_DEFERRED_CA_CERTS="$NODE_EXTRA_CA_CERTS"; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"
// The line above is shell to /bin/sh (`//usr/bin/env` is /usr/bin/env) and a comment to JavaScript: it hands
// NODE_EXTRA_CA_CERTS to deferredCaCertificates.js so that Node does not parse the bundle before every
// command (see there); `node bin/flowops.js` skips it and runs as before.
// Thin launcher: the CLI is built into dist/ by `npm ci` (the prepare script): dist/bundle/ (esbuild bundles,
// fast start-up), or the plain tsc output when the bundle is absent. The quick commands, named first, run from
// dist/bundle/quick.cjs, one CommonJS file without code splitting run through V8's code cache (see
// src/cli/quickMain.ts and loadCachedBundle.js for why).
import { existsSync } from "node:fs";
import { fileURLToPath, URL } from "node:url";
import { trustDeferredCaCertificates } from "./deferredCaCertificates.js";
import { loadCachedBundle } from "./loadCachedBundle.js";

trustDeferredCaCertificates();

const QUICK_COMMANDS = ["data", "repro", "dag", "params", "metrics"];
const quick = QUICK_COMMANDS.includes(process.argv[2] ?? "");
const quickBundle = fileURLToPath(new URL("../dist/bundle/quick.cjs", import.meta.url));
let main;
let afterRun = () => {};
if (quick && existsSync(quickBundle)) {
  const loaded = loadCachedBundle(quickBundle);
  main = loaded.exports.main;
  afterRun = loaded.saveCache;
} else {
  const bundled = new URL("../dist/bundle/main.js", import.meta.url);
  ({ main } = await import(existsSync(bundled) ? bundled.href : "../dist/cli/main.js"));
}

main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  )
  .finally(afterRun);
