// Runs a CommonJS bundle (dist/bundle/quick.cjs) through V8's code cache, as Node's own CommonJS loader would
// run it but with `cachedData`: Node 20 has no compile cache for ES modules (module.enableCompileCache came in
// 22), and compiling the quick commands' ~1 MB bundle, with the ES module loader's resolve and link steps, was
// ~30 ms of every `data status` and no-op `repro`. The cache file sits beside the bundle; V8 rejects one made by
// another Node version, V8 flag set or bundle, and a new one is written after that run.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";

/** The bundle's exports, and `saveCache()` to call once the command has run (so its code is in the cache). */
export function loadCachedBundle(file) {
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  const script = new vm.Script(wrapped, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    saveCache() {
      if (cachedData !== undefined && !script.cachedDataRejected) return;
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
      } catch {
        // A read-only installation runs without the cache: slower to start, the same otherwise.
        rmSync(temp, { force: true });
      }
    },
  };
}
