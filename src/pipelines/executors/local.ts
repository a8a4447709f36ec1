/**
 * Runs a stage's command lines on this machine, as DVC does: each line through the shell, in the stage's
 * working directory, one after the other, stopping at the first that fails. Output is appended to the
 * stage's log file and handed to `onOutput` line by line. Each line runs in its own process group, so a
 * timeout or cancellation ends everything the command started (SIGTERM, then SIGKILL after a grace period),
 * not only the shell.
 */
import type { ChildProcess } from "node:child_process";
import { childProcess } from "../../childProcess.js";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type {
  ExecutableStage,
  OutputStream,
  StageExecutor,
  StageRunOptions,
  StageRunResult,
  StageRunStatus,
} from "../executor.js";

export interface LocalExecutorOptions {
  /** The shell that runs each line; `/bin/sh` by default (DVC uses $SHELL; sh keeps runs reproducible). */
  shell?: string;
  /** How long a killed command gets between SIGTERM and SIGKILL; 5 s by default. */
  killGraceMs?: number;
  /** How many trailing output lines `logTail` keeps; 20 by default. */
  tailLines?: number;
}

/** How long to wait for output pipes after the shell exits: a background child may hold them open. */
const PIPE_DRAIN_MS = 1_000;

interface LineOutcome {
  status: StageRunStatus;
  exitCode: number | null;
  message?: string;
}

export class LocalExecutor implements StageExecutor {
  private readonly shell: string;
  private readonly killGraceMs: number;
  private readonly tailLines: number;

  constructor(options: LocalExecutorOptions = {}) {
    this.shell = options.shell ?? "/bin/sh";
    this.killGraceMs = options.killGraceMs ?? 5_000;
    this.tailLines = options.tailLines ?? 20;
  }

  async run(stage: ExecutableStage, options: StageRunOptions): Promise<StageRunResult> {
    const started = Date.now();
    const deadline = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
    const tail = new OutputTail(this.tailLines);
    await mkdir(dirname(options.logPath), { recursive: true });
    const log = createWriteStream(options.logPath, { flags: "a" });
    const finish = async (outcome: LineOutcome, command: string | undefined): Promise<StageRunResult> => {
      await closeStream(log);
      return {
        status: outcome.status,
        exitCode: outcome.exitCode,
        ...(command !== undefined ? { command } : {}),
        durationMs: Date.now() - started,
        logTail: tail.text(),
        ...(outcome.message !== undefined ? { message: outcome.message } : {}),
      };
    };
    let outcome: LineOutcome = { status: "succeeded", exitCode: 0 };
    let last: string | undefined;
    for (const line of stage.cmd) {
      last = line;
      if (options.signal?.aborted) return finish({ status: "cancelled", exitCode: null }, line);
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      if (remaining !== undefined && remaining <= 0) {
        return finish({ status: "timed-out", exitCode: null }, line);
      }
      log.write(`> ${line}\n`);
      outcome = await this.runLine(line, stage.wdir, options, log, tail, remaining);
      if (outcome.status !== "succeeded") {
        log.write(`flowops: ${describeOutcome(outcome, options.timeoutMs)}\n`);
        return finish(outcome, line);
      }
    }
    return finish(outcome, last);
  }

  private runLine(
    line: string,
    cwd: string,
    options: StageRunOptions,
    log: WriteStream,
    tail: OutputTail,
    timeoutMs: number | undefined,
  ): Promise<LineOutcome> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = childProcess().spawn(this.shell, ["-c", line], {
          cwd,
          env: options.env,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (error) {
        resolve({ status: "error", exitCode: null, message: String(error) });
        return;
      }
      let stoppedAs: "timed-out" | "cancelled" | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (why: "timed-out" | "cancelled"): void => {
        if (stoppedAs !== undefined || child.pid === undefined) return;
        stoppedAs = why;
        killGroup(child.pid, "SIGTERM");
        const pid = child.pid;
        // Children that ignore SIGTERM get SIGKILL later, even after the shell itself has exited. The timer keeps
        // this process alive until then (an unref'd one let it exit first and leave them running); it is cleared
        // once the whole group is gone.
        killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), this.killGraceMs);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop("timed-out"), timeoutMs);
      const onAbort = (): void => stop("cancelled");
      options.signal?.addEventListener("abort", onAbort, { once: true });

