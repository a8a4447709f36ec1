/**
 * The metric-history answers pinned byte for byte: get-history writes its JSON text without building an
 * object per point, so every spelling JSON.stringify and toWireJson would give (NaN, -0, exponents, int64
 * digits beyond 2^53, page tokens, a non-ASCII key) is checked on the exact text the client receives. The
 * "wide" history holds steps beyond 2^53, so it takes the read that selects their exact digits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../../../test/support/backends.js";
import { startTestServer, type TestServer } from "../../../../test/support/testServer.js";
import { createExperiment } from "../../../tracking/experimentStore.js";
import { logBatch } from "../../../tracking/runLogging.js";
import { createRun } from "../../../tracking/runStore.js";

const MAX = 2n ** 63n - 1n;

describe.each(metadataBackends())("metric history wire text on $name", (backend) => {
  let server: TestServer;
  let runA: string;
  let runB: string;

  async function text(path: string, prefix = "/api/2.0/mlflow"): Promise<string> {
    const response = await fetch(`${server.url}${prefix}/${path}`);
    return `${response.status} ${await response.text()}`;
  }

  beforeAll(async () => {
    server = await startTestServer({ backend });
    const db = server.ctx.meta.db;
    const experimentId = await createExperiment(db, { name: "wire" }, "mlflow-artifacts:/", 1);
    runA = (await createRun(db, { experiment_id: experimentId }, 1)).info.run_id;
    runB = (await createRun(db, { experiment_id: experimentId }, 1)).info.run_id;
    const values = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      1,
      -1.5,
      0.1 + 0.2,
      1e21,
      1e20,
      2 ** 60,
      2 ** 63,
      -(2 ** 62),
      1e-7,
      5e-324,
      Number.MAX_VALUE,
      -2.5e-10,
      123456789.123,
    ];
    await logBatch(db, runA, {
      metrics: values.map((value, i) => ({ key: "edge", value, timestamp: 1000 + (i % 4), step: i })),
    });
    await logBatch(db, runA, {
      metrics: [
        { key: "wide", value: 1, timestamp: MAX, step: MAX },
        { key: "wide", value: 2, timestamp: 2n ** 53n + 1n, step: -(2n ** 63n) },
        { key: "wide", value: 3, timestamp: 2 ** 53, step: 2 ** 62 },
        { key: "wide", value: 4, timestamp: 0, step: -1 },
        // Same time and step: value breaks the tie.
        { key: "wide", value: 0.5, timestamp: 0, step: -1 },
      ],
    });
    await logBatch(db, runA, {
      metrics: [{ key: "ünï/ mark.x-y_z:k", value: 7, timestamp: 5, step: 5 }],
    });
    await logBatch(db, runB, {
      metrics: Array.from({ length: 7 }, (_, i) => ({
        key: "edge",
        value: i / 3,
        timestamp: 50 - i,
        step: i,
      })),
    });
  });
  afterAll(async () => server.close());

  const history = (run: () => string, key: string, extra = "") =>
    `metrics/get-history?run_id=${run()}&metric_key=${encodeURIComponent(key)}${extra}`;

  it("writes every double and int64 spelling as before", async () => {
    const edge = await text(history(() => runA, "edge"));
    expect(edge.replaceAll(runA, "RUN")).toBe(
      '200 {"metrics":[{"key":"edge","value":"NaN","timestamp":1000,"step":0},{"key":"edge","value":0,"timestamp":1000,"step":4},{"key":"edge","value":1e+21,"timestamp":1000,"step":8},{"key":"edge","value":-4611686018427387904,"timestamp":1000,"step":12},{"key":"edge","value":-2.5e-10,"timestamp":1000,"step":16},{"key":"edge","value":1.7976931348623157e+308,"timestamp":1001,"step":1},{"key":"edge","value":1,"timestamp":1001,"step":5},{"key":"edge","value":100000000000000000000,"timestamp":1001,"step":9},{"key":"edge","value":1e-7,"timestamp":1001,"step":13},{"key":"edge","value":123456789.123,"timestamp":1001,"step":17},{"key":"edge","value":-1.7976931348623157e+308,"timestamp":1002,"step":2},{"key":"edge","value":-1.5,"timestamp":1002,"step":6},{"key":"edge","value":1152921504606846976,"timestamp":1002,"step":10},{"key":"edge","value":5e-324,"timestamp":1002,"step":14},{"key":"edge","value":0,"timestamp":1003,"step":3},{"key":"edge","value":0.30000000000000004,"timestamp":1003,"step":7},{"key":"edge","value":9223372036854776000,"timestamp":1003,"step":11},{"key":"edge","value":1.7976931348623157e+308,"timestamp":1003,"step":15}]}',
    );
    expect(await text(history(() => runA, "wide"))).toBe(
      '200 {"metrics":[{"key":"wide","value":0.5,"timestamp":0,"step":-1},{"key":"wide","value":4,"timestamp":0,"step":-1},{"key":"wide","value":3,"timestamp":9007199254740992,"step":4611686018427387904},{"key":"wide","value":2,"timestamp":9007199254740993,"step":-9223372036854775808},{"key":"wide","value":1,"timestamp":9223372036854775807,"step":9223372036854775807}]}',
    );
    expect(
      await text(
        history(() => runA, "ünï/ mark.x-y_z:k"),
        "/ajax-api/2.0/mlflow",
      ),
    ).toBe('200 {"metrics":[{"key":"ünï/ mark.x-y_z:k","value":7,"timestamp":5,"step":5}]}');
    expect(await text(history(() => runA, "absent"))).toBe("200 {}");
    expect(await text(history(() => "0".repeat(32), "edge"))).toBe("200 {}");
  });

  it("pages with MLflow's offset tokens (json.dumps spacing) and reads them as MLflow does", async () => {
    const pages: string[] = [];
    let token: string | undefined;
    do {
      const page = await text(
        history(() => runB, "edge", `&max_results=3${token === undefined ? "" : `&page_token=${token}`}`),
      );
      pages.push(page);
      token = (JSON.parse(page.slice(4)) as { next_page_token?: string }).next_page_token;
    } while (token !== undefined);
    expect(pages).toEqual([
      '200 {"metrics":[{"key":"edge","value":2,"timestamp":44,"step":6},{"key":"edge","value":1.6666666666666667,"timestamp":45,"step":5},{"key":"edge","value":1.3333333333333333,"timestamp":46,"step":4}],"next_page_token":"eyJvZmZzZXQiOiAzfQ=="}',
      '200 {"metrics":[{"key":"edge","value":1,"timestamp":47,"step":3},{"key":"edge","value":0.6666666666666666,"timestamp":48,"step":2},{"key":"edge","value":0.3333333333333333,"timestamp":49,"step":1}],"next_page_token":"eyJvZmZzZXQiOiA2fQ=="}',
      '200 {"metrics":[{"key":"edge","value":0,"timestamp":50,"step":0}]}',
    ]);
    expect(await text(history(() => runB, "edge", "&max_results=7"))).toBe(
      '200 {"metrics":[{"key":"edge","value":2,"timestamp":44,"step":6},{"key":"edge","value":1.6666666666666667,"timestamp":45,"step":5},{"key":"edge","value":1.3333333333333333,"timestamp":46,"step":4},{"key":"edge","value":1,"timestamp":47,"step":3},{"key":"edge","value":0.6666666666666666,"timestamp":48,"step":2},{"key":"edge","value":0.3333333333333333,"timestamp":49,"step":1},{"key":"edge","value":0,"timestamp":50,"step":0}]}',
    );
    expect(await text(history(() => runB, "edge", "&max_results=6"))).toBe(
      '200 {"metrics":[{"key":"edge","value":2,"timestamp":44,"step":6},{"key":"edge","value":1.6666666666666667,"timestamp":45,"step":5},{"key":"edge","value":1.3333333333333333,"timestamp":46,"step":4},{"key":"edge","value":1,"timestamp":47,"step":3},{"key":"edge","value":0.6666666666666666,"timestamp":48,"step":2},{"key":"edge","value":0.3333333333333333,"timestamp":49,"step":1}],"next_page_token":"eyJvZmZzZXQiOiA2fQ=="}',
    );
    expect(await text(history(() => runB, "edge", "&max_results=2&page_token=eyJvZmZzZXQiOjd9"))).toBe(
      "200 {}",
    );
    expect(await text(history(() => runB, "edge", "&max_results=0"))).toBe(
      '400 {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid value 0 for parameter \'max_results\' supplied. It must be a positive integer.", "sqlstate": "KAM00", "error_class": "INVALID_PARAMETER_VALUE"}',
    );
    // A negative offset reads from the start (SQLite's OFFSET) and the next token counts on from it.
    expect(await text(history(() => runB, "edge", "&max_results=2&page_token=eyJvZmZzZXQiOiAtMX0="))).toBe(
      '200 {"metrics":[{"key":"edge","value":2,"timestamp":44,"step":6},{"key":"edge","value":1.6666666666666667,"timestamp":45,"step":5}],"next_page_token":"eyJvZmZzZXQiOiAxfQ=="}',
    );
    expect(await text(history(() => runB, "edge", "&page_token=bad"))).toBe(
      '400 {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid page token, could not base64-decode", "sqlstate": "KAM00", "error_class": "INVALID_PARAMETER_VALUE"}',
    );
  });

  it("answers the points after a page token sent without max_results, as MLflow does", async () => {
    // SQLite refuses an OFFSET without a LIMIT; this answered a 500 there before the read cut the page itself.
    expect(await text(history(() => runB, "edge", "&page_token=eyJvZmZzZXQiOjV9"))).toBe(
      '200 {"metrics":[{"key":"edge","value":0.3333333333333333,"timestamp":49,"step":1},{"key":"edge","value":0,"timestamp":50,"step":0}]}',
    );
  });

  it("answers the bulk reads as before", async () => {
    const interval = await text(
      `metrics/get-history-bulk-interval?run_ids=${runA}&run_ids=${runB}&metric_key=edge&max_results=3`,
    );
    expect(interval.replaceAll(runA, "RUN_A").replaceAll(runB, "RUN_B")).toBe(
      '200 {"metrics":[{"key":"edge","value":"NaN","timestamp":1000,"step":0,"run_id":"RUN_A"},{"key":"edge","value":-1.5,"timestamp":1002,"step":6,"run_id":"RUN_A"},{"key":"edge","value":123456789.123,"timestamp":1001,"step":17,"run_id":"RUN_A"},{"key":"edge","value":0,"timestamp":50,"step":0,"run_id":"RUN_B"},{"key":"edge","value":1,"timestamp":47,"step":3,"run_id":"RUN_B"},{"key":"edge","value":2,"timestamp":44,"step":6,"run_id":"RUN_B"}]}',
    );
    const bulk = await text(
      `metrics/get-history-bulk?run_id=${runA}&run_id=${runB}&metric_key=wide`,
      "/ajax-api/2.0/mlflow",
    );
    expect(bulk.replaceAll(runA, "RUN_A")).toBe(
      '200 {"metrics":[{"key":"wide","value":0.5,"timestamp":0,"step":-1,"run_id":"RUN_A"},{"key":"wide","value":4,"timestamp":0,"step":-1,"run_id":"RUN_A"},{"key":"wide","value":3,"timestamp":9007199254740992,"step":4611686018427387904,"run_id":"RUN_A"},{"key":"wide","value":2,"timestamp":9007199254740993,"step":-9223372036854775808,"run_id":"RUN_A"},{"key":"wide","value":1,"timestamp":9223372036854775807,"step":9223372036854775807,"run_id":"RUN_A"}]}',
    );
  });
});
