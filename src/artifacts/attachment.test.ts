import { describe, expect, it } from "vitest";
import { attachmentHeaders, contentDisposition, guessContentType } from "./attachment.js";

describe("attachment headers", () => {
  it.each([
    ["model/MLmodel", "text/plain"],
    ["conda.yaml", "text/plain"],
    ["script.js", "text/plain"],
    ["report.html", "text/html"],
    ["plot.PNG", "image/png"],
    ["model.pkl", "application/octet-stream"],
    ["noextension", "application/octet-stream"],
  ])("guesses the type of %s from its name as %s", (path, type) => {
    expect(guessContentType(path)).toBe(type);
  });

  it("sends a plain file name as MLflow does", () => {
    expect(contentDisposition("a/b/model.pkl")).toBe("attachment; filename=model.pkl");
  });

  it("quotes and encodes a name with spaces, quotes or non-ASCII characters", () => {
    expect(contentDisposition('dir/my "file".txt')).toBe(
      `attachment; filename="my _file_.txt"; filename*=UTF-8''my%20%22file%22.txt`,
    );
    expect(contentDisposition("résumé.pdf")).toBe(
      `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
  });

  it("always marks downloads as attachments that must not be sniffed", () => {
    expect(attachmentHeaders("x.svg")).toEqual({
      "content-type": "image/svg+xml",
      "content-disposition": "attachment; filename=x.svg",
      "x-content-type-options": "nosniff",
    });
  });
});
