/**
 * One Python pyfunc worker process: spawns it, waits for its `ready` frame, matches answers to requests by id,
 * and on exit rejects every request still waiting (TEMPORARILY_UNAVAILABLE) so no caller ever hangs on a dead
 * process. It does not restart itself; the pool decides that (pythonWorkerPool.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { FlowOpsError } from "../../errors.js";
import { encodeFrame, FrameDecoder } from "./pythonFraming.js";
import { pythonMissingError, workerExitedError, workerStartupError } from "./pythonStartupError.js";
import {
  parseWorkerMessage,
  type WireSignature,
  type WireTensor,
  type WorkerErrorInfo,
  type WorkerMessage,
  type WorkerRequest,
} from "./pythonWire.js";

export interface PythonWorkerOptions {
  python: string;
  script: string;
  modelDir: string;
  /** How long importing mlflow and loading the model may take. */
  startupTimeoutMs: number;
  /** Receives the worker's stderr line by line (the server log). */
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface WorkerReady {
  signature: WireSignature | undefined;
  mlflowVersion: string;
  pythonVersion: string;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when FlowOps stopped the worker (close or request timeout), false for a crash. */
  requested: boolean;
}

type WorkerAnswer = { ok: true; outputs: WireTensor[] } | { ok: false; error: WorkerErrorInfo };

interface Pending {
  resolve: (answer: WorkerAnswer) => void;
  reject: (error: FlowOpsError) => void;
  /** Undefined when the request has no limit. */
  timer: NodeJS.Timeout | undefined;
  /** Called when the worker takes the request up; undefined once called, or when nobody asked. */
  onStart: (() => void) | undefined;
}

/** Characters of stderr kept to explain a worker that dies before it is ready. */
const STDERR_TAIL_CHARS = 4000;
/** How long a worker may take to exit after SIGTERM before it gets SIGKILL. */
export const KILL_GRACE_MS = 5000;

