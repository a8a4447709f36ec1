/**
 * The errors of dvc's parsing module (dvc/parsing), `ParseError` and `ContextError`, before dvcYaml.ts turns
 * them into a `ResolveError` (pipelineResolveError.ts) naming the dvc.yaml.
 */

/** How a message names a file given by its absolute path (dvc: relative to the cwd). */
export type NameFile = (abs: string) => string;

/**
 * An error of dvc's parsing module, `ParseError` or `ContextError`: its reason, the files it names left to
 * `describe` (PipelineResolveError names them as dvc does); the message names them by absolute path.
 */
export class InterpolationError extends Error {
  override readonly name = "InterpolationError";
  /** What dvc puts after the colon of `failed to parse ...:`: a newline for its verbose errors. */
  readonly spacing: " " | "\n";
  /** dvc's own opening, e.g. `failed to resolve 'stages.s.foreach'`, instead of `failed to parse <where>`. */
  readonly preamble: string | undefined;
  private readonly reason: (name: NameFile) => string;

  constructor(
    reason: string | ((name: NameFile) => string),
    options: { spacing?: " " | "\n"; preamble?: string } = {},
  ) {
    const describe = typeof reason === "string" ? (): string => reason : reason;
    const text = describe((abs) => abs);
    super(options.preamble === undefined ? text : `${options.preamble}: ${text}`);
    this.reason = describe;
    this.spacing = options.spacing ?? " ";
    this.preamble = options.preamble;
  }

  describe(name: NameFile): string {
    return this.reason(name);
  }
}

/** dvc's ParseError, MergeError and VarsAlreadyLoaded, which it sets on a line of their own. */
export const VERBOSE = { spacing: "\n" } as const;
