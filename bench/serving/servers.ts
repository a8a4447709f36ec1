/**
 * Starts and stops the three model servers the serving benchmark compares, each on its own loopback port:
 * `mlflow models serve` (from bench/serving/.venv), `flowops serve` on the ONNX export, and `flowops serve`
 * on the scikit-learn model through flowops' Python runtime; plus a do-nothing echo server for calibration. Each runs in its own process group so stopping
 * it also stops the workers it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";

export interface ServerSpec {
  label: string;
  command: string;
  args: (port: number) => string[];
  env?: Record<string, string>;
}

export interface RunningServer {
  label: string;
  baseUrl: string;
  stop(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, "../..");

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => ok(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

export function mlflowServer(mlflowBin: string, modelDir: string, workers: number | undefined): ServerSpec {
  return {
    label: `mlflow models serve (sklearn${workers === undefined ? ", default workers" : `, ${workers} workers`})`,
    command: mlflowBin,
    args: (port) => [
      ...["models", "serve", "-m", modelDir, "--env-manager", "local", "-h", "127.0.0.1", "-p", String(port)],
      ...(workers === undefined ? [] : ["--workers", String(workers)]),
    ],
    // mlflow execs `uvicorn` by name, so the venv's bin must come first on PATH.
    env: { MLFLOW_DISABLE_TELEMETRY: "true", PATH: `${dirname(mlflowBin)}:${process.env.PATH ?? ""}` },
  };
}

/** The calibration row: a server that does no work, so its latency is the generator's and loopback's. */
export function echoServer(): ServerSpec {
  return {
    label: "echo server (floor: generator + loopback)",
    command: process.execPath,
    args: (port) => [
      "--import",
      "tsx",
      resolve(import.meta.dirname, "echoServer.ts"),
      "--port",
      String(port),
    ],
  };
}

export function flowopsServer(
  label: string,
  modelDir: string,
  extraArgs: string[],
  env: Record<string, string> = {},
): ServerSpec {
  return {
    label,
    command: process.execPath,
    args: (port) => [
      resolve(REPO, "bin/flowops.js"),
      "serve",
      modelDir,
      "--port",
      String(port),
      ...extraArgs,
    ],
    env,
  };
}

async function waitUntilReady(baseUrl: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${baseUrl}/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${baseUrl} not ready within 120 s:\n${log()}`);
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(spec.command, spec.args(port), {
    cwd: REPO,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...spec.env },
  });
  let output = "";
  const keep = (data: Buffer): void => {
    output = (output + data.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid, "SIGTERM");
    const forced = setTimeout(() => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(forced);
  };
  try {
    await waitUntilReady(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { label: spec.label, baseUrl, stop };
}
