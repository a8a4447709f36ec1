/**
 * The one request shape every serving protocol parses into (V2 infer, V1 predict, MLflow /invocations) and that
 * adaptInput turns into the model's runtime tensors. Protocol details stop at this boundary.
 */
import type { ModelSignature } from "../signature.js";
import type { Tensor } from "../tensor.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import type { DictFloats } from "./objectTensor.js";

export type ModelInput =
  /** V2 inputs, MLflow/V1 `inputs` (a dict of named tensors, or one unnamed tensor with name ""). */
  | {
      kind: "tensors";
      tensors: Tensor[];
      /**
       * MLflow: the body, for a Python model with scalar columns, held a JSON object or list in a cell, so it was
       * read as for a model without a signature; the worker casts it to the signature as MLflow does
       * (objectCells.ts).
       */
      schemaCast?: true;
      /**
       * MLflow: the tensors are the members of one JSON object (`inputs`, or `instances` given as an object),
       * which MLflow parses as a dict of arrays: a named signature ignores members it does not declare, an
       * un-named one refuses the dict. Other protocols name tensors for the model itself and leave it out.
       */
      mlflowDict?: true;
      /**
       * MLflow: the dict came as `instances`, whose members' lengths MLflow compares (`parse_instances_data`):
       * all of them without a signature, else only the required inputs that stay arrays after its cast.
       */
      instancesDict?: true;
      /**
       * MLflow: each tensor's leaves as the body sent them (see stringInputNumbers.ts), asked only for a tensor of
       * numbers or booleans that meets a string input, which MLflow's cast writes as Python's str of each.
       */
      sentLeaves?: (tensor: Tensor) => unknown[] | undefined;
      /**
       * MLflow: the refusal the body's integers beyond 64 bits got as it was read, held until adaptInput knows
       * the input they go to: a string input takes their text (stringInputNumbers.ts), any other the refusal.
       */
      beyondRefusal?: Error;
      /**
       * MLflow `inputs` and `instances`: the refusals numpy gives the body's values as MLflow's parsing casts them
       * to the signature's types (mlflowNumpyCasts.ts), which adaptInput runs before anything else; and the
       * tensors as cast where the cast changes values (text to a number, a fraction to an int), else undefined.
       */
      numpyCasts?: NumpyCasts;
    }
  /** dataframe_split/records, instances rows, CSV: one array of cells per row; columns undefined when unnamed. */
  | {
      kind: "frame";
      columns: string[] | undefined;
      rows: unknown[][];
      /** dataframe_split's `index`: a Python model's DataFrame gets it, as MLflow builds it with orient="split". */
      index?: unknown[];
      /**
       * How error messages number the first row: 0 for a request's rows (by default); `predict` gives the row's
       * 1-based number in its file, so a bad cell is named where it is, whichever batch it fell in.
       */
      firstRow?: number;
      /**
       * The rows came as one nested list (`instances: [[...], ...]`, or `inputs` rows mixing text with numbers),
       * which MLflow parses as one numpy array
       * (`parse_tf_serving_input`), not a DataFrame: a model that declares no inputs gets it as one tensor.
       */
      array?: boolean;
      /**
       * Whether the body wrote a whole number of column `column` (by position) as a float (`1.0`), which
       * JSON.parse reads as an integer: pandas makes that column float64, so a model that declares no inputs gets
       * FP64. Asked only for a column whose values alone would be integers (see jsonFloatLiterals.ts).
       */
      floatColumn?: (column: number) => boolean;
      /**
       * Whether the body wrote the cell at (row, column) as a whole float (`1.0`): asked only for a column a model
       * that declares no inputs takes as Python objects (text mixed with numbers), where 1.0 stays a float.
       */
      floatCell?: (row: number, column: number) => boolean;
      /**
       * Whether the body wrote `container[key]`, a whole number inside a cell's JSON object or list (or an
       * `instances` row), as a float: a model that declares no inputs gets such cells as json.loads made them.
       * Asked of the frame's own rows and cells, which copyPredictRequest therefore shares (see there).
       */
      floatMember?: DictFloats;
      /**
       * Where the text cells came from, which decides how a model that declares no inputs gets them: "csv" as
       * pandas.read_csv types text (numbers, and true/false in any letter case booleans); "json" as sent (a
       * JSON or Parquet string "1" stays text, as pandas keeps it; a batch file's JSON Lines or Parquet cells
       * arrive already typed as pandas reads them). Left out (a typed model's batch rows, cast by the
       * signature): numeric text is numbers, other text stays text.
       */
      textCells?: "csv" | "json";
      /**
       * By column, the rows whose record lacked that key (dataframe_records): pandas fills them with NaN, where a
       * null is None. The rows hold null there, which is what a model that declares its inputs gets.
       */
      absentKeys?: number[][];
      /**
       * The rows came as `instances` records, which MLflow turns into a dict of numpy arrays, one per key, each
       * `np.array` of the values' own `np.array` (so a column with a null holds 0-d arrays), not a DataFrame.
       */
      recordArrays?: boolean;
      /**
       * The rows came as `inputs` records, which MLflow hands a model without a signature as that list of dicts,
       * each value `np.array(value)` (0-d for a scalar), with each record's own keys: each record's values as
       * tensors, built only when asked, as a model that declares its inputs takes the frame's columns instead.
       */
      recordList?: () => Tensor[][];
      /** As for `tensors`: read untyped for the worker's schema cast. */
      schemaCast?: true;
      /**
       * MLflow `dataframe_split` / `dataframe_records` for a model run here (ONNX): a column bound for a string
       * input is written as pandas types it and onnxruntime writes it ('1.0' in a float64 column, see
       * stringInputNumbers.ts), not each cell's own text.
       */
      pandasText?: true;
      /**
       * MLflow `inputs` or `instances` rows or records for a model run here (ONNX): a null bound for a string
       * input is the text of numpy's None ('None'), a record's absent key pandas' NaN ('nan'), see
       * stringInputNumbers.ts.
       */
      pythonNulls?: true;
      /**
       * With pandasText or pythonNulls, under a column signature (or a DataFrame body without one): a list or
       * dict cell bound for a string input is the text of the Python object the model gets (listCellText.ts).
       */
      objectCellText?: true;
      /**
       * MLflow `inputs` and `instances`: the refusals numpy gives the body's values as MLflow's parsing casts them
       * to the signature's types (mlflowNumpyCasts.ts), which adaptInput runs before anything else; and the
       * rows as cast where the cast changes values (a fraction to an int), else undefined. CSV bodies use the
       * same hook for `pd.read_csv`'s typing by the signature's dtypes (csvColumnCasts.ts).
       */
      numpyCasts?: FrameNumpyCasts;
      /**
       * MLflow `dataframe_split` / `dataframe_records`: pandas types the columns, which MLflow's parsing then casts
       * to the signature's numeric types (pandasColumnCasts.ts) before anything else.
       */
      pandasCasts?: true;
    };

