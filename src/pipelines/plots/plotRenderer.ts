/**
 * What dvc-render's renderers share (dvc_render/base.py): the shape `renderHtml` needs from a renderer, the
 * HTML id rule, and pathlib's idea of a file's suffix, which decides which renderer takes a plot file.
 */

/** A renderer as `renderHtml` uses it; `TYPE` is dvc-render's class constant ("vega", "image"). */
export interface PlotRenderer {
  readonly TYPE: string;
  /** Script tags the page needs once, however many plots of this type it shows. */
  readonly SCRIPTS: string;
  readonly name: string;
  /** The plot's element for the page; relative image sources are made relative to `htmlPath`'s folder. */
  generateHtml(htmlPath?: string): string;
}

const HTML_ID_SPECIAL_CHARACTERS = new Set("!@#$%^&*()[]{};,<>?\\/:.|`~=_+ ");

/** `Renderer.remove_special_chars`: the plot name as an HTML id, every listed character made `_`. */
export function removeSpecialChars(name: string): string {
  let id = "";
  for (const character of name) id += HTML_ID_SPECIAL_CHARACTERS.has(character) ? "_" : character;
  return id;
}

/** Python's `str.format` for the placeholders given, in one pass, so a value holding `{id}` stays as it is. */
export function formatPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => values[name] ?? match);
}

/**
 * pathlib's (POSIX) parse of a path into its root and parts: empty and `.` parts dropped, and a leading `//`
 * (but not `///`) kept as a root of its own.
 */
function pathlibParts(path: string): { root: string; parts: string[] } {
  const root = path.startsWith("//") && !path.startsWith("///") ? "//" : path.startsWith("/") ? "/" : "";
  return { root, parts: path.split("/").filter((part) => part !== "" && part !== ".") };
}

function pathlibFormat(root: string, parts: readonly string[]): string {
  return root + parts.join("/") || ".";
}

/** `PurePosixPath(path).name`. */
export function pathlibName(path: string): string {
  return pathlibParts(path).parts.at(-1) ?? "";
}

/** `PurePosixPath(path).suffix`: from the last dot of the name, unless the name starts or ends with it. */
export function pathlibSuffix(path: string): string {
  const name = pathlibName(path);
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot) : "";
}

/** `str(PurePosixPath(base) / path)`: an absolute `path` replaces `base`. */
export function pathlibJoin(base: string, path: string): string {
  const joined = path.startsWith("/") ? pathlibParts(path) : pathlibParts(base);
  if (!path.startsWith("/")) joined.parts.push(...pathlibParts(path).parts);
  return pathlibFormat(joined.root, joined.parts);
}

/** `str(PurePosixPath(path).with_suffix(suffix))`; like pathlib, refuses a path without a name. */
export function pathlibWithSuffix(path: string, suffix: string): string {
  const { root, parts } = pathlibParts(path);
  const name = parts.at(-1);
  if (name === undefined) throw new Error(`PosixPath('${pathlibFormat(root, parts)}') has an empty name`);
  const oldSuffix = pathlibSuffix(name);
  parts[parts.length - 1] = (oldSuffix === "" ? name : name.slice(0, -oldSuffix.length)) + suffix;
  return pathlibFormat(root, parts);
}
