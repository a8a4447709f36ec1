import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { cloneValue, isPlainObject, parsePythonJson } from "../pythonValues.js";
import { ImageRenderer } from "./imageRenderer.js";
import { renderHtml } from "./plotsHtml.js";
import { VegaRenderer } from "./vegaRenderer.js";

type RendererInput = [
  kind: "vega" | "image",
  datapoints: Record<string, unknown>[],
  name: string,
  properties: Record<string, unknown>,
];

interface HtmlCase {
  name: string;
  renderers: RendererInput[];
  templateText: string | null;
  template: string | null;
  refreshSeconds: number | null;
  expected: { html?: string; error?: { type: string; message: string } };
}

interface ImageHtmlCase {
  datapoints: Record<string, unknown>[];
  name: string;
  withPath: string;
  withoutPath: string;
}

const fixturePath = join(import.meta.dirname, "vegaRenderer.fixtures.json");
const fixture = parsePythonJson(fixturePath, readFileSync(fixturePath, "utf8")) as {
  html: HtmlCase[];
  imageHtml: ImageHtmlCase[];
};

let dir: string;
let outDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-plots-html-"));
  outDir = join(dir, "out");
  await mkdir(join(outDir, "static"), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `$OUT_DIR` (the fixture's stand-in for dvc-render's output folder) made this run's, or back again. */
function withOutDir<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("$OUT_DIR", outDir) as T;
  if (Array.isArray(value)) return value.map(withOutDir) as T;
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withOutDir(v)])) as T;
  return value;
}

function renderer([kind, datapoints, name, properties]: RendererInput): VegaRenderer | ImageRenderer {
  const rows = withOutDir(cloneValue(datapoints));
  return kind === "vega"
    ? new VegaRenderer(rows, name, properties)
    : new ImageRenderer(rows, name, properties);
}

describe("renderHtml matches dvc-render's render_html", () => {
  it.each(fixture.html.map((testCase, index) => [testCase.name, testCase, index] as const))(
    "%s",
    async (_name, testCase, index) => {
      const outputFile = join(outDir, String(index), "index.html");
      let template = testCase.template;
      if (testCase.templateText !== null) {
        template = join(dir, `page${index}.html`);
        await writeFile(template, testCase.templateText);
      }
      const rendering = renderHtml(
        testCase.renderers.map(renderer),
        outputFile,
        template,
        testCase.refreshSeconds,
      );
      if (testCase.expected.error !== undefined) {
        const expectedClass = testCase.expected.error.type === "TypeError" ? TypeError : FlowOpsError;
        await expect(rendering).rejects.toThrow(expectedClass);
        await expect(rendering).rejects.toThrow(testCase.expected.error.message);
        return;
      }
      await expect(rendering).resolves.toBe(outputFile);
      const html = await readFile(outputFile, "utf8");
      expect(html.replaceAll(outDir, "$OUT_DIR")).toBe(testCase.expected.html);
      // Written through a temp file and a rename: nothing else is left beside the page.
      expect(await readdir(join(outDir, String(index)))).toEqual(["index.html"]);
    },
  );

  it("creates the page's folder but not the folders above it, as Path.parent.mkdir does", async () => {
    const page = renderHtml([], join(dir, "missing", "deeper", "index.html"));
    await expect(page).rejects.toThrow(/ENOENT/);
  });
});

describe("ImageRenderer matches dvc-render", () => {
  it.each(fixture.imageHtml.map((testCase) => [testCase.name, testCase] as const))(
    "renders %s with sources relative to the page",
    (_name, testCase) => {
      const image = new ImageRenderer(withOutDir(cloneValue(testCase.datapoints)), testCase.name);
      expect(image.generateHtml(join(outDir, "index.html")).replaceAll(outDir, "$OUT_DIR")).toBe(
        testCase.withPath,
      );
      expect(image.generateHtml().replaceAll(outDir, "$OUT_DIR")).toBe(testCase.withoutPath);
    },
  );
});
