/**
 * Tells outside systems (chat, paging, CI) what a rollout did: each event is POSTed as JSON to every
 * webhook URL of the deployment. Fire and forget: a slow or failing receiver must never delay or fail a
 * rollout, so delivery runs in the background, is retried twice with a growing delay, and ends in a log
 * line, never in a thrown error.
 */
import type { RolloutPhase, TrafficRoute } from "../rollout/rolloutState.js";

export interface WebhookEvent {
  endpoint: string;
  kind: string;
  at: number;
  details: string;
  values?: unknown;
  phase: RolloutPhase;
  weights: TrafficRoute[];
}

export interface WebhookNotifierOptions {
  fetch?: typeof fetch;
  /** How long one attempt may take, in ms (5000 by default). */
  timeoutMs?: number;
  /** Attempts after the first (2 by default). */
  retries?: number;
  /** Delay before the first retry, in ms, doubled for each later one (500 by default). */
  retryDelayMs?: number;
  log?: (message: string) => void;
}

/** Statuses worth another attempt; any other 4xx means the receiver rejects this body and always will. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

type AttemptResult = { ok: true } | { ok: false; retryable: boolean; reason: string };

export class WebhookNotifier {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly log: (message: string) => void;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: WebhookNotifierOptions = {}) {
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.log = options.log ?? ((message) => process.stderr.write(`${message}\n`));
  }

  /** Starts delivering `event` to every URL and returns at once. */
  notify(urls: readonly string[], event: WebhookEvent): void {
    if (urls.length === 0) return;
    const body = JSON.stringify(event);
    for (const url of urls) {
      const delivery = this.deliver(url, body, event).catch((error: unknown) => {
        this.log(`Webhook ${url}: ${String(error)}`);
      });
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  /** Resolves once every delivery started so far has succeeded or given up (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(url: string, body: string, event: WebhookEvent): Promise<void> {
    const attempts = this.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const result = await this.attempt(url, body);
      if (result.ok) return;
      const what = `Webhook ${url} (${event.endpoint} ${event.kind}): ${result.reason}`;
      if (!result.retryable || attempt === attempts) {
        this.log(`${what}; gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}`);
        return;
      }
      const delay = this.retryDelayMs * 2 ** (attempt - 1);
      this.log(`${what}; attempt ${attempt} of ${attempts}, retrying in ${delay}ms`);
      await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
    }
  }

  private async attempt(url: string, body: string): Promise<AttemptResult> {
    try {
      const response = await this.fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is not needed; reading it lets the connection be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true };
      return {
        ok: false,
        retryable: isRetryableStatus(response.status),
        reason: `HTTP ${response.status}`,
      };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const reason = timedOut ? `no answer within ${this.timeoutMs}ms` : describeFailure(error);
      return { ok: false, retryable: true, reason };
    }
  }
}

/** fetch reports "fetch failed" and keeps what happened (ECONNREFUSED, a DNS error) in its cause. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
