import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { thrownError } from "../../../test/support/thrownError.js";
import { cloneValue, isPlainObject, parsePythonJson, pyJsonDumps } from "../pythonValues.js";
import { VegaRenderer } from "./vegaRenderer.js";

/** Inputs and dvc-render 1.0.2's outputs for them (see the fixture's `about`). */
interface VegaCase {
  name: string;
  datapoints: Record<string, unknown>[];
  plotName: string;
  properties: Record<string, unknown>;
  split: boolean;
  strict: boolean;
  expected: {
    revs?: unknown[];
    content?: unknown;
    anchorDefinitions?: unknown;
    datapointsAfter?: unknown;
    propertiesAfter?: Record<string, unknown>;
    html?: string;
    error?: { type: string; message: string };
  };
}

const fixturePath = join(import.meta.dirname, "vegaRenderer.fixtures.json");
// Parsed as Python parses it, so 1.0 stays a float and the HTML's json.dumps can be compared byte for byte.
const fixture = parsePythonJson(fixturePath, readFileSync(fixturePath, "utf8")) as {
  templateFiles: Record<string, string>;
  vega: VegaCase[];
};

const templateDir = mkdtempSync(join(tmpdir(), "flowops-vega-templates-"));
for (const [name, text] of Object.entries(fixture.templateFiles))
  writeFileSync(join(templateDir, name), text);
afterAll(() => rmSync(templateDir, { recursive: true, force: true }));

/** The fixture's `$TEMPLATE_DIR` made this run's folder. */
function withTemplateDir<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("$TEMPLATE_DIR", templateDir) as T;
  if (Array.isArray(value)) return value.map(withTemplateDir) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withTemplateDir(v)])) as T;
  }
  return value;
}

/** Equal values, and written alike: key order and Python's spelling of floats included. */
function expectSameJson(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  expect(pyJsonDumps(actual)).toBe(pyJsonDumps(expected));
}

function newRenderer(testCase: VegaCase): VegaRenderer {
  return new VegaRenderer(
    cloneValue(testCase.datapoints),
    testCase.plotName,
    withTemplateDir(testCase.properties),
  );
}

describe("VegaRenderer matches dvc-render", () => {
  it.each(fixture.vega.map((testCase) => [testCase.name, testCase] as const))("%s", (_name, testCase) => {
    const { expected } = testCase;
    if (expected.revs === undefined) {
      // dvc-render failed while picking the template, in the constructor.
      const error = thrownError(() => newRenderer(testCase));
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toBe(expected.error?.message);
      return;
    }
    const renderer = newRenderer(testCase);
    expect(renderer.getRevs()).toEqual(expected.revs);
    const fill = (): unknown => {
      if (!testCase.split) return renderer.getFilledTemplate(undefined, testCase.strict);
      const [content, { anchor_definitions }] = renderer.getPartialFilledTemplate();
      expectSameJson(anchor_definitions, expected.anchorDefinitions);
      return content;
    };
    if (expected.error !== undefined) {
      const error = thrownError(fill);
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toBe(expected.error.message);
      return;
    }
    expectSameJson(fill(), expected.content);
    expectSameJson(renderer.datapoints, expected.datapointsAfter);
    const { data: _data, ...properties } = renderer.properties;
    expectSameJson(properties, withTemplateDir(expected.propertiesAfter));
    if (expected.html !== undefined) expect(newRenderer(testCase).generateHtml()).toBe(expected.html);
  });
});

describe("VegaRenderer", () => {
  const multiSource = fixture.vega.find(
    (testCase) => testCase.name === "filename and field both vary, two revisions",
  );

  it("rewrites the caller's datapoints in place but leaves the caller's properties alone", () => {
    if (multiSource === undefined) throw new Error("fixture case missing");
    const datapoints = cloneValue(multiSource.datapoints);
    const properties = cloneValue(multiSource.properties);
    new VegaRenderer(datapoints, multiSource.plotName, properties).getFilledTemplate();
    expect(datapoints[0]).toHaveProperty(["filename::field"]);
    expect(datapoints[0]).not.toHaveProperty("filename");
    expect(properties).toEqual(multiSource.properties);
  });

  it("fails a second fill of rows already joined, as dvc-render does", () => {
    if (multiSource === undefined) throw new Error("fixture case missing");
    const renderer = newRenderer(multiSource);
    renderer.getFilledTemplate();
    expect(() => renderer.getFilledTemplate()).toThrow(
      new TypeError("sequence item 0: expected str instance, NoneType found"),
    );
  });

  it("refuses y sources that are all the same file and field, as dvc-render's empty index does", () => {
    const renderer = new VegaRenderer(
      [{ step: 0, y: 1, rev: "workspace", filename: "a.json", field: "y" }],
      "a",
      {
        x: "step",
        y: "y",
        anchors_y_definitions: [
          { filename: "a.json", field: "y" },
          { filename: "a.json", field: "y" },
        ],
      },
    );
    expect(() => renderer.getFilledTemplate()).toThrow(RangeError);
  });

  it("takes data files by pathlib's suffix", () => {
    expect(VegaRenderer.matches("dir.json/metrics")).toBe(false);
    expect(VegaRenderer.matches("logs/train.tsv")).toBe(true);
    expect(VegaRenderer.matches(".json")).toBe(false);
  });
});
