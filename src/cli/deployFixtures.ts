/**
 * Set-up shared by the deploy command's tests: a canary rollout spec and its analysis template, and a way to
 * run a command in-process with its output captured. Test-only; nothing in the product imports it.
 */
import type { Command } from "commander";
import { afterAll, afterEach, vi } from "vitest";

export const ROLLOUT_YAML = `strategy:
  canary:
    steps:
      - setWeight: 20
      - pause: {duration: 30s}
      - analysis: {templates: [{templateName: error-rate}]}
      - setWeight: 100
`;

export const TEMPLATE_YAML = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: error-rate
spec:
  metrics:
    - name: error-rate
      interval: 10s
      count: 3
      failureCondition: result > 0.05
      provider:
        flowops: {metric: error_rate}
`;

/** Runs a command quietly: usage errors throw CommanderError instead of exiting, stdout is captured. */
export async function run(command: Command, args: string[]): Promise<string> {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(command);
  try {
    await command.parseAsync(args, { from: "user" });
  } finally {
    write.mockRestore();
  }
  return out.join("");
}

/** Silences stderr for the calling file's tests and clears the exit code a command set after each test. */
export function quietCommandOutput(): void {
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  afterAll(() => stderr.mockRestore());
  afterEach(() => {
    process.exitCode = undefined;
  });
}
