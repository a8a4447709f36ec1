/**
 * A params file dvc refuses to read: its bytes are not UTF-8, or its text is not its format (YAML, JSON, TOML,
 * Python). FlowOps keeps its own message (file, line, reason) for commands that stop on it, such as repro; the
 * views that go on past it (`params diff`) need to know it for what it is, to say what dvc says instead.
 */
import { FlowOpsError } from "../errors.js";
import { corruptedFileError } from "./dataFileReadError.js";

export class ParamsFileReadError extends FlowOpsError {
  constructor(
    /** The file as the reader was given it: absolute for loadParamsFile, as named for parseParamsText. */
    readonly path: string,
    readonly problem: "encoding" | "corrupted",
    cause: FlowOpsError,
  ) {
    super(cause.code, cause.message, { cause });
  }

  /** dvc's `ParseError` message (`unable to read: '<named>', ...`), `named` being the file as dvc names it. */
  dvcMessage(named: string): string {
    if (this.problem === "encoding") return `unable to read: '${named}', is not valid utf-8`;
    return corruptedFileError(named, this.path).msg;
  }

  /** The class of dvc's error: `EncodingError`, or the loader's `<Kind>FileCorruptedError`. */
  dvcType(): string {
    return this.problem === "encoding" ? "EncodingError" : corruptedFileError(this.path).type;
  }

  /**
   * dvc's message for a command that stops on the file (`repro`): the `ParseError` message, then, where dvc
   * adds its parser's own account, FlowOps' line and reason instead (the file named once, as dvc names it).
   */
  dvcMessageWithDetail(named: string): string {
    const detail = this.message.startsWith(`${this.path}:`)
      ? this.message
          .slice(this.path.length + 1)
          .replace(/^(\d+): /, "line $1: ")
          .trimStart()
      : this.message;
    return `${this.dvcMessage(named)}: ${detail}`;
  }
}
