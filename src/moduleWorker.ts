/**
 * Starts a worker thread from a module beside the caller, with the caller's own extension: `.js` in the
 * compiled package and the bundle, `.ts` when running from source under vitest or tsx. The quick commands'
 * CommonJS bundle (`quick.cjs`) starts the split build's `.js` workers beside it. A `.ts` worker needs
 * tsx's loader, which Node 20 does not pass on to worker threads, so a two-line bootstrap registers it in the
 * thread before importing the module.
 */
import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as WorkerThreads from "node:worker_threads";

// Loaded when a worker starts: node:worker_threads takes ~3 ms to load, which every short command whose
// bundle chunk reaches this module (an unchanged `data status` among them) paid without starting a thread.
const requireHere = createRequire(import.meta.url);
const workerThreads = (): typeof WorkerThreads => requireHere("node:worker_threads") as typeof WorkerThreads;

/** `callerUrl` is the caller's `import.meta.url`; `baseName` the worker module's name without extension. */
export function startModuleWorker(
  callerUrl: string,
  baseName: string,
  options: WorkerThreads.WorkerOptions = {},
): WorkerThreads.Worker {
  const { Worker } = workerThreads();
  const callerExtension = extname(fileURLToPath(callerUrl));
  const extension = callerExtension === ".cjs" ? ".js" : callerExtension;
  const url = new URL(`./${baseName}${extension}`, callerUrl);
  if (extension !== ".ts") return new Worker(url, options);
  const tsxApi = pathToFileURL(createRequire(callerUrl).resolve("tsx/esm/api")).href.replace(
    /\.cjs$/,
    ".mjs",
  );
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(callerUrl)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}
