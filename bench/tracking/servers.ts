/**
 * Starts the two servers the tracking benchmark compares — `flowops server` and `mlflow server` (from the
 * project's .venv) — each on SQLite in its own temp dir, and stops them. Both get the same kind of backend so
 * the ratio compares servers, not databases.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export type ServerKind = "flowops" | "mlflow";

export interface BenchServer {
  kind: ServerKind;
  url: string;
  dbPath: string;
  pid: number;
  /** Resident set size of the server process tree in MiB (all workers for MLflow). */
  rssMiB(): number;
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

export function mlflowBinary(): string | undefined {
  const candidate = process.env.FLOWOPS_BENCH_MLFLOW ?? join(REPO, ".venv/bin/mlflow");
  return existsSync(candidate) ? candidate : undefined;
}

export async function startBenchServer(kind: ServerKind): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const dbPath = join(dir, "db.sqlite");
  const port = await freePort();
  const common = [
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--backend-store-uri",
    `sqlite:///${dbPath}`,
  ];
  const artifacts = ["--artifacts-destination", join(dir, "artifacts")];
  let child: ChildProcess;
  if (kind === "flowops") {
    child = spawn(process.execPath, [join(REPO, "bin/flowops.js"), "server", ...common, ...artifacts], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, FLOWOPS_HOME: dir },
    });
  } else {
    const mlflow = mlflowBinary();
    if (mlflow === undefined)
      throw new Error("mlflow not found: run `bash .ci/run` once, or set FLOWOPS_BENCH_MLFLOW");
    child = spawn(mlflow, ["server", ...common, ...artifacts], {
      stdio: ["ignore", "ignore", "ignore"],
      env: { ...process.env, MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: "true" },
      detached: true,
    });
  }
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, kind === "mlflow" ? 180_000 : 30_000);
  return {
    kind,
    url,
    dbPath,
    pid: child.pid ?? 0,
    rssMiB: () => treeRssMiB(child.pid ?? 0),
    async stop() {
      await new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once("exit", () => ok());
        try {
          // MLflow runs uvicorn/gunicorn workers: signal the whole process group.
          process.kill(kind === "mlflow" ? -(child.pid ?? 0) : (child.pid ?? 0), "SIGTERM");
        } catch {
          ok();
        }
        setTimeout(() => {
          try {
            process.kill(kind === "mlflow" ? -(child.pid ?? 0) : (child.pid ?? 0), "SIGKILL");
          } catch {
            /* already gone */
          }
          ok();
        }, 10_000).unref();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`);
}

function treeRssMiB(rootPid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      rss.set(Number(entry), kb);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* process ended while reading */
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total / 1024;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
