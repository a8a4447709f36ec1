import { describe, expect, it } from "vitest";
import { offsetFromPageToken, pageOf, pageTokenFor } from "./mlflowPageToken.js";

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64");

// Offsets and messages are what mlflow 3.17.2's SearchUtils.parse_start_offset_from_page_token gives.
describe("issue page tokens", () => {
  const refused = (token: string) => {
    try {
      offsetFromPageToken(token);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`accepted ${token}`);
  };

  it("writes mlflow's token text and reads it back", () => {
    expect(pageTokenFor(2)).toBe("eyJvZmZzZXQiOiAyfQ==");
    expect(offsetFromPageToken(pageTokenFor(2))).toBe(2);
    expect(offsetFromPageToken(undefined)).toBe(0);
    expect(offsetFromPageToken("")).toBe(0);
  });

  it("pages rows fetched one past the page, with a token only where another page follows", () => {
    expect(pageOf(["a", "b", "c"], 4, 2)).toEqual({ page: ["a", "b"], nextPageToken: pageTokenFor(6) });
    expect(pageOf(["a", "b"], 4, 2)).toEqual({ page: ["a", "b"], nextPageToken: undefined });
    expect(pageOf([], 0, 2)).toEqual({ page: [], nextPageToken: undefined });
  });

  it("reads offsets as Python's int() does, skipping what base64 skips", () => {
    expect(offsetFromPageToken(encode('{"offset": "3"}'))).toBe(3);
    expect(offsetFromPageToken(encode('{"offset": " 4 "}'))).toBe(4);
    expect(offsetFromPageToken(encode('{"offset": 2.7}'))).toBe(2);
    expect(offsetFromPageToken(encode('{"offset": true}'))).toBe(1);
    expect(offsetFromPageToken("eyJvZmZzZXQiOiAyfQ==garbage")).toBe(2);
    expect(offsetFromPageToken("e!yJvZmZzZXQiOiAyfQ==")).toBe(2);
    // SQLite reads a negative OFFSET as none.
    expect(offsetFromPageToken(encode('{"offset": -2}'))).toBe(0);
  });

  it("refuses malformed tokens with mlflow's messages", () => {
    expect(refused("bad")).toBe("Invalid page token, could not base64-decode");
    expect(refused("!!!")).toBe("Invalid page token, decoded value=b''");
    expect(refused("bm90anNvbg==")).toBe("Invalid page token, decoded value=b'notjson'");
    expect(refused(encode("it's"))).toBe(`Invalid page token, decoded value=b"it's"`);
    expect(refused("e30=")).toBe("Invalid page token, parsed value={}");
    expect(refused(encode('{"offset": 0}'))).toBe("Invalid page token, parsed value={'offset': 0}");
    expect(refused(encode('{"offset": null, "x": [1, "it\'s"]}'))).toBe(
      `Invalid page token, parsed value={'offset': None, 'x': [1, "it's"]}`,
    );
    expect(refused(encode('{"offset": "a"}'))).toBe("Invalid page token, not stringable a");
  });

  // The older copies of this reader disagreed here; these are mlflow 3.17.2's answers.
  it("decodes base64 as CPython does and refuses non-ASCII tokens", () => {
    // mlflow: ValueError "string argument should contain only ASCII characters" (a 500).
    expect(refused(`\u00e9${pageTokenFor(2)}`)).toBe("Invalid page token, could not base64-decode");
    expect(refused("QQ=Q")).toBe("Invalid page token, could not base64-decode");
    expect(refused("=QUJD")).toBe("Invalid page token, decoded value=b'ABC'");
    expect(refused("QUJD=QUJD")).toBe("Invalid page token, decoded value=b'ABCABC'");
    expect(refused("QQ==QUJD")).toBe("Invalid page token, decoded value=b'A'");
  });

  it("reads the token's JSON as json.loads does", () => {
    expect(offsetFromPageToken(encode('{"offset": 1E2}'))).toBe(100);
    expect(offsetFromPageToken(encode('{"offset": " +4_0 "}'))).toBe(40);
    expect(offsetFromPageToken(encode('\ufeff{"offset": 2} '))).toBe(2);
    expect(refused(encode('{"offset": NaN}'))).toBe("Invalid page token, not stringable nan");
    // mlflow: OverflowError (a 500).
    expect(refused(encode('{"offset": Infinity}'))).toBe("Invalid page token, not stringable inf");
    expect(refused(encode('{"offset": "3.0"}'))).toBe("Invalid page token, not stringable 3.0");
    expect(refused(encode('{"offset": "\\u00e9\\n"}'))).toBe("Invalid page token, not stringable \u00e9\n");
    expect(refused(encode('{"offset": 0.0}'))).toBe("Invalid page token, parsed value={'offset': 0.0}");
    expect(refused(encode('{"offset": null, "1": 2.50, "b": 1e20, "0": -0.0, "z": 1e-7}'))).toBe(
      "Invalid page token, parsed value={'offset': None, '1': 2.5, 'b': 1e+20, '0': -0.0, 'z': 1e-07}",
    );
  });
});
