/**
 * The seam between serving (HTTP, batch predict) and the engines that run a model. Each runtime (ONNX in
 * worker threads, MLflow pyfunc in Python processes) returns a `LoadedModel`; shared code never asks which.
 */
import type { ModelSignature } from "./signature.js";
import type { Tensor, TensorSpec } from "./tensor.js";

export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  /** "onnx_onnxv1" | "mlflow_pyfunc" (KServe V2 metadata `platform`). */
  readonly platform: string;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly signature?: ModelSignature;
  /** The MLflow version running the model (a Python model's worker), for the scoring server's `/version`. */
  readonly mlflowVersion?: string;
  ready(): boolean;
  /**
   * Inputs already adapted (adaptInput); resolves with outputs; rejects with FlowOpsError
   * (TEMPORARILY_UNAVAILABLE when a worker crashed mid-request, INVALID_PARAMETER_VALUE for model-side input errors).
   */
  infer(
    inputs: Tensor[],
    options?: {
      outputs?: string[];
      params?: Record<string, unknown>;
      /** The params' source text (PredictRequest.paramsJson); a Python model's worker parses it as MLflow would. */
      paramsJson?: string;
      index?: unknown[];
      dataframe?: boolean;
      /** PredictRequest.missingAsNaN: a Python model's text columns get NaN for missing cells. */
      missingAsNaN?: boolean;
      /**
       * Called once when the call leaves the runtime's own queue (a busy worker process or thread) and starts
       * running; at once where nothing queues. The queue-time metric ends here, so every runtime must call it
       * unless the call fails before it starts.
       */
      onStart?: () => void;
    },
  ): Promise<Tensor[]>;
  close(): Promise<void>;
}
