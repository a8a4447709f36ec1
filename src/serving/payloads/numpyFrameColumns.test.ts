import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { adaptInput } from "./adaptInput.js";
import { frameFromParquet } from "./parquetFrame.js";
import { copyPredictRequest } from "./predictRequest.js";

const body = (): Buffer =>
  Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: "f", data: Float32Array.from([0.5, 2]), type: "FLOAT", nullable: false },
        { name: "nulls", data: [null, null], type: "DOUBLE" },
        { name: "s", data: ["1", null], type: "STRING" },
      ],
    }),
  );

describe("Parquet frames' numpy columns", () => {
  it("regression: hands a model without a signature FLOAT as float32 and an all-null column as NaN", async () => {
    const tensors = adaptInput(await frameFromParquet(body()), []);
    expect(
      tensors.map((t) => [t.name, t.datatype, Array.from(t.data as ArrayLike<unknown>), t.keepDtype]),
    ).toEqual([
      ["f", "FP32", [0.5, 2], true],
      ["nulls", "FP64", [NaN, NaN], true],
      ["s", "BYTES", ["1", ""], undefined],
    ]);
  });

  it("builds none for a model that types its inputs, whose signature casts the cells", async () => {
    const frame = await frameFromParquet(body(), { typedInputs: true });
    expect("numpyColumns" in frame).toBe(false);
  });

  it("survives the copy a shadow or comparison run gets", async () => {
    const input = await frameFromParquet(body());
    const copy = copyPredictRequest({ input, dataframe: true });
    expect(adaptInput(copy.input, [])).toEqual(adaptInput(input, []));
    expect(adaptInput(copy.input, [])[0]?.keepDtype).toBe(true);
  });
});