export class PythonWorkerProcess {
  private readonly pending = new Map<number, Pending>();
  private readonly exitListeners: ((exit: WorkerExit) => void)[] = [];
  private readonly exited: Promise<WorkerExit>;
  private nextId = 1;
  private stopRequested = false;
  private exitInfo: WorkerExit | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly ready: WorkerReady,
    exited: Promise<WorkerExit>,
  ) {
    this.exited = exited;
  }

  /** Starts a worker and resolves once its model is loaded; rejects with an error that says what to install. */
  static start(options: PythonWorkerOptions): Promise<PythonWorkerProcess> {
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(options.python, ["-u", options.script, options.modelDir], {
          stdio: ["pipe", "pipe", "pipe"],
          env: options.env ?? process.env,
        });
      } catch (error) {
        reject(pythonMissingError(options.python, error));
        return;
      }
      let worker: PythonWorkerProcess | undefined;
      let startupFailure: FlowOpsError | undefined;
      let stderrTail = "";
      let settled = false;
      const fail = (error: FlowOpsError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(startupTimer);
        child.kill("SIGKILL");
        reject(error);
      };
      const startupTimer = setTimeout(() => {
        fail(
          new FlowOpsError(
            "DEADLINE_EXCEEDED",
            `the Python model worker did not load ${options.modelDir} within ${options.startupTimeoutMs} ms`,
          ),
        );
      }, options.startupTimeoutMs);

      let resolveExit: (exit: WorkerExit) => void = () => undefined;
      const exited = new Promise<WorkerExit>((resolveExited) => {
        resolveExit = resolveExited;
      });

      const decoder = new FrameDecoder("the Python model worker");
      child.stdout.on("data", (chunk: Buffer) => {
        let messages: WorkerMessage[];
        try {
          messages = decoder.push(chunk).map(parseWorkerMessage);
        } catch (error) {
          // A stream out of step cannot be resynchronised: end the worker, its requests fail over.
          options.log(`python worker ${String(child.pid)}: ${(error as Error).message}`);
          child.kill("SIGKILL");
          return;
        }
        for (const message of messages) {
          if (worker !== undefined) {
            worker.handleMessage(message);
          } else if (message.type === "ready") {
            settled = true;
            clearTimeout(startupTimer);
            const ready: WorkerReady = {
              signature: message.signature ?? undefined,
              mlflowVersion: message.mlflow_version,
              pythonVersion: message.python_version,
            };
            worker = new PythonWorkerProcess(child, ready, exited);
            resolve(worker);
          } else if (message.type === "startup_error") {
            startupFailure = workerStartupError(message.stage, message.error, options);
          }
        }
      });

      let stderrRest = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (text: string) => {
        if (worker === undefined) stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
        const lines = (stderrRest + text).split("\n");
        stderrRest = lines.pop() ?? "";
        for (const line of lines) options.log(`python worker ${String(child.pid)}: ${line}`);
      });
      // Writing to a worker that just died raises EPIPE here; the exit handler reports it.
      child.stdin.on("error", () => undefined);

      child.on("error", (error) => {
        if (worker === undefined) fail(pythonMissingError(options.python, error));
      });
      child.on("exit", (code, signal) => {
        if (stderrRest !== "") options.log(`python worker ${String(child.pid)}: ${stderrRest}`);
        stderrRest = "";
        if (worker !== undefined) {
          worker.handleExit(code, signal);
          resolveExit(worker.exitInfo as WorkerExit);
          return;
        }
        resolveExit({ code, signal, requested: false });
        // The startup_error frame may still sit in the pipe when `exit` fires; `close` comes after it is read.
        const finish = (): void =>
          fail(startupFailure ?? workerExitedError(options.python, { code, signal }, stderrTail));
        if (child.stdout.readableEnded) finish();
        else {
          child.once("close", finish);
          setTimeout(finish, 1000).unref();
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && !this.stopRequested;
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.exitListeners.push(listener);
  }

  /**
   * Sends one request (`timeoutMs` Infinity: no limit). Past `timeoutMs` the request rejects with DEADLINE_EXCEEDED and the worker is stopped:
   * a single-threaded worker stuck in a model call would otherwise hold up every later request.
   * `onStart` is called when the worker takes this request up: at once when it is idle, else when it answers
   * the request before it (it reads its requests one at a time, in order).
   */
  request(
    build: (id: number) => WorkerRequest,
    timeoutMs: number,
    onStart?: () => void,
  ): Promise<WorkerAnswer> {
    if (!this.alive) return Promise.reject(unavailable("the Python model worker has exited"));
    const id = this.nextId++;
    const frame = encodeFrame(build(id));
    return new Promise<WorkerAnswer>((resolve, reject) => {
      // setTimeout would fire at once for Infinity (it clamps anything past 2^31-1 ms to 1 ms).
      const timer = !Number.isFinite(timeoutMs)
        ? undefined
        : setTimeout(() => {
            if (!this.pending.delete(id)) return;
            reject(
              new FlowOpsError(
                "DEADLINE_EXCEEDED",
                `the model did not answer within ${timeoutMs / 1000} s; its Python worker is restarted`,
              ),
            );
            void this.stop();
          }, timeoutMs);
      const idle = this.pending.size === 0;
      this.pending.set(id, { resolve, reject, timer, onStart: idle ? undefined : onStart });
      this.child.stdin.write(frame);
      if (idle) onStart?.();
    });
  }

  /** Ends the worker: stdin closed and SIGTERM, SIGKILL after the grace period. Resolves once it has exited. */
  stop(graceMs = KILL_GRACE_MS): Promise<WorkerExit> {
    if (this.exitInfo === undefined && !this.stopRequested) {
      this.stopRequested = true;
      this.child.stdin.end();
      this.child.kill("SIGTERM");
      const killer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      void this.exited.then(() => clearTimeout(killer));
    }
    return this.exited;
  }

  private handleMessage(message: WorkerMessage): void {
    if (message.type !== "result") return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return; // answered after its timeout
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    this.startNext();
    pending.resolve(
      message.ok ? { ok: true, outputs: message.outputs } : { ok: false, error: message.error },
    );
  }

  /**
   * The worker answers in order, so with this answer it moves on to the oldest request still pending (a Map
   * iterates in insertion order). A request that timed out stops the worker, so none starts after it.
   */
  private startNext(): void {
    for (const next of this.pending.values()) {
      const onStart = next.onStart;
      next.onStart = undefined;
      onStart?.();
      return;
    }
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitInfo = { code, signal, requested: this.stopRequested };
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${String(code)}`;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(unavailable(`the Python model worker ${how} while handling this request; retry`));
    }
    this.pending.clear();
    for (const listener of this.exitListeners) listener(this.exitInfo);
  }
}

function unavailable(message: string): FlowOpsError {
  return new FlowOpsError("TEMPORARILY_UNAVAILABLE", message);
}
