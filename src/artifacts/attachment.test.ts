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

  it("quotes an ASCII name as werkzeug's quote_header_value, with no filename*", () => {
    expect(contentDisposition('dir/my "file".txt')).toBe(`attachment; filename="my \\"file\\".txt"`);
    expect(contentDisposition("a\\b.txt")).toBe(`attachment; filename="a\\\\b.txt"`);
    expect(contentDisposition("a b.txt")).toBe(`attachment; filename="a b.txt"`);
  });

  it("falls back to the NFKD name stripped to ASCII beside the UTF-8 name, as MLflow 3.17", () => {
    expect(contentDisposition("résumé.pdf")).toBe(
      `attachment; filename=resume.pdf; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
    expect(contentDisposition("a b é.json")).toBe(
      `attachment; filename="a b e.json"; filename*=UTF-8''a%20b%20%C3%A9.json`,
    );
    expect(contentDisposition("ﬁle½.txt")).toBe(
      `attachment; filename=file12.txt; filename*=UTF-8''%EF%AC%81le%C2%BD.txt`,
    );
    expect(contentDisposition("日本語")).toBe(
      `attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E`,
    );
  });

  it("never lets a control character into the header", () => {
    expect(contentDisposition("a\nb.txt")).toBe(`attachment; filename="a_b.txt"`);
  });

  it("always marks downloads as attachments that must not be sniffed", () => {
    expect(attachmentHeaders("x.svg")).toEqual({
      "content-type": "image/svg+xml",
      "content-disposition": "attachment; filename=x.svg",
      "x-content-type-options": "nosniff",
    });
  });
});
