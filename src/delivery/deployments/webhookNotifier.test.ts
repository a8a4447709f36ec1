import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebhookNotifier, type WebhookEvent } from "./webhookNotifier.js";

interface Received {
  method: string;
  contentType: string | undefined;
  body: unknown;
}

/** A real HTTP receiver; `respond` decides each answer by the number of the request (1-based). */
async function startReceiver(
  respond: (n: number, res: ServerResponse) => void,
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
      });
      respond(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const event: WebhookEvent = {
  endpoint: "churn",
  kind: "RolloutAborted",
  at: 1_700_000_000_000,
  details: "analysis rev1.0-background-1 Failed: error-rate 0.2 > 0.05",
  values: { metric: "error-rate", value: 0.2 },
  phase: "Degraded",
  weights: [{ model: "models:/churn/3", weight: 100 }],
};

function notifierWithLog(options: { timeoutMs?: number } = {}) {
  const lines: string[] = [];
  const notifier = new WebhookNotifier({ ...options, retryDelayMs: 1, log: (line) => lines.push(line) });
  return { notifier, lines };
}

describe("WebhookNotifier", () => {
  it("posts the event as a JSON body to every URL", async () => {
    const first = await startReceiver((_, res) => res.writeHead(204).end());
    const second = await startReceiver((_, res) => res.writeHead(200).end("ok"));
    servers.push(first.server, second.server);
    const { notifier, lines } = notifierWithLog();

    notifier.notify([first.url, second.url], event);
    await notifier.settled();

    for (const receiver of [first, second]) {
      expect(receiver.received).toEqual([{ method: "POST", contentType: "application/json", body: event }]);
    }
    expect(lines).toEqual([]);
  });

  it("retries after a 500 and stops once the receiver accepts", async () => {
    const receiver = await startReceiver((n, res) => res.writeHead(n === 1 ? 500 : 200).end());
    servers.push(receiver.server);
    const { notifier, lines } = notifierWithLog();

    notifier.notify([receiver.url], event);
    await notifier.settled();

    expect(receiver.received).toHaveLength(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/HTTP 500; attempt 1 of 3, retrying/);
  });

  it("gives up after two retries and logs it instead of throwing", async () => {
    const receiver = await startReceiver((_, res) => res.writeHead(503).end());
    servers.push(receiver.server);
    const { notifier, lines } = notifierWithLog();

    expect(() => notifier.notify([receiver.url], event)).not.toThrow();
    await notifier.settled();

    expect(receiver.received).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/churn RolloutAborted\): HTTP 503; gave up after 3 attempts/);
  });

  it("does not retry a receiver that rejects the request with a 4xx", async () => {
    const receiver = await startReceiver((_, res) => res.writeHead(404).end());
    servers.push(receiver.server);
    const { notifier, lines } = notifierWithLog();

    notifier.notify([receiver.url], event);
    await notifier.settled();

    expect(receiver.received).toHaveLength(1);
    expect(lines).toEqual([expect.stringMatching(/HTTP 404; gave up after 1 attempt$/)]);
  });

  it("abandons an attempt that gets no answer within the timeout and retries it", async () => {
    const held: ServerResponse[] = [];
    const receiver = await startReceiver((n, res) => {
      if (n === 1) held.push(res);
      else res.writeHead(200).end();
    });
    servers.push(receiver.server);
    const { notifier, lines } = notifierWithLog({ timeoutMs: 50 });

    notifier.notify([receiver.url], event);
    await notifier.settled();

    expect(receiver.received).toHaveLength(2);
    expect(lines).toEqual([expect.stringMatching(/no answer within 50ms; attempt 1 of 3/)]);
    for (const res of held) res.end();
  });

  it("logs an unreachable receiver without throwing", async () => {
    const closed = await startReceiver((_, res) => res.end());
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const { notifier, lines } = notifierWithLog();

    notifier.notify([closed.url], event);
    await notifier.settled();

    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/fetch failed.*gave up after 3 attempts/);
  });

  it("does nothing for a deployment without webhooks", async () => {
    const { notifier, lines } = notifierWithLog();
    notifier.notify([], event);
    await notifier.settled();
    expect(lines).toEqual([]);
  });
});
