/**
 * better-sqlite3's compiled addon, where its install puts it, given to every `new Database()` as
 * `nativeBinding`. It spares the `bindings` package's search of a dozen candidate paths (~4 ms of an unchanged
 * `data status`), and it is what lets the quick commands' bundle (dist/bundle/quick.cjs) carry better-sqlite3's
 * JavaScript inside it: from there, `bindings` would look for the addon beside the bundle and not find it.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let nativeBinding: string | null | undefined;

/** Options for `new Database(file, options)`: the addon's path, or none when it is elsewhere. */
export function sqliteAddonOptions(): { nativeBinding?: string } {
  if (nativeBinding === undefined) {
    let found: string | null = null;
    try {
      const packageJson = createRequire(import.meta.url).resolve("better-sqlite3/package.json");
      const addon = join(dirname(packageJson), "build", "Release", "better_sqlite3.node");
      if (existsSync(addon)) found = addon;
    } catch {
      // Not resolvable from here: better-sqlite3 searches for its addon itself.
    }
    nativeBinding = found;
  }
  return nativeBinding === null ? {} : { nativeBinding };
}
