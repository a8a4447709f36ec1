/**
 * Starts a worker thread from a module beside the caller, with the caller's own extension: `.js` in the
 * compiled package and the bundle, `.ts` when running from source under vitest or tsx. A `.ts` worker needs
 * tsx's loader, which Node 20 does not pass on to worker threads, so a two-line bootstrap registers it in the
 * thread before importing the module.
 */
import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `callerUrl` is the caller's `import.meta.url`; `baseName` the worker module's name without extension. */
export function startModuleWorker(callerUrl: string, baseName: string, options: WorkerOptions = {}): Worker {
  const extension = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${baseName}${extension}`, callerUrl);
  if (extension !== ".ts") return new Worker(url, options);
  const tsxApi = pathToFileURL(createRequire(callerUrl).resolve("tsx/esm/api")).href.replace(
    /\.cjs$/,
    ".mjs",
  );
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(callerUrl)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}
