import { describe, expect, it } from "vitest";
import {
  loggedModelPageToken,
  loggedModelTokenOffset,
  type LoggedModelTokenQuery,
} from "./loggedModelPageToken.js";

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64");
const refused = (token: string, query: LoggedModelTokenQuery = { experimentIds: ["1"] }) => {
  try {
    loggedModelTokenOffset(token, query);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${token}`);
};

// Tokens and messages read off `mlflow server` 3.17.2, POST /api/2.0/mlflow/logged-models/search.
describe("logged-model page tokens", () => {
  it("writes mlflow's token text", () => {
    expect(loggedModelPageToken({ experimentIds: ["1"] }, 1)).toBe(
      "eyJleHBlcmltZW50X2lkcyI6IFsiMSJdLCAiZmlsdGVyX3N0cmluZyI6IG51bGwsICJvcmRlcl9ieSI6IG51bGwsICJvZmZzZXQiOiAxfQ==",
    );
    const query = {
      experimentIds: ["1"],
      filter: "name != 'zz'",
      orderBy: [{ field_name: "creation_time" }],
    };
    expect(Buffer.from(loggedModelPageToken(query, 1), "base64").toString()).toBe(
      `{"experiment_ids": ["1"], "filter_string": "name != 'zz'", "order_by": [{"field_name": "creation_time", ` +
        `"ascending": true, "dataset_name": null, "dataset_digest": null}], "offset": 1}`,
    );
    expect(loggedModelTokenOffset(loggedModelPageToken(query, 3), query)).toBe(3);
    expect(
      loggedModelTokenOffset(encode('{"experiment_ids": ["1"], "offset": -1}'), { experimentIds: ["1"] }),
    ).toBe(-1);
  });

  it("refuses a token of another query with mlflow's messages", () => {
    expect(refused(encode('{"offset": 1}'))).toBe(
      "Experiment IDs in the page token do not match the requested experiment IDs. Expected: ['1']. Found: None",
    );
    const ordered = {
      experimentIds: ["1"],
      filter: "name != 'zz'",
      orderBy: [{ field_name: "creation_time" }],
    };
    const token = loggedModelPageToken(ordered, 1);
    expect(refused(token, { experimentIds: ["1"], filter: "name != 'zz'" })).toBe(
      "Order by in the page token does not match the requested order by. Expected: None. Found: " +
        "[{'field_name': 'creation_time', 'ascending': True, 'dataset_name': None, 'dataset_digest': None}]",
    );
    expect(refused(token)).toBe(
      "Filter string in the page token does not match the requested filter string. Expected: None. Found: name != 'zz'",
    );
  });

  it("quotes the token and json.loads' error for JSON mlflow cannot read", () => {
    expect(refused("!!!")).toBe("Invalid page token: !!!. Expecting value: line 1 column 1 (char 0)");
    const trailingComma = encode('{"experiment_ids": ["1"], "offset": 1,}');
    expect(refused(trailingComma)).toBe(
      `Invalid page token: ${trailingComma}. Expecting property name enclosed in double quotes: line 1 column 39 (char 38)`,
    );
    const extra = encode('{"experiment_ids": ["1"], "offset": 1} x');
    expect(refused(extra)).toBe(`Invalid page token: ${extra}. Extra data: line 1 column 40 (char 39)`);
    // mlflow: an uncaught binascii.Error or AttributeError, so a 500.
    expect(refused("abc")).toBe("Invalid page token: abc.");
    expect(refused(encode("[1]"))).toBe(`Invalid page token: ${encode("[1]")}.`);
  });
});
