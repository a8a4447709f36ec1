/**
 * The request payloads of every serving protocol in one import: the shared request shape, the V2 (JSON and binary), V1 and
 * MLflow parsers and formatters, and adaptInput. Each lives in its own file; this module only gathers them.
 */
export { copyPredictRequest, UNNAMED_INPUT, type ModelInput, type PredictRequest } from "./predictRequest.js";
export {
  v2Request,
  v2Response,
  type BinaryOutputChoice,
  type V2InferResponse,
  type V2Request,
} from "./v2Payload.js";
export { mlflowJsonRequest, mlflowRequest, readMlflowRequest } from "./mlflowPayload.js";
export { mlflowResponse, mlflowResponseBody } from "./mlflowResponse.js";
export { castsObjectCells } from "./objectCells.js";
export { v1Request, v1Response, v1ResponseBody } from "./v1Payload.js";
export { adaptInput } from "./adaptInput.js";
export {
  BINARY_TENSOR_DATA_EXTENSION,
  INFERENCE_HEADER_CONTENT_LENGTH,
  V2BinaryBody,
  v2EncodedResponse,
  v2InferRequest,
  v2RequestId,
  type V2EncodedResponse,
} from "./v2Binary.js";
