/**
 * The protocol-independent middle of every inference route: check readiness, adapt the parsed request to the
 * model's inputs, and run it through the model's batcher. Each protocol parses before and formats after.
 */
import { FlowOpsError } from "../../errors.js";
import type { InferOptions } from "../../serving/dynamicBatcher.js";
import type { ServedModel } from "../../serving/modelSet.js";
import { adaptInput } from "../../serving/payloads/adaptInput.js";
import type { PredictRequest } from "../../serving/payloads/modelInput.js";
import type { Tensor } from "../../serving/tensor.js";

export function predict(served: ServedModel, request: PredictRequest): Promise<Tensor[]> {
  const { model } = served;
  if (!model.ready()) {
    throw new FlowOpsError(
      "TEMPORARILY_UNAVAILABLE",
      `model '${model.name}' version '${model.version}' is not ready; retry when its ready endpoint answers 200`,
    );
  }
  const inputs = adaptInput(request.input, model.inputs, model.signature);
  const index = request.input.kind === "frame" ? request.input.index : undefined;
  if (
    request.outputs === undefined &&
    request.params === undefined &&
    index === undefined &&
    request.dataframe === undefined &&
    request.missingAsNaN === undefined
  )
    return served.runner.infer(inputs);
  const options: InferOptions = {};
  if (request.dataframe !== undefined) options.dataframe = request.dataframe;
  if (request.missingAsNaN !== undefined) options.missingAsNaN = request.missingAsNaN;
  if (index !== undefined) options.index = index;
  if (request.outputs !== undefined) options.outputs = request.outputs;
  if (request.params !== undefined) options.params = request.params;
  if (request.paramsJson !== undefined) options.paramsJson = request.paramsJson;
  return served.runner.infer(inputs, options);
}
