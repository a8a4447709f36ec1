/**
 * Set-up shared by the serving app's tests: fake models that sum each row of their input, V2 request bodies
 * for them, and serving apps that are closed after each test. Test-only; nothing in the product imports it.
 */
import { afterEach } from "vitest";
import type { LoadedModel } from "../../serving/runtime.js";
import type { Tensor } from "../../serving/tensor.js";
import { buildServingApp, type ServingApp, type ServingAppOptions } from "./servingApp.js";

export interface FakeModel extends LoadedModel {
  calls: number[][];
  log: string[];
}

/**
 * y = factor * sum(x) per row over a [-1, 2] FP64 input. `failWith` makes a call whose first value is 999
 * throw it; `gate` holds every call until it resolves (to keep a request in flight).
 */
export function rowSumModel(
  name: string,
  version: string,
  behaviour: {
    factor?: number;
    ready?: boolean;
    failWith?: unknown;
    gate?: Promise<void>;
    onCall?: () => void;
  } = {},
): FakeModel {
  const calls: number[][] = [];
  const log: string[] = [];
  const factor = behaviour.factor ?? 1;
  return {
    name,
    version,
    platform: "onnx_onnxv1",
    inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
    outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
    calls,
    log,
    ready: () => behaviour.ready ?? true,
    infer: async (inputs, options) => {
      // Nothing queues inside a fake: its call starts when it is made.
      options?.onStart?.();
      const x = inputs[0] as Tensor;
      const data = x.data as Float64Array;
      calls.push([...x.shape]);
      behaviour.onCall?.();
      if (behaviour.gate !== undefined) await behaviour.gate;
      if (behaviour.failWith !== undefined && data[0] === 999) throw behaviour.failWith;
      const rows = x.shape[0] as number;
      const y = new Float64Array(rows);
      for (let r = 0; r < rows; r++) y[r] = factor * ((data[2 * r] as number) + (data[2 * r + 1] as number));
      log.push("infer done");
      return [{ name: "y", datatype: "FP64", shape: [rows], data: y }];
    },
    close: async () => {
      log.push("closed");
    },
  };
}

export function v2Body(rows: number[][], id?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    inputs: [{ name: "x", datatype: "FP64", shape: [rows.length, 2], data: rows }],
  };
  if (id !== undefined) body.id = id;
  return body;
}

const apps: ServingApp[] = [];

/** Closes the apps each test served; call once per test file that uses `serve`. */
export function closeServingAppsAfterEach(): void {
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((serving) => serving.app.close()));
  });
}

export async function serve(
  models: LoadedModel[],
  options: Partial<ServingAppOptions> = {},
): Promise<ServingApp> {
  const serving = await buildServingApp({ models, logger: false, ...options });
  apps.push(serving);
  return serving;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
