/**
 * Regression: a CSV row longer than the header was refused in FlowOps' words ("Expected 1 fields in data row 1
 * (after the header), saw 2"), where pandas.read_csv (mlflow 3.17.2's parse_csv_input, pandas 3.1.1) refuses with
 * its tokenizer's message, which numbers lines as the tokenizer counts them: blank lines included, line breaks
 * inside quotes not.
 */
import { describe, expect, it } from "vitest";
import { frameFromCsv } from "./csvFrame.js";
import { thrownError } from "../../../test/support/thrownError.js";

const refusal = (csv: string) => thrownError(() => frameFromCsv(csv)).message.replace(/^.*Error: /s, "");

describe("frameFromCsv", () => {
  it("refuses longer rows with the tokenizer's message and line", () => {
    expect(refusal("x\n1\n2,3\n")).toBe(
      "'Error tokenizing data. C error: Expected 1 fields in line 3, saw 2\n'",
    );
    expect(refusal("x\n\n1\n2,3\n")).toMatch(/in line 4, saw 2/);
    expect(refusal('x\n"a\nb"\n2,3\n')).toMatch(/in line 3, saw 2/);
    expect(refusal("x\r\n1\r\n2,3\r\n")).toMatch(/in line 3, saw 2/);
    expect(refusal("x,y\n1,2\n3,4,5,6\n")).toMatch(/Expected 2 fields in line 3, saw 4/);
  });
});
