import { describe, expect, it } from "vitest";
import { filesFailedMessage, transferFailureLines } from "./transferFailureWording.js";

describe("transfer failure wording", () => {
  it("words an object the remote lacks as dvc-data's failed transfer, naming the remote's object path", () => {
    const lines = transferFailureLines([
      {
        oid: "3b5d5c3712955042212316173ccf37be",
        path: "out/b",
        reason: "is missing from remote 'r'",
        missing: true,
        location: "/srv/remote/files/md5/3b/5d5c3712955042212316173ccf37be",
      },
    ]);
    expect(lines).toEqual([
      "ERROR: failed to transfer '3b5d5c3712955042212316173ccf37be' - [Errno 2] No such file or directory: " +
        "'/srv/remote/files/md5/3b/5d5c3712955042212316173ccf37be'",
    ]);
  });

  it("prints no line for a manifest that failed with its files, and keeps our words for other failures", () => {
    const lines = transferFailureLines([
      { oid: "ab.dir", path: "d", reason: "did not transfer in full", incompleteDirectory: true },
      { oid: "cd", path: "foo", reason: "is corrupt in the local cache" },
    ]);
    expect(lines).toEqual(["ERROR: 'foo' (md5: cd) is corrupt in the local cache"]);
  });

  it("words every count in the plural, as dvc's FileTransferError", () => {
    expect(filesFailedMessage(1, "download")).toBe("1 files failed to download");
  });
});
