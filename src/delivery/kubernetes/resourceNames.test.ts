import { describe, expect, it } from "vitest";

import { MAX_NAME_LENGTH, dnsLabel, resourceNames } from "./resourceNames.js";

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("resourceNames", () => {
  it("turns an endpoint into DNS-1123 names with role suffixes", () => {
    const names = resourceNames("Churn_Model.v2");
    expect(names.rollout).toBe("churn-model-v2");
    expect(names.stableService).toBe("churn-model-v2-stable");
    expect(names.previewService).toBe("churn-model-v2-preview");
    expect(names.analysisTemplate("Error Rate")).toBe("churn-model-v2-error-rate");
  });

  it("shortens long names to 63 characters with a hash, deterministically", () => {
    const endpoint = "a".repeat(80);
    const first = resourceNames(endpoint).canaryService;
    expect(first.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(first).toMatch(DNS_1123);
    expect(resourceNames(endpoint).canaryService).toBe(first);
  });

  it("keeps two long names that share a prefix apart", () => {
    const long = "x".repeat(70);
    expect(dnsLabel(`${long}-one`)).not.toBe(dnsLabel(`${long}-two`));
    expect(dnsLabel(long, "stable")).not.toBe(dnsLabel(long, "canary"));
  });

  it("produces valid names for awkward input", () => {
    for (const input of ["--Weird--", "UPPER", "a.b.c", "9lives", "ümlaut-model", `${"ab-".repeat(30)}z`]) {
      const name = dnsLabel(input, "canary");
      expect(name, input).toMatch(DNS_1123);
      expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    }
  });

  it("rejects an endpoint with no letters or digits", () => {
    expect(() => dnsLabel("---")).toThrow(/no letters or digits/);
  });
});
