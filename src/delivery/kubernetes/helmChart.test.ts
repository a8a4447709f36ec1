/**
 * A light consistency check between the Helm chart and the TypeScript render (no helm binary here): the
 * chart must use the same name suffixes, ownership labels, container contract and metric names.
 */
import { readFile, readdir } from "node:fs/promises";

import { parse } from "yaml";
import { describe, expect, it } from "vitest";

import { SERVING_PORT } from "./deploymentDescription.js";
import {
  ENDPOINT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  PART_OF_LABEL,
  PART_OF_VALUE,
} from "./ownershipLabels.js";
import {
  ERRORS_METRIC,
  LATENCY_METRIC,
  REQUESTS_METRIC,
  STABLE_VERSION_ARG,
  VERSION_ARG,
} from "./prometheusQueries.js";
import { NAME_SUFFIXES } from "./resourceNames.js";
import { CONTAINER_NAME, LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from "./servingContainer.js";

const chart = new URL("../../../deploy/helm/flowops-model/", import.meta.url);

async function templatesText(): Promise<string> {
  const dir = new URL("templates/", chart);
  const files = (await readdir(dir)).sort();
  const texts = await Promise.all(files.map((file) => readFile(new URL(file, dir), "utf8")));
  return texts.join("\n");
}

describe("Helm chart deploy/helm/flowops-model", () => {
  it("has a Chart.yaml and values.yaml that parse", async () => {
    const chartYaml = parse(await readFile(new URL("Chart.yaml", chart), "utf8")) as Record<string, unknown>;
    expect(chartYaml).toMatchObject({ apiVersion: "v2", name: "flowops-model" });
    const values = parse(await readFile(new URL("values.yaml", chart), "utf8")) as Record<string, unknown>;
    expect(values).toHaveProperty("endpoint");
    expect(values).toHaveProperty("rollout.canary.steps");
  });

  it("names Services with the same role suffixes as the TypeScript render", async () => {
    const text = await templatesText();
    expect(text).toContain(`-${NAME_SUFFIXES.stableService}\n`);
    expect(text).toContain(`-${NAME_SUFFIXES.canaryService}\n`);
    expect(text).toContain(`-${NAME_SUFFIXES.activeService}\n`);
    expect(text).toContain(`-${NAME_SUFFIXES.previewService}\n`);
    expect(text).toContain(`list "${NAME_SUFFIXES.stableService}" "${NAME_SUFFIXES.canaryService}"`);
    expect(text).toContain(`list "${NAME_SUFFIXES.activeService}" "${NAME_SUFFIXES.previewService}"`);
    expect(text).toContain('name: {{ include "flowops-model.name" $ }}-{{ .name }}');
  });

  it("carries the same ownership labels", async () => {
    const text = await templatesText();
    expect(text).toContain(`${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}`);
    expect(text).toContain(`${PART_OF_LABEL}: ${PART_OF_VALUE}`);
    expect(text).toContain(`${ENDPOINT_LABEL}:`);
  });

  it("runs the same container with the same probes and scrape annotations", async () => {
    const text = await templatesText();
    expect(text).toContain(`name: ${CONTAINER_NAME}`);
    expect(text).toContain(`"--port", "${SERVING_PORT}"`);
    expect(text).toContain(`path: ${READINESS_PATH}`);
    expect(text).toContain(`path: ${LIVENESS_PATH}`);
    expect(text).toContain(`prometheus.io/path: ${METRICS_PATH}`);
  });

  it("queries the same serving metrics with the same arguments", async () => {
    const text = await templatesText();
    for (const metric of [ERRORS_METRIC, REQUESTS_METRIC, `${LATENCY_METRIC}_bucket`])
      expect(text).toContain(metric);
    expect(text).toContain(`- name: ${VERSION_ARG}\n`);
    expect(text).toContain(`- name: ${STABLE_VERSION_ARG}\n`);
  });
});
