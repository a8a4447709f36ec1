/**
 * Deterministic Kubernetes names: DNS-1123 labels of at most 63 characters. A name that would be longer keeps
 * a readable prefix and ends in a hash of the whole, so two long endpoints never collide and the same input
 * always gives the same name (an apply finds what the previous one created).
 */
import { createHash } from "node:crypto";

import { invalidParameter } from "../../errors.js";

export const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

export const NAME_SUFFIXES = {
  stableService: "stable",
  canaryService: "canary",
  activeService: "active",
  previewService: "preview",
} as const;

function sanitize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Joins parts into one DNS-1123 label, shortening with a hash suffix past 63 characters. */
export function dnsLabel(...parts: string[]): string {
  const full = parts
    .map(sanitize)
    .filter((part) => part.length > 0)
    .join("-");
  if (full.length === 0) {
    throw invalidParameter(
      `name: '${parts.join("-")}' has no letters or digits to build a Kubernetes name from`,
    );
  }
  if (full.length <= MAX_NAME_LENGTH) return full;
  const hash = createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, HASH_LENGTH);
  const prefix = full.slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1).replace(/-+$/, "");
  return `${prefix}-${hash}`;
}

export interface ResourceNames {
  rollout: string;
  inferenceService: string;
  stableService: string;
  canaryService: string;
  activeService: string;
  previewService: string;
  analysisTemplate(templateName: string): string;
}

export function resourceNames(endpoint: string): ResourceNames {
  return {
    rollout: dnsLabel(endpoint),
    inferenceService: dnsLabel(endpoint),
    stableService: dnsLabel(endpoint, NAME_SUFFIXES.stableService),
    canaryService: dnsLabel(endpoint, NAME_SUFFIXES.canaryService),
    activeService: dnsLabel(endpoint, NAME_SUFFIXES.activeService),
    previewService: dnsLabel(endpoint, NAME_SUFFIXES.previewService),
    analysisTemplate: (templateName) => dnsLabel(endpoint, templateName),
  };
}
