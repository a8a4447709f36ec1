/**
 * Where an experiment's and a run's artifacts live, derived from the server's default artifact root. Only
 * joins URIs: it neither validates nor resolves them (the artifact layer does that when files move).
 */

/** `<root>/<experimentId>`, without doubling a slash the root already ends with (`mlflow-artifacts:/1`). */
export function experimentArtifactLocation(root: string, experimentId: string): string {
  return appendSegment(root, experimentId);
}

/** `<experiment location>/<runId>/artifacts`, as MLflow's SQL store builds a run's artifact_uri. */
export function runArtifactUri(experimentLocation: string, runId: string): string {
  return appendSegment(appendSegment(experimentLocation, runId), "artifacts");
}

// Only one slash is dropped, never more: `file:///` must stay `file:///1`, not `file:/1`.
function appendSegment(base: string, segment: string): string {
  return base.endsWith("/") ? `${base}${segment}` : `${base}/${segment}`;
}