      const pending = [
        pipeLines(child.stdout, "stdout", log, tail, options.onOutput),
        pipeLines(child.stderr, "stderr", log, tail, options.onOutput),
      ];
      let settled = false;
      const settle = (outcome: LineOutcome): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      child.once("error", (error) => {
        // Spawning failed (the shell or the working directory is missing): nothing ran. Node blames the shell
        // (`spawn /bin/sh ENOENT`) for a missing cwd too, so that case is named for what it is.
        const reason = existsSync(cwd) ? error.message : `the working directory ${cwd} does not exist`;
        settle({ status: "error", exitCode: null, message: `cannot run '${line}': ${reason}` });
      });
      child.once("exit", (code, signal) => {
        if (killTimer !== undefined && child.pid !== undefined) releaseWhenGone(child.pid, killTimer);
        void drainOrDrop(child, pending).then(() => {
          if (stoppedAs !== undefined) settle({ status: stoppedAs, exitCode: code });
          else if (code === 0) settle({ status: "succeeded", exitCode: 0 });
          else if (code !== null) settle({ status: "failed", exitCode: code });
          else settle({ status: "failed", exitCode: null, message: `killed by ${signal ?? "a signal"}` });
        });
      });
    });
  }
}

function describeOutcome(outcome: LineOutcome, timeoutMs: number | undefined): string {
  switch (outcome.status) {
    case "timed-out":
      return `timed out after ${(timeoutMs ?? 0) / 1000} s; the command was killed`;
    case "cancelled":
      return "cancelled; the command was killed";
    case "error":
      return outcome.message ?? "the command could not be started";
    case "failed":
      return outcome.message ?? `the command exited with code ${outcome.exitCode}`;
    case "succeeded":
      return "succeeded";
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Clears the SIGKILL timer once the group led by `pid` is gone, checking every 50 ms: the rest of the group
 * usually dies of the SIGTERM moments after the shell, and the process should not wait out the grace period
 * for nothing. The poll itself does not keep the process alive; the timer does, until the group is gone.
 */
function releaseWhenGone(pid: number, killTimer: NodeJS.Timeout): void {
  if (!groupAlive(pid)) {
    clearTimeout(killTimer);
    return;
  }
  const poll = setInterval(() => {
    if (groupAlive(pid)) return;
    clearInterval(poll);
    clearTimeout(killTimer);
  }, 50);
  poll.unref();
}

/** Whether any process of the group led by `pid` is still running. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the output pipes to close, but not forever: a background process may keep them open. */
async function drainOrDrop(child: ChildProcess, pending: Promise<void>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, PIPE_DRAIN_MS);
  });
  await Promise.race([Promise.all(pending), timeout]);
  if (timer !== undefined) clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Copies a pipe into the log and splits it into lines for the tail and the callback. */
function pipeLines(
  stream: NodeJS.ReadableStream | null,
  name: OutputStream,
  log: WriteStream,
  tail: OutputTail,
  onOutput: ((line: string, stream: OutputStream) => void) | undefined,
): Promise<void> {
  if (stream === null) return Promise.resolve();
  const decoder = new StringDecoder("utf8");
  let partial = "";
  const emit = (text: string): void => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const clean = line.endsWith("\r") ? line.slice(0, -1) : line;
      tail.push(clean);
      onOutput?.(clean, name);
    }
  };
  return new Promise((resolve) => {
    stream.on("data", (chunk: Buffer) => {
      log.write(chunk);
      emit(decoder.write(chunk));
    });
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      emit(decoder.end());
      if (partial !== "") {
        tail.push(partial);
        onOutput?.(partial, name);
        partial = "";
      }
      resolve();
    };
    stream.once("end", end);
    stream.once("close", end);
    stream.once("error", end);
  });
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/** The last lines of output, bounded in lines and characters, so a chatty stage cannot bloat an error. */
class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly max: number) {}

  push(line: string): void {
    this.lines.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
    if (this.lines.length > this.max) this.lines.shift();
  }

  text(): string {
    return this.lines.join("\n");
  }
}
