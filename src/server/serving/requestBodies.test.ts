/**
 * Regression found by the request fuzz test: KServe V2 and V1 JSON bodies were decoded as UTF-8 with
 * replacement, so a body holding bytes that are not UTF-8 (Latin-1 text, a stray 0xFF) was answered 200 with
 * U+FFFD in its names and BYTES values, where JSON must be UTF-8 (RFC 8259) and MLflow's route refused it.
 */
import { describe, expect, it } from "vitest";
import { closeServingAppsAfterEach, rowSumModel, serve } from "./servingAppFixtures.js";

closeServingAppsAfterEach();

/** A valid body for the row-sum model with the Latin-1 byte of "é" (0xE9) inside its id. */
function latin1Body(json: string): Buffer {
  const at = json.indexOf("caf") + 3;
  return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xe9]), Buffer.from(json.slice(at))]);
}

describe("KServe JSON bodies that are not UTF-8", () => {
  it("refuses them with a 400 naming the byte and its offset, on V2 and V1 alike", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const v2 = latin1Body(
      '{"id":"caf","inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}',
    );
    const v1 = latin1Body('{"instances":[[1,2]],"parameters":{"note":"caf"}}');
    for (const [url, payload] of [
      ["/v2/models/sum/infer", v2],
      ["/v1/models/sum:predict", v1],
    ] as const) {
      const res = await app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatch(/not valid UTF-8: byte 0xE9 at offset \d+ \(line 1\)/);
    }
  });

  it("still reads UTF-8 text in them", async () => {
    const { app } = await serve([rowSumModel("sum", "1")]);
    const res = await app.inject({
      method: "POST",
      url: "/v2/models/sum/infer",
      headers: { "content-type": "application/json" },
      payload: Buffer.from(
        '{"id":"café","inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}',
      ),
    });
    expect([res.statusCode, res.json().id]).toEqual([200, "café"]);
  });
});
