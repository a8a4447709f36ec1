import { describe, expect, it } from "vitest";
import { decodeIssuePageToken, encodeIssuePageToken } from "./pageToken.js";

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64");

// Offsets and messages are what mlflow 3.17.2's SearchUtils.parse_start_offset_from_page_token gives.
describe("issue page tokens", () => {
  const refused = (token: string) => {
    try {
      decodeIssuePageToken(token);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`accepted ${token}`);
  };

  it("writes mlflow's token text and reads it back", () => {
    expect(encodeIssuePageToken(2)).toBe("eyJvZmZzZXQiOiAyfQ==");
    expect(decodeIssuePageToken(encodeIssuePageToken(2))).toBe(2);
    expect(decodeIssuePageToken(undefined)).toBe(0);
    expect(decodeIssuePageToken("")).toBe(0);
  });

  it("reads offsets as Python's int() does, skipping what base64 skips", () => {
    expect(decodeIssuePageToken(encode('{"offset": "3"}'))).toBe(3);
    expect(decodeIssuePageToken(encode('{"offset": " 4 "}'))).toBe(4);
    expect(decodeIssuePageToken(encode('{"offset": 2.7}'))).toBe(2);
    expect(decodeIssuePageToken(encode('{"offset": true}'))).toBe(1);
    expect(decodeIssuePageToken("eyJvZmZzZXQiOiAyfQ==garbage")).toBe(2);
    expect(decodeIssuePageToken("e!yJvZmZzZXQiOiAyfQ==")).toBe(2);
    // SQLite reads a negative OFFSET as none.
    expect(decodeIssuePageToken(encode('{"offset": -2}'))).toBe(0);
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
});
