/**
 * The log lines that say how an ONNX model's session was set up (provider fallbacks, the provider in use when
 * it is not the plain CPU one, outputs left unserved), written once per model whether its session runs in
 * worker threads or on the event loop.
 */
import type { OnnxExecutionProvider } from "./ortSession.js";

export interface SessionChoice {
  provider: OnnxExecutionProvider;
  fallbacks: readonly string[];
  skippedOutputs: readonly string[];
}

export function sessionChoiceLines(label: string, choice: SessionChoice): string[] {
  const lines = choice.fallbacks.map(
    (fallback) => `onnx model ${label}: execution provider ${fallback}; falling back`,
  );
  if (choice.provider !== "cpu" || choice.fallbacks.length > 0) {
    lines.push(`onnx model ${label}: using the ${choice.provider} execution provider`);
  }
  if (choice.skippedOutputs.length > 0) {
    lines.push(`onnx model ${label}: not serving non-tensor outputs ${choice.skippedOutputs.join(", ")}`);
  }
  return lines;
}
