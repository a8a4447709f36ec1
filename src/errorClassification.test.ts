/**
 * The sqlstate and error_class MLflow 3.17 derives for each error code (mlflow/error_classification.py), and
 * the body FlowOpsError answers with: MLflow's `serialize_as_json` field order, fields it would leave None
 * left out.
 */
import { describe, expect, it } from "vitest";
import { classifyError, isErrorClass } from "./errorClassification.js";
import { ERROR_CODES, FlowOpsError } from "./errors.js";

describe("classifyError", () => {
  it("gives user errors KAM00 and system errors XXM00, as MlflowException derives them client side", () => {
    expect(classifyError("RESOURCE_DOES_NOT_EXIST")).toEqual({
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
    });
    expect(classifyError("RESOURCE_ALREADY_EXISTS")).toEqual({
      sqlstate: "KAM00",
      error_class: "RESOURCE_ALREADY_EXISTS",
    });
    expect(classifyError("BAD_REQUEST")).toEqual({
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
    });
    expect(classifyError("ENDPOINT_NOT_FOUND")).toEqual({
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
    });
    expect(classifyError("INTERNAL_ERROR")).toEqual({
      sqlstate: "XXM00",
      error_class: "CLIENT_INTERNAL_ERROR",
    });
    expect(classifyError("TEMPORARILY_UNAVAILABLE")).toEqual({
      sqlstate: "XXM00",
      error_class: "CLIENT_INTERNAL_ERROR",
    });
  });

  it("leaves both fields out for codes MLflow's client tables do not list, FlowOps' own codes included", () => {
    for (const code of [
      "NOT_IMPLEMENTED",
      "RESOURCE_CONFLICT",
      "ALREADY_EXISTS",
      "REQUEST_LIMIT_EXCEEDED",
      "RESOURCE_EXHAUSTED",
      "UNAUTHENTICATED",
      "DATA_LOSS",
      "DEADLINE_EXCEEDED",
      "CANCELLED",
      "ABORTED",
      "UNSUPPORTED_MEDIA_TYPE",
      "PAYLOAD_TOO_LARGE",
    ] as const) {
      expect(classifyError(code), code).toEqual({});
    }
  });

  it("takes a raise site's class and that class's own sqlstate, else the code's", () => {
    expect(classifyError("INVALID_PARAMETER_VALUE", "SCHEMA_ENFORCEMENT_FAILED")).toEqual({
      sqlstate: "KAM01",
      error_class: "SCHEMA_ENFORCEMENT_FAILED",
    });
    expect(classifyError("INVALID_PARAMETER_VALUE", "ATTRIBUTE_NOT_FOUND")).toEqual({
      sqlstate: "KAM04",
      error_class: "ATTRIBUTE_NOT_FOUND",
    });
    // No sqlstate of its own: the code's.
    expect(classifyError("INVALID_PARAMETER_VALUE", "FEATURE_DISABLED")).toEqual({
      sqlstate: "KAM00",
      error_class: "FEATURE_DISABLED",
    });
    // A class on a code MLflow does not list: the class is kept, and no sqlstate is derived.
    expect(classifyError("NOT_IMPLEMENTED", "FEATURE_DISABLED")).toEqual({ error_class: "FEATURE_DISABLED" });
  });

  it("knows every class of MLflow's client namespace and nothing else", () => {
    expect(isErrorClass("SCHEMA_ENFORCEMENT_FAILED")).toBe(true);
    expect(isErrorClass("CP_RESOURCE_NOT_FOUND")).toBe(false);
    expect(isErrorClass(undefined)).toBe(false);
  });
});

describe("FlowOpsError.toJSON", () => {
  it("answers MLflow's fields in serialize_as_json's order", () => {
    const body = new FlowOpsError("RESOURCE_DOES_NOT_EXIST", "Run with id=x not found").toJSON();
    expect(Object.keys(body)).toEqual(["error_code", "message", "sqlstate", "error_class"]);
    expect(JSON.stringify(new FlowOpsError("NOT_IMPLEMENTED", "no").toJSON())).toBe(
      '{"error_code":"NOT_IMPLEMENTED","message":"no"}',
    );
  });

  it("carries a raise site's class, and every code still serializes", () => {
    const error = new FlowOpsError("INVALID_PARAMETER_VALUE", "bad", {
      errorClass: "SCHEMA_ENFORCEMENT_FAILED",
    });
    expect(error.toJSON()).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "bad",
      sqlstate: "KAM01",
      error_class: "SCHEMA_ENFORCEMENT_FAILED",
    });
    for (const code of ERROR_CODES) expect(new FlowOpsError(code, "m").toJSON().error_code).toBe(code);
  });

  it("keeps a cause given with a class", () => {
    const cause = new Error("root");
    expect(
      new FlowOpsError("INTERNAL_ERROR", "x", { cause, errorClass: "CLIENT_INTERNAL_ERROR" }).cause,
    ).toBe(cause);
  });
});

describe("serving raise sites that pass a class", () => {
  it("classifies a schema enforcement failure as MLflow's pyfunc does (KAM01)", async () => {
    const { enforcementError } = await import("./serving/payloads/mlflowMissingInputs.js");
    const { predictionError } = await import("./serving/runtimes/pythonWire.js");
    const local = enforcementError(
      "   y\n0  1",
      [{ name: "x", type: "double" }] as never,
      "Model is missing inputs ['x'].",
    );
    expect(local.toJSON()).toMatchObject({ sqlstate: "KAM01", error_class: "SCHEMA_ENFORCEMENT_FAILED" });
    const fromWorker = predictionError({
      type: "MlflowException",
      message: "m",
      error_code: "INVALID_PARAMETER_VALUE",
      error_class: "SCHEMA_ENFORCEMENT_FAILED",
      mlflow_message: "Failed to predict data",
    });
    expect(fromWorker.toJSON()).toMatchObject({
      sqlstate: "KAM01",
      error_class: "SCHEMA_ENFORCEMENT_FAILED",
    });
    expect(predictionError({ type: "ValueError", message: "boom" }).toJSON()).toMatchObject({
      error_code: "BAD_REQUEST",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
    });
  });
});
