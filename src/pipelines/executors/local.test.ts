import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutputStream } from "../executor.js";
import { LocalExecutor } from "./local.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-executor-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stage = (cmd: string[]) => ({ name: "train", cmd, wdir: dir });

describe("LocalExecutor", () => {
  it("runs the command lines in order in the stage's working directory", async () => {
    const result = await new LocalExecutor().run(
      stage(["echo one > order.txt", "echo two >> order.txt", "pwd > where.txt"]),
      {
        env: process.env,
        logPath: join(dir, "logs", "train.log"),
      },
    );
    expect(result.status).toBe("succeeded");
    expect(result.exitCode).toBe(0);
    expect(await readFile(join(dir, "order.txt"), "utf8")).toBe("one\ntwo\n");
    expect((await readFile(join(dir, "where.txt"), "utf8")).trim()).toBe(dir);
  });

  it("stops at the first failing line and reports its exit code and the line", async () => {
    const result = await new LocalExecutor().run(
      stage(["echo before", "echo broken >&2; exit 3", "touch never"]),
      {
        env: process.env,
        logPath: join(dir, "train.log"),
      },
    );
    expect(result.status).toBe("failed");
    expect(result.exitCode).toBe(3);
    expect(result.command).toBe("echo broken >&2; exit 3");
    expect(result.logTail).toBe("before\nbroken");
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("passes the given environment, CUDA_VISIBLE_DEVICES included", async () => {
    await new LocalExecutor().run(stage(['printf "%s" "$CUDA_VISIBLE_DEVICES" > cuda.txt']), {
      env: { PATH: process.env.PATH, CUDA_VISIBLE_DEVICES: "1,3" },
      logPath: join(dir, "train.log"),
    });
    expect(await readFile(join(dir, "cuda.txt"), "utf8")).toBe("1,3");
  });

  it("streams each output line to the callback and appends all output to the log file", async () => {
    const lines: [string, OutputStream][] = [];
    const logPath = join(dir, "train.log");
    await writeFile(logPath, "earlier attempt\n");
    await new LocalExecutor().run(stage(["echo out1; echo err1 >&2; printf 'no newline'"]), {
      env: process.env,
      logPath,
      onOutput: (line, stream) => lines.push([line, stream]),
    });
    expect(lines).toContainEqual(["out1", "stdout"]);
    expect(lines).toContainEqual(["err1", "stderr"]);
    expect(lines).toContainEqual(["no newline", "stdout"]);
    const log = await readFile(logPath, "utf8");
    expect(log.startsWith("earlier attempt\n> echo out1;")).toBe(true);
    expect(log).toContain("out1\n");
    expect(log).toContain("err1\n");
  });

  it("kills the whole process group when the timeout passes", async () => {
    // The background child would write the marker after the timeout if only the shell were killed.
    const result = await new LocalExecutor({ killGraceMs: 200 }).run(
      stage(["(sleep 1; touch survived) & sleep 30"]),
      { env: process.env, logPath: join(dir, "train.log"), timeoutMs: 300 },
    );
    expect(result.status).toBe("timed-out");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(join(dir, "survived"))).toBe(false);
    expect(await readFile(join(dir, "train.log"), "utf8")).toContain("timed out after 0.3 s");
  });

  it("still kills a child that ignores SIGTERM when the process would otherwise exit first", async () => {
    // The shell dies on SIGTERM; its child ignores it and outlives it. A separate Node process runs the
    // executor and then has nothing left to do: an unref'd SIGKILL timer (its grace longer than the wait for
    // the output pipes) let it exit and leave the child running.
    const script = join(dir, "run.mts");
    await writeFile(
      script,
      [
        `import { LocalExecutor } from ${JSON.stringify(join(import.meta.dirname, "local.ts"))};`,
        "await new LocalExecutor({ killGraceMs: 1500 }).run(",
        `  { name: "t", cmd: ["sh -c 'trap \\"\\" TERM; echo PID $$; exec sleep 30' & wait"], wdir: ${JSON.stringify(dir)} },`,
        `  { env: process.env, logPath: ${JSON.stringify(join(dir, "t.log"))}, timeoutMs: 300 },`,
        ");",
      ].join("\n"),
    );
    const { execFileSync } = await import("node:child_process");
    execFileSync(process.execPath, ["--import", "tsx", script], { cwd: process.cwd(), stdio: "ignore" });
    const pid = Number(/PID (\d+)/.exec(await readFile(join(dir, "t.log"), "utf8"))?.[1]);
    expect(pid).toBeGreaterThan(0);
    // Killed but not yet reaped (its parent is gone) still answers kill(pid, 0): a zombie counts as dead.
    const alive = (): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    for (let waited = 0; alive() && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const survived = alive();
    if (survived) process.kill(pid, "SIGKILL");
    expect(survived).toBe(false);
  }, 20_000);

  it("kills the running command when the signal aborts", async () => {
    const controller = new AbortController();
    const running = new LocalExecutor().run(stage(["echo started; sleep 30", "touch never"]), {
      env: process.env,
      logPath: join(dir, "train.log"),
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    const result = await running;
    expect(result.status).toBe("cancelled");
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("reports a working directory that does not exist as an error, not a failure of the command", async () => {
    const result = await new LocalExecutor().run(
      { name: "x", cmd: ["true"], wdir: join(dir, "missing") },
      { env: process.env, logPath: join(dir, "x.log") },
    );
    expect(result.status).toBe("error");
    // Node's own words would blame the shell: `spawn /bin/sh ENOENT`.
    expect(result.message).toBe(
      `cannot run 'true': the working directory ${join(dir, "missing")} does not exist`,
    );
  });
});
