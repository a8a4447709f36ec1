/**
 * Regression: a Python model whose signature has nested columns (MLflow's array, object, map and any types, as
 * `infer_signature` gives chat models' `messages`) could not be loaded: the MLmodel's signature was refused.
 * MLflow's scoring server parses such a request as for any model and leaves the schema to the pyfunc's own
 * predict (`_enforce_schema`). Each body goes through FlowOps (readMlflowRequest -> predict -> mlflowResponse, or
 * the error it throws) and through the installed mlflow's `scoring_server.invocations` with the model's input
 * schema (or the MlflowException it raises, as its HTTP handler answers it), and a model that describes what it
 * is handed must answer both alike. Regressions: a body in MLflow's unified LLM form (`{"messages": ...}` without a
 * format key) was refused, where MLflow hands the model that dict and answers without `{"predictions": }`; and
 * `instances` records were cast as `inputs` columns, where MLflow casts each record (parse_instances_data).
 */
import { describe, expect, it } from "vitest";
import { declareScoringParity, describeModelPython } from "../../../test/support/mlflowScoringParity.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
const TIMEOUT = 120_000;

const DESCRIBE = describeModelPython({ frameDtypes: true });

const SAVE_MODELS = `
import json, sys
import mlflow.pyfunc
from mlflow.models import ModelSignature, infer_signature
from mlflow.types.schema import AnyType, Array, ColSpec, DataType, Map, Object, Property, Schema

${DESCRIBE}
chat = infer_signature({"messages": [{"role": "user", "content": "hi"}]}, ["x"])
mlflow.pyfunc.save_model(sys.argv[1] + "/chat", python_model=Describe(), signature=chat)
mixed = ModelSignature(inputs=Schema([
    ColSpec(Array(DataType.string), "tags"),
    ColSpec(Object([Property("k", DataType.long)]), "o"),
    ColSpec(Map(DataType.double), "m"),
    ColSpec(AnyType(), "x"),
    ColSpec(DataType.long, "n", required=False),
]))
mlflow.pyfunc.save_model(sys.argv[1] + "/mixed", python_model=Describe(), signature=mixed)
`;

type ModelName = "chat" | "mixed";
type Case = [model: ModelName, body: string];

const MIXED_RECORD = '{"tags": ["a", "b"], "o": {"k": 1}, "m": {"p": 1.5, "q": 2.5}, "x": [1, "y"], "n": 3}';
const MIXED_BAD_RECORD = '{"tags": ["a"], "o": {"k": 1}, "m": {"p": 2}, "x": 1}';
const MIXED_ROW = '[["a"], {"k": 2}, {"p": 0.5}, {"z": null}, 4]';
const MIXED_COLUMNS = '["tags", "o", "m", "x", "n"]';