/**
 * An MLflow `inputs` or `instances` body as parsed (its one format key is `key`), and where it wrote whole numbers as
 * floats: MLflow's own checks see the Python values json.loads makes of it, not FlowOps' tensors. A named tensor
 * signature finds no input in a list of records (mlflowTensorSchemaLists.ts); the onnx flavor without a signature
 * feeds onnxruntime numpy's arrays of those values, whose dtype it must take as they are (onnxNumpyFeeds.ts).
 */
export interface MlflowSent {
  body: Record<string, unknown>;
  key: "inputs" | "instances";
  floats: FloatLiterals | undefined;
}

// Beside the input rather than in it: the parsed input stays the protocol-neutral shape every test and copy sees.
const mlflowBodies = new WeakMap<ModelInput, MlflowSent>();

/** Records the MLflow body the input was parsed from (mlflowPayload.ts). */
export function keepMlflowSent(input: ModelInput, sent: MlflowSent): void {
  mlflowBodies.set(input, sent);
}

/** The MLflow body an input was parsed from; undefined for other protocols and MLflow's other keys. */
export function mlflowSentOf(input: ModelInput): MlflowSent | undefined {
  return mlflowBodies.get(input);
}

/**
 * MLflow `inputs` and `instances`: throws the refusal numpy gives the body's values as MLflow's parsing casts them
 * to the signature's types; returns the tensors as cast where the cast changes values, else undefined.
 */
