import { describe, expect, it } from "vitest";
import { parseSloConfig, slosForEndpoint } from "./sloSpec.js";

const FULL = `server:
  port: 5000
slos:
  defaults:
    objectives:
      - latency: {threshold: 300ms, objective: 99}
      - availability: {objective: 99.9}
      - drift: {maxShare: 0.5}
  endpoints:
    fraud-detector:
      window: 28d
      objectives:
        - availability: {objective: 99.5}
        - throughput: {minRps: 10}
`;

function errorOf(text: string): string {
  try {
    parseSloConfig(text, "monitoring.yaml");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the config to be refused");
}

describe("parseSloConfig", () => {
  it("reads defaults and per-endpoint objectives with their periods", () => {
    const config = parseSloConfig(FULL, "monitoring.yaml");
    expect(config.defaults).toEqual({
      windowMs: 30 * 86_400_000,
      objectives: [
        { kind: "latency", id: "latency-300ms", thresholdMs: 300, objective: 99 },
        { kind: "availability", id: "availability", objective: 99.9 },
        { kind: "drift", id: "drift", maxShare: 0.5 },
      ],
    });
    expect(config.endpoints).toEqual([
      {
        endpoint: "fraud-detector",
        windowMs: 28 * 86_400_000,
        objectives: [
          { kind: "availability", id: "availability", objective: 99.5 },
          { kind: "throughput", id: "throughput", minRps: 10, windowMs: 300_000 },
        ],
      },
    ]);
  });

  it("gives an endpoint its own objectives and every other endpoint the defaults", () => {
    const config = parseSloConfig(FULL, "monitoring.yaml");
    expect(slosForEndpoint(config, "fraud-detector")?.objectives.map((o) => o.id)).toEqual([
      "availability",
      "throughput",
    ]);
    expect(slosForEndpoint(config, "churn")?.objectives.map((o) => o.id)).toEqual([
      "latency-300ms",
      "availability",
      "drift",
    ]);
  });

  it("returns no objectives when the file has no slos section", () => {
    expect(parseSloConfig("server: {port: 5000}\n", "monitoring.yaml")).toEqual({ endpoints: [] });
  });

  it("refuses an objective of 100 percent, which leaves no error budget, naming its line", () => {
    const text = "slos:\n  defaults:\n    objectives:\n      - availability:\n          objective: 100\n";
    expect(errorOf(text)).toBe(
      "monitoring.yaml:5: slos.defaults.objectives[0].availability.objective: " +
        "expected a percentage below 100 (100 leaves no error budget)",
    );
  });

  it("refuses an unknown key with the line it is on", () => {
    const text =
      "slos:\n  defaults:\n    objectives:\n      - availability: {objective: 99}\n    windw: 30d\n";
    expect(errorOf(text)).toBe("monitoring.yaml:5: unknown key 'windw' in slos.defaults");
  });

  it("refuses an objective that names two kinds at once", () => {
    const text =
      "slos:\n  defaults:\n    objectives:\n      - {availability: {objective: 99}, drift: {maxShare: 0.5}}\n";
    expect(errorOf(text)).toMatch(
      /^monitoring\.yaml:4: .*exactly one of latency, availability, throughput, drift/,
    );
  });

  it("refuses a latency threshold without a unit", () => {
    const text = "slos:\n  defaults:\n    objectives:\n      - latency: {threshold: 300, objective: 99}\n";
    expect(errorOf(text)).toMatch(/^monitoring\.yaml:4: .*threshold: expected a duration like 300ms/);
  });

  it("refuses the same objective twice for one endpoint", () => {
    const text =
      "slos:\n  endpoints:\n    a:\n      objectives:\n        - availability: {objective: 99}\n" +
      "        - availability: {objective: 99.9}\n";
    expect(errorOf(text)).toBe(
      "monitoring.yaml:6: objective 'availability' appears twice; expected each once",
    );
  });

  it("allows two latency objectives with different thresholds", () => {
    const text =
      "slos:\n  defaults:\n    objectives:\n      - latency: {threshold: 100ms, objective: 50}\n" +
      "      - latency: {threshold: 1s, objective: 99}\n";
    const ids = parseSloConfig(text, "m.yaml").defaults?.objectives.map((o) => o.id);
    expect(ids).toEqual(["latency-100ms", "latency-1s"]);
  });
});
