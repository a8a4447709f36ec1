/**
 * The fields graphql_schema_extensions.py adds to MLflow's generated types: a run's experiment and model
 * versions (one more read each, made only when a query asks for them), and a metric value that shows NaN
 * as null, since GraphQL's Float cannot carry it.
 */
import type { GraphQLFieldResolver } from "graphql";
import type { ModelVersion } from "../../registry/entities.js";
import { searchModelVersions } from "../../registry/registrySearch.js";
import type { Experiment, Metric, Run } from "../../tracking/entities.js";
import { getExperiment } from "../../tracking/experimentStore.js";
import type { GraphqlContext } from "./graphqlContext.js";

type Resolver<S, T> = GraphQLFieldResolver<S, GraphqlContext, Record<string, unknown>, Promise<T> | T>;

export const resolveRunExperiment: Resolver<Run, Experiment> = (run, _args, { server }) =>
  getExperiment(server.meta.db, run.info.experiment_id);

export const resolveRunModelVersions: Resolver<Run, ModelVersion[]> = async (run, _args, { server }) => {
  // The filter MLflow builds, quotes and all: a run id never holds a quote.
  const page = await searchModelVersions(server.meta, { filter: `run_id='${run.info.run_id}'` });
  return page.items;
};

export const resolveMetricValue: Resolver<Metric, number | null> = (metric) =>
  Number.isNaN(metric.value) ? null : metric.value;