export type NumpyCasts = (
  signature: ModelSignature | undefined,
  tensors: readonly Tensor[],
) => Tensor[] | undefined;

/** NumpyCasts of rows: the frame's rows as cast, else undefined. */
export type FrameNumpyCasts = (signature: ModelSignature | undefined) => unknown[][] | undefined;

export interface PredictRequest {
  input: ModelInput;
  params?: Record<string, unknown>;
  /**
   * `params` as the body spelled it, when that says more than the parsed value (`5.0`, a float to Python, parses
   * as 5): a Python model is handed what json.loads makes of it, so MLflow's type checks see what they would.
   */
  paramsJson?: string;
  /** Output names the client asked for (V2 `outputs`); all outputs when absent. */
  outputs?: string[];
  id?: string;
  /**
   * MLflow: true when the body was a DataFrame (dataframe_split, dataframe_records, CSV), false for `instances`
   * and `inputs` (numpy arrays or a dict of them); other protocols leave it out. A model without a signature gets
   * the form the client sent, as MLflow passes it on, and flavors such as onnx answer a DataFrame differently.
   */
  dataframe?: boolean;
  /**
   * MLflow CSV bodies: a missing cell of a text column is NaN, as pandas.read_csv gives it, where a JSON null
   * reaches a Python model as None.
   */
  missingAsNaN?: boolean;
  /**
   * MLflow: the body had no format key but one of `messages`, `prompt` or `input` (its unified LLM form): its
   * members travel as tensors marked `llmMember`, and the answer is the predictions without `{"predictions": }`.
   */
  unifiedLlm?: true;
}

/** Name of the tensor a payload sends without one (MLflow/V1 `inputs: [...]`, `instances: [1, 2]`). */
export const UNNAMED_INPUT = "";

/**
 * A deep copy for a second model run (a shadow, a comparison, an observer): structuredClone, which cannot copy
 * a frame's `floatColumn`, `floatCell`, `floatMember` and `recordList` functions; those are shared, as they only
 * read the body it was parsed from (recordList builds new tensors at each call). So are the cells of a frame that
 * has floatMember, which finds the body's floats by the very objects and lists the body parsed into (nothing
 * writes into a cell); each row is a new list. So is `numpyCasts`, which only reads the body too,
 * and the MLflow body the input was parsed from (keepMlflowSent).
 */
export function copyPredictRequest(request: PredictRequest): PredictRequest {
  const copy = copyInput(request);
  const sent = mlflowSentOf(request.input);
  if (sent !== undefined) keepMlflowSent(copy.input, sent);
  return copy;
}

function copyInput(request: PredictRequest): PredictRequest {
  const { numpyCasts } = request.input;
  if (numpyCasts === undefined) return copyWithoutCasts(request);
  const { numpyCasts: _shared, ...input } = request.input;
  const copy = copyWithoutCasts({ ...request, input: input as ModelInput });
  return { ...copy, input: { ...copy.input, numpyCasts } as ModelInput };
}

function copyWithoutCasts(request: PredictRequest): PredictRequest {
  const { input, ...rest } = request;
  if (
    input.kind !== "frame" ||
    (input.floatColumn === undefined &&
      input.floatCell === undefined &&
      input.floatMember === undefined &&
      input.recordList === undefined)
  ) {
    return structuredClone(request);
  }
  const { floatColumn, floatCell, floatMember, recordList, rows, ...cloneable } = input;
  const copy = structuredClone({ ...rest, input: { ...cloneable, rows: floatMember ? [] : rows } });
  const readers = {
    ...(floatColumn && { floatColumn }),
    ...(floatCell && { floatCell }),
    ...(floatMember && { floatMember }),
    ...(recordList && { recordList }),
  };
  const copiedRows = floatMember ? rows.map((row) => row.slice()) : copy.input.rows;
  return { ...copy, input: { ...copy.input, rows: copiedRows, ...readers } };
}
