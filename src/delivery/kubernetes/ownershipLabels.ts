/**
 * Labels that mark an object as FlowOps' own, so a later apply can find what it rendered and adopt or prune
 * it, and never touch objects someone else manages under the same name.
 */
import { dnsLabel } from "./resourceNames.js";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "flowops";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const PART_OF_VALUE = "flowops-model";
export const ENDPOINT_LABEL = "flowops.dev/endpoint";
/** Selects the serving pods; Argo Rollouts adds its own pod-template-hash label on top for stable/canary. */
export const APP_LABEL = "app.kubernetes.io/name";

export function ownershipLabels(endpoint: string): Record<string, string> {
  return {
    [APP_LABEL]: dnsLabel(endpoint),
    [ENDPOINT_LABEL]: dnsLabel(endpoint),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [PART_OF_LABEL]: PART_OF_VALUE,
  };
}

export function podSelector(endpoint: string): Record<string, string> {
  return { [APP_LABEL]: dnsLabel(endpoint) };
}
