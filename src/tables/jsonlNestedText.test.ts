/**
 * The text a JSON Lines cell holding an array or object is read as: JSON.stringify's where Python's json.loads
 * (and pandas.read_json, which hands a model without a signature lists and dicts) reads the same value, the
 * file's own where they differ (pandas 3.1.1: `[1.0, -0.0, 1e400]` is [1.0, -0.0, inf], `{"b":1,"1":2}` keeps
 * its key order).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { blockTempDir } from "../../test/support/blockTempDir.js";
import { jsonlColumnTypes } from "./jsonlColumnTypes.js";
import { nestedValueTexts } from "./jsonlNestedText.js";
import { openTable } from "./openTable.js";

const dir = blockTempDir("flowops-jsonl-nested-");

describe("nestedValueTexts", () => {
  it("keeps whole floats, -0.0, floats beyond the doubles and key order as the file wrote them", () => {
    const line =
      '{"a": [1, 2.0, -0.0, -0, 1E2, 1e-400, -1e-400, 1e400, 0.10, 1e21, 12345678901234567890], "s": "x", ' +
      '"o": {"b": 1, "1": [2.5e0], "b": {"c" : "\\u00e9\\/\\"", "d": null}}, "n": 1.0, "e": [ ], "o2": {}}';
    expect(Object.fromEntries(nestedValueTexts(line))).toEqual({
      a: "[1,2.0,-0.0,0,100.0,0.0,-0.0,1e400,0.1,1e+21,12345678901234567890]",
      o: '{"b":1,"1":[2.5],"b":{"c":"é/\\"","d":null}}',
      e: "[]",
      o2: "{}",
    });
  });

  it("gives a repeated key's last value, and none where that is no array or object", () => {
    expect([...nestedValueTexts('{"a":[1],"b":[2],"a":[3.0],"b":2}')]).toEqual([["a", "[3.0]"]]);
  });
});

describe("the JSON Lines reader's nested cells", () => {
  it("reads them as JSON.stringify writes them where json.loads reads the same value", async () => {
    const path = join(dir(), "nested.jsonl");
    await writeFile(
      path,
      '{"a": {"k": [1, 2.5, "x", true, null]}, "b": 1}\n{"a": [1.0, {"2": 1, "1": 2}], "b": [9007199254740993]}\n',
    );
    const cells: unknown[] = [];
    for await (const chunk of openTable(path).chunks())
      cells.push(...chunk.column("a"), ...chunk.column("b"));
    expect(cells).toEqual(['{"k":[1,2.5,"x",true,null]}', '[1.0,{"2":1,"1":2}]', 1, "[9007199254740993]"]);
  });

  it("makes a column of arrays or objects and nulls object, not str, remembering the nested rows", async () => {
    const path = join(dir(), "types.jsonl");
    await writeFile(path, '{"a":[1],"b":"x"}\n{"a":null,"b":{"k":1}}\n{"a":{},"b":"y"}\n');
    const types = await jsonlColumnTypes(path);
    const a = types.get("a");
    expect([types.get("a")?.kind, types.get("b")?.kind]).toEqual(["kept", "kept"]);
    expect([
      a?.kind === "kept" && a.dtype,
      a?.kind === "kept" && [0, 1, 2].map((r) => a.nested?.has(r)),
    ]).toEqual(["object", [true, false, true]]);
    const b = types.get("b");
    expect(b?.kind === "kept" && b.dtype).toBe("object");
  });

  it("keeps a column named like a date that holds an array or object as it is, as read_json does", async () => {
    const path = join(dir(), "dates.jsonl");
    await writeFile(path, '{"date":"2020-01-01","created_at":1577836800}\n{"date":[1],"created_at":{}}\n');
    const types = await jsonlColumnTypes(path);
    const dtypes = ["date", "created_at"].map((name) => {
      const type = types.get(name);
      return type?.kind === "kept" ? type.dtype : type?.kind;
    });
    expect(dtypes).toEqual(["object", "object"]);
  });
});
