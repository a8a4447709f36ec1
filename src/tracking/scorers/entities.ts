/**
 * Registered scorers as the store returns them and as MLflow's wire spells them. Two spellings exist: the
 * `Scorer` message (list, versions, get) carries `experiment_id` as a number and `scorer_name`, while
 * RegisterScorer's answer carries `experiment_id` as a string and `name`, as mlflow 3.17.2 answers.
 */

export interface ScorerVersion {
  experimentId: string;
  scorerId: string;
  name: string;
  version: number;
  serializedScorer: string;
  creationTime: number;
}

export interface OnlineScoringConfig {
  onlineScoringConfigId: string;
  scorerId: string;
  sampleRate: number;
  experimentId: string;
  filterString: string | undefined;
}

/** The `Scorer` message of ListScorers, ListScorerVersions and GetScorer. */
export function toScorerWire(s: ScorerVersion) {
  return {
    experiment_id: Number(s.experimentId),
    scorer_name: s.name,
    scorer_version: s.version,
    serialized_scorer: s.serializedScorer,
    creation_time: s.creationTime,
    scorer_id: s.scorerId,
  };
}

/** RegisterScorer's answer. */
export function toRegisteredScorerWire(s: ScorerVersion) {
  return {
    version: s.version,
    scorer_id: s.scorerId,
    experiment_id: s.experimentId,
    name: s.name,
    serialized_scorer: s.serializedScorer,
    creation_time: s.creationTime,
  };
}

/** mlflow's `OnlineScoringConfig.to_dict`: plain JSON, `filter_string` only when set. */
export function toOnlineScoringConfigWire(c: OnlineScoringConfig) {
  return {
    online_scoring_config_id: c.onlineScoringConfigId,
    scorer_id: c.scorerId,
    sample_rate: c.sampleRate,
    experiment_id: c.experimentId,
    ...(c.filterString === undefined ? {} : { filter_string: c.filterString }),
  };
}