/** Bodies as sent, whole floats (`2.0`) included: they must reach both servers as floats. */
const CASES: Record<string, Case> = {
  "chat dataframe_records": [
    "chat",
    '{"dataframe_records": [{"messages": [{"role": "user", "content": "hi"}]}]}',
  ],
  "chat dataframe_split": [
    "chat",
    '{"dataframe_split": {"columns": ["messages"], "data": [[[{"role": "user", "content": "hi"}, ' +
      '{"role": "assistant", "content": "yo"}]]]}}',
  ],
  "chat instances": ["chat", '{"instances": [{"messages": [{"role": "user", "content": "hi"}]}]}'],
  "chat inputs records": ["chat", '{"inputs": [{"messages": [{"role": "user", "content": "hi"}]}]}'],
  "chat inputs columns": ["chat", '{"inputs": {"messages": [[{"role": "user", "content": "hi"}]]}}'],
  "chat inputs as a single column value": [
    "chat",
    '{"inputs": {"messages": [{"role": "user", "content": "hi"}]}}',
  ],
  "chat message missing a required property": [
    "chat",
    '{"dataframe_records": [{"messages": [{"role": "user"}]}]}',
  ],
  "chat message of a number": [
    "chat",
    '{"dataframe_records": [{"messages": [{"role": "user", "content": 3}]}]}',
  ],
  "chat messages not a list": ["chat", '{"dataframe_records": [{"messages": "hi"}]}'],
  "chat missing the messages column": ["chat", '{"dataframe_records": [{"other": 1}]}'],
  "chat inputs missing the messages column": ["chat", '{"inputs": {"other": [1]}}'],
  "mixed dataframe_records": ["mixed", `{"dataframe_records": [${MIXED_RECORD}]}`],
  "mixed dataframe_records without the optional long": [
    "mixed",
    '{"dataframe_records": [{"tags": [], "o": {"k": 2.0}, "m": {}, "x": 1.5}]}',
  ],
  "mixed dataframe_split": [
    "mixed",
    `{"dataframe_split": {"columns": ${MIXED_COLUMNS}, "data": [${MIXED_ROW}]}}`,
  ],
  "mixed instances": ["mixed", `{"instances": [${MIXED_RECORD}, ${MIXED_RECORD}]}`],
  "mixed inputs records": ["mixed", `{"inputs": [${MIXED_RECORD}]}`],
  "mixed inputs columns": [
    "mixed",
    '{"inputs": {"tags": [["a"]], "o": [{"k": 1}], "m": [{"p": 1.0}], "x": [null], "n": [1]}}',
  ],
  "mixed inputs single values": [
    "mixed",
    '{"inputs": {"tags": ["a", "b"], "o": {"k": 1}, "m": {"p": 1.0}, "x": null, "n": 1}}',
  ],
  "mixed dataframe_records of a map of an integer": ["mixed", `{"dataframe_records": [${MIXED_BAD_RECORD}]}`],
  "mixed instances of a map of an integer": ["mixed", `{"instances": [${MIXED_BAD_RECORD}]}`],
  "mixed inputs records of a map of an integer": ["mixed", `{"inputs": [${MIXED_BAD_RECORD}]}`],
  "mixed object of a wrong property type": [
    "mixed",
    '{"dataframe_records": [{"tags": ["a"], "o": {"k": "one"}, "m": {"p": 1.5}, "x": 1}]}',
  ],
  "mixed map of text": [
    "mixed",
    '{"dataframe_records": [{"tags": ["a"], "o": {"k": 1}, "m": {"p": "x"}, "x": 1}]}',
  ],
  "mixed array of numbers": [
    "mixed",
    '{"dataframe_records": [{"tags": [1, 2], "o": {"k": 1}, "m": {}, "x": 1}]}',
  ],
  "chat unified messages": ["chat", '{"messages": [{"role": "user", "content": "hi"}]}'],
  "chat unified messages with other members": [
    "chat",
    '{"messages": [{"role": "user", "content": "hi"}], "temperature": 0.5, "params": {"a": 1.0}}',
  ],
  "chat unified message missing a required property": ["chat", '{"messages": [{"role": "user"}]}'],
  "chat unified messages not a list": ["chat", '{"messages": "hi"}'],
  "chat unified prompt": ["chat", '{"prompt": "hi"}'],
  // A format key beside them is one more member, which the schema leaves out (their order in MLflow's messages
  // is a set's, so the answer compared is a success).
  "chat unified messages beside a format key": [
    "chat",
    '{"inputs": {"messages": [[{"role": "user", "content": "no"}]]}, "messages": [{"role": "user", "content": "hi"}]}',
  ],
  "mixed unified record": ["mixed", '{"tags": ["a"], "o": {"k": 1}, "m": {"p": 1.5}, "x": 1, "prompt": "p"}'],
  "mixed long of a fraction": [
    "mixed",
    '{"dataframe_records": [{"tags": ["a"], "o": {"k": 1}, "m": {}, "x": 1, "n": 1.5}]}',
  ],
};

describe.skipIf(PY === undefined && !MLFLOW_PYTHON_REQUIRED)(
  "Python model with nested signature columns served as MLflow serves it",
  () => {
    const models = declareScoringParity({
      python: PY,
      folder: "flowops-mlflow-complex-signature-",
      saveModels: SAVE_MODELS,
      names: ["chat", "mixed"] as const,
      cases: CASES,
      title: (label) => `answers ${label} as mlflow's scoring server does`,
      timeout: TIMEOUT,
    });

    it("keeps the nested columns in the model's signature", () => {
      const signature = models.get("chat")?.signature;
      expect(signature?.kind === "columns" ? signature.inputs : undefined).toEqual([
        {
          name: "messages",
          type: "array",
          items: {
            type: "object",
            properties: {
              content: { type: "string", required: true },
              role: { type: "string", required: true },
            },
          },
          required: true,
        },
      ]);
    });
  },
);
