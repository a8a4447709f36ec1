/** MLflow's ViewType as the lifecycle stages a search keeps; ACTIVE_ONLY is the default. */
import type { LifecycleStage, ViewType } from "../entities.js";

export function lifecycleStagesFor(viewType: ViewType | undefined): LifecycleStage[] {
  switch (viewType ?? "ACTIVE_ONLY") {
    case "ACTIVE_ONLY":
      return ["active"];
    case "DELETED_ONLY":
      return ["deleted"];
    case "ALL":
      return ["active", "deleted"];
  }
}
