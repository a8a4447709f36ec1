import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { thrownError } from "../../../test/support/thrownError.js";
import { parsePythonJson, pyJsonDumps } from "../pythonValues.js";
import { ImageRenderer } from "./imageRenderer.js";
import { pathlibJoin, pathlibSuffix, pathlibWithSuffix, removeSpecialChars } from "./plotRenderer.js";
import { VegaRenderer } from "./vegaRenderer.js";
import {
  dictReplaceValue,
  findValue,
  getTemplate,
  LinearTemplate,
  listReplaceValue,
  SmoothLinearTemplate,
  Template,
  TEMPLATES,
} from "./vegaTemplates.js";

const fixturePath = join(import.meta.dirname, "vegaRenderer.fixtures.json");
const fixture = parsePythonJson(fixturePath, readFileSync(fixturePath, "utf8")) as {
  templates: {
    names: string[];
    contents: Record<string, unknown>;
    filenames: Record<string, string>;
    cliJson: Record<string, string>;
  };
  helpers: {
    replaceInput: Record<string, unknown>;
    replaceWithString: unknown;
    replaceWithList: unknown;
    listReplace: unknown;
    findValue: [unknown, string, boolean][];
    escape: Record<string, string>;
    anchor: Record<string, string>;
    removeSpecialChars: Record<string, string>;
    suffix: Record<string, string>;
    vegaMatches: Record<string, boolean>;
    imageMatches: Record<string, boolean>;
  };
};
const { templates, helpers } = fixture;

describe("vega templates match dvc-render's", () => {
  it("lists the templates in dvc-render's order, as `plots templates` prints them", () => {
    expect(TEMPLATES.map((template) => template.DEFAULT_NAME)).toEqual(templates.names);
  });

  it.each(templates.names)("holds %s's content with Python's key order", (name) => {
    const template = TEMPLATES.find((candidate) => candidate.DEFAULT_NAME === name);
    expect(template?.DEFAULT_CONTENT).toEqual(templates.contents[name]);
    expect(JSON.stringify(template?.DEFAULT_CONTENT)).toBe(JSON.stringify(templates.contents[name]));
    expect(pyJsonDumps(template?.DEFAULT_CONTENT)).toBe(templates.cliJson[name]);
    expect(template && new template().filename).toBe(templates.filenames[name]);
  });

  it("keeps linear the smooth template under another name", () => {
    expect(LinearTemplate.DEFAULT_CONTENT).toBe(SmoothLinearTemplate.DEFAULT_CONTENT);
    expect(new LinearTemplate().name).toBe("linear");
  });

  it("will not let a built-in template be edited in place", () => {
    const content = getTemplate("scatter").content as { encoding: Record<string, unknown> };
    expect(() => {
      content.encoding.x = {};
    }).toThrow(TypeError);
  });
});

describe("anchor filling matches dvc-render's", () => {
  const name = Template.anchor("x");

  it("replaces inside dict strings only when the value is a string", () => {
    expect(dictReplaceValue(helpers.replaceInput, name, "$1.v")).toEqual(helpers.replaceWithString);
    expect(dictReplaceValue(helpers.replaceInput, name, ["rev", null])).toEqual(helpers.replaceWithList);
    expect(listReplaceValue([name, [name], `x ${name}`], name, { k: 1 })).toEqual(helpers.listReplace);
  });

  it("finds anchors where dvc-render's find_value looks, and not in lists of lists", () => {
    for (const [value, anchor, found] of helpers.findValue) expect(findValue(value, anchor)).toBe(found);
  });

  it("escapes vega's field syntax and spells anchors alike", () => {
    for (const [field, escaped] of Object.entries(helpers.escape)) {
      expect(Template.escapeSpecialCharacters(field)).toBe(escaped);
    }
    for (const [anchorName, anchor] of Object.entries(helpers.anchor))
      expect(Template.anchor(anchorName)).toBe(anchor);
  });
});

describe("renderer names and files match dvc-render's", () => {
  it("makes HTML ids and suffixes as dvc-render and pathlib do", () => {
    for (const [plotName, id] of Object.entries(helpers.removeSpecialChars))
      expect(removeSpecialChars(plotName)).toBe(id);
    for (const [path, suffix] of Object.entries(helpers.suffix)) expect(pathlibSuffix(path)).toBe(suffix);
    for (const [path, matches] of Object.entries(helpers.vegaMatches))
      expect(VegaRenderer.matches(path)).toBe(matches);
    for (const [path, matches] of Object.entries(helpers.imageMatches))
      expect(ImageRenderer.matches(path)).toBe(matches);
  });

  it("joins and re-suffixes paths as pathlib does", () => {
    expect(pathlibJoin(".dvc/plots", "custom")).toBe(".dvc/plots/custom");
    expect(pathlibJoin(".dvc/plots/", "/abs/t.json")).toBe("/abs/t.json");
    expect(pathlibWithSuffix(".dvc/plots/custom", ".json")).toBe(".dvc/plots/custom.json");
    expect(pathlibWithSuffix(".dvc/plots/custom.txt", ".json")).toBe(".dvc/plots/custom.json");
    expect(pathlibWithSuffix("t.", ".json")).toBe("t..json");
    expect(() => pathlibWithSuffix("", ".json")).toThrow("has an empty name");
  });
});

describe("getTemplate", () => {
  it("gives linear when no template is named", () => {
    expect(getTemplate()).toBeInstanceOf(LinearTemplate);
    expect(getTemplate(null, null).name).toBe("linear");
  });

  it("returns a Template it is given as it is", () => {
    const template = new Template({ data: { values: "<DVC_METRIC_DATA>" } }, "mine");
    expect(getTemplate(template)).toBe(template);
  });

  it("reports an unknown template with dvc's words", () => {
    const error = thrownError(() => getTemplate("no-such-template", "/nonexistent"));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toBe("Template 'no-such-template' not found.");
  });
});
