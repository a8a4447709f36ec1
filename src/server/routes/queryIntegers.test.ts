/**
 * Integer query fields of the metric-history RPCs. Expected answers were read off `mlflow server` 3.17.2
 * (SQLite store) with curl: get-history ignores a `max_results` protobuf cannot parse, while
 * get-history-bulk-interval reads its fields with Python's int().
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { listingMaxResults, protoIntegerFromText, pythonIntFromText } from "./queryIntegers.js";

let server: TestServer;
let runId: string;

type Json = Record<string, unknown>;
const call = (method: string, path: string, body?: object) => callMlflowApi<Json>(server, method, path, body);
const steps = (answer: { json: Json }) =>
  ((answer.json.metrics ?? []) as { step: number }[]).map((m) => m.step);
const HINT = "See the API docs for more information about request parameters.";

beforeAll(async () => {
  server = await startTestServer();
  const experimentId = (await call("POST", "experiments/create", { name: "query-ints" })).json
    .experiment_id as string;
  const run = await call("POST", "runs/create", { experiment_id: experimentId });
  runId = (run.json.run as { info: { run_id: string } }).info.run_id;
  for (const step of [0, 1, 2, 3, 4]) {
    await call("POST", "runs/log-metric", { run_id: runId, key: "m", value: step, timestamp: 1000, step });
  }
});
afterAll(async () => {
  await server.close();
});

describe("get-history max_results", () => {
  // Regression: FlowOps answered these with a 400.
  it.each(["abc", "1.5", "1e30", "", " 3", "2147483648"])(
    "returns the whole history when protobuf cannot parse max_results=%j",
    async (maxResults) => {
      const answer = await call("GET", "metrics/get-history", {
        run_id: runId,
        metric_key: "m",
        max_results: maxResults,
      });
      expect(answer.status).toBe(200);
      expect(steps(answer)).toEqual([0, 1, 2, 3, 4]);
      expect(answer.json.next_page_token).toBeUndefined();
    },
  );

  it.each([
    ["+2", 2],
    ["2_0", 20],
    ["1.0", 1],
    ["1e1", 10],
    ["\t2", 2],
  ])("pages by max_results=%j as protobuf reads it", async (maxResults, pageSize) => {
    const answer = await call("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: "m",
      max_results: maxResults,
    });
    expect(answer.status).toBe(200);
    expect(steps(answer)).toEqual([0, 1, 2, 3, 4].slice(0, pageSize));
  });

  it("still refuses a page size that parses to zero", async () => {
    const answer = await call("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: "m",
      max_results: "-0",
    });
    expect(answer).toEqual({
      status: 400,
      json: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message: "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer.",
      },
    });
  });
});

describe("get-history-bulk-interval integers", () => {
  const interval = (fields: Json) =>
    call("GET", "metrics/get-history-bulk-interval", { run_ids: runId, metric_key: "m", ...fields });

  // Regression: FlowOps refused what Python's int() reads.
  it("reads max_results and steps as Python's int() does", async () => {
    expect(steps(await interval({ max_results: " 3" }))).toEqual([0, 2, 4]);
    expect(steps(await interval({ max_results: "3_0" }))).toEqual([0, 1, 2, 3, 4]);
    expect(steps(await interval({ start_step: " 1", end_step: "+3" }))).toEqual([1, 2, 3]);
  });

  it("refuses what int() cannot read with MLflow's type hint", async () => {
    for (const field of ["max_results", "start_step"]) {
      const answer = await interval({ [field]: "abc", end_step: "3" });
      expect(answer).toEqual({
        status: 400,
        json: {
          error_code: "INVALID_PARAMETER_VALUE",
          sqlstate: "KAM00",
          error_class: "INVALID_PARAMETER_VALUE",
          message: `Invalid value "abc" for parameter '${field}' supplied:  Hint: Value was of type 'str'. ${HINT}`,
        },
      });
    }
  });

  it("words an out-of-range max_results as MLflow's schema check, hint included", async () => {
    for (const maxResults of ["0", "2501", "9223372036854775808"]) {
      const answer = await interval({ max_results: maxResults });
      expect(answer.json.message).toBe(`max_results must be between 1 and 2500. ${HINT}`);
    }
  });
});

describe("integer text readers", () => {
  it("reads int() text exactly, at any size", () => {
    expect(pythonIntFromText(" -1_000\n")).toBe(-1000n);
    expect(pythonIntFromText("99999999999999999999")).toBe(99999999999999999999n);
    for (const text of ["", "1.0", "1__0", "_1", "0x10", "1e2"])
      expect(pythonIntFromText(text)).toBeUndefined();
  });

  it("reads protobuf's integers, within the field's range", () => {
    expect(protoIntegerFromText("2147483647", "int32")).toBe(2147483647);
    expect(protoIntegerFromText("-2147483649", "int32")).toBeUndefined();
    expect(protoIntegerFromText("2147483648", "int64")).toBe(2147483648);
    expect(protoIntegerFromText("1e2", "int64")).toBe(100);
    expect(protoIntegerFromText("3 ", "int64")).toBeUndefined();
    expect(protoIntegerFromText("inf", "int64")).toBeUndefined();
  });

  it("checks a listing's max_results with int() and its range, then keeps what protobuf read", () => {
    expect(listingMaxResults(undefined)).toBeUndefined();
    expect(listingMaxResults("7")).toBe(7);
    expect(listingMaxResults(50000)).toBe(50000);
    // int() reads " 2", protobuf does not: the field is unset and the listing's default applies.
    expect(listingMaxResults(" 2")).toBeUndefined();
    expect(() => listingMaxResults("abc")).toThrow(
      `Invalid value "abc" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. ${HINT}`,
    );
    expect(() => listingMaxResults("0")).toThrow(`max_results must be between 1 and 50000. ${HINT}`);
    expect(() => listingMaxResults(50001)).toThrow(`max_results must be between 1 and 50000. ${HINT}`);
  });
});
