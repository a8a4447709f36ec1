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

  it("regression: hands FLOAT16 as FP16 bits and an all-null text column as pandas' str, as read_parquet", async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "h", data: [1.5, null, -0], type: "FLOAT16" },
        { name: "none", data: [null, null, null], type: "STRING" },
      ],
    });
    const tensors = adaptInput(await frameFromParquet(Buffer.from(bytes)), []);
    expect(tensors.map((t) => [t.name, t.datatype, Array.from(t.data as ArrayLike<unknown>)])).toEqual([
      ["h", "FP16", [0x3e00, 0x7e00, 0x8000]],
      ["none", "BYTES", ["", "", ""]],
    ]);
    expect(tensors[0]?.keepDtype).toBe(true);
    expect([tensors[1]?.nulls, tensors[1]?.pandasDtype]).toEqual([[0, 1, 2], { kind: "str" }]);
  });
});
