import { describe, expect, it } from "vitest";
import { dvcErrorKind, markDvcError } from "../data/dvcErrorKind.js";
import { FlowOpsError } from "../errors.js";
import { TRANSFER_FAILED, withSummary } from "./transferFailure.js";

describe("withSummary", () => {
  it("puts dvc's summary before the message and keeps the code, the cause and the exit-code mark", () => {
    const original = markDvcError(
      new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "remote 'x' doesn't exist."),
      "config",
    );
    const wrapped = withSummary(TRANSFER_FAILED.push, original);
    expect(wrapped).toBeInstanceOf(FlowOpsError);
    expect(wrapped).toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "failed to push data to the cloud - remote 'x' doesn't exist.",
      cause: original,
    });
    expect(dvcErrorKind(wrapped)).toBe("config");
  });

  it("words a filesystem error by its path, as every command prints one", () => {
    const error = Object.assign(new Error("ENOTDIR: not a directory, mkdir '/dev/null/x'"), {
      code: "ENOTDIR",
      path: "/dev/null/x",
    });
    expect(withSummary(TRANSFER_FAILED.fetch, error)).toMatchObject({
      message: "failed to fetch data from the cloud - /dev/null/x: not a directory",
    });
  });

  it("leaves an error dvc reports as unexpected as it is", () => {
    const uncaught = markDvcError(new Error("ignored file in a collected directory"), "uncaught");
    expect(withSummary(TRANSFER_FAILED.pull, uncaught)).toBe(uncaught);
  });
});
