/**
 * The root fields of MLflow's GraphQL schema. Each calls the capability function its REST route calls and
 * returns the response message's fields in proto (snake_case) form for protoFieldResolver to read. MLflow's
 * resolvers parse `input` into the request proto and call the `*_impl` handler directly, skipping the
 * REST handler's own request checks; so do these, with MLflow's quirks kept where a client could see them.
 */
import type { GraphQLFieldResolver } from "graphql";
import { createArtifactLocator } from "../../artifacts/location.js";
import { assertSafeRelativePath } from "../../artifacts/pathSafety.js";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { searchModelVersions } from "../../registry/registrySearch.js";
import { searchDatasetSummaries } from "../../tracking/datasetSummaries.js";
import { getExperiment } from "../../tracking/experimentStore.js";
import { MAX_RUNS_PER_BULK_REQUEST } from "../../tracking/metricHistory.js";
import { getMetricHistoryBulkInterval } from "../../tracking/metricSampling.js";
import { readRuns } from "../../tracking/runReader.js";
import { getRun } from "../../tracking/runStore.js";
import { searchRuns } from "../../tracking/search/searchRuns.js";
import type { GraphqlContext } from "./graphqlContext.js";

type Input = Record<string, unknown>;
type RootResolver = GraphQLFieldResolver<unknown, GraphqlContext, Input>;

/** A graphene resolver method: `owner` is the Python class that declares it, named in its errors. */
function withInput(owner: string, field: string, resolve: (input: Input, ctx: GraphqlContext) => unknown) {
  const resolver: RootResolver = (_root, args, ctx) => {
    // graphene calls `resolve_x(self, info, input)` without `input` when the query leaves it out.
    if (!("input" in args)) {
      throw new Error(`${owner}.resolve_${field}() missing 1 required positional argument: 'input'`);
    }
    // `vars(None)` in the generated resolver.
    if (args.input === null) throw new Error("vars() argument must have __dict__ attribute");
    return resolve(args.input as Input, ctx);
  };
  return resolver;
}

/** A field of the input, null read as unset: protobuf's ParseDict skips a null field. */
function text(input: Input, field: string): string | undefined {
  const value = input[field];
  return typeof value === "string" ? value : undefined;
}

function texts(input: Input, field: string): string[] {
  const value = input[field];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function integer(input: Input, field: string): number | undefined {
  const value = input[field];
  if (typeof value === "bigint") return Number(value);
  return typeof value === "number" ? value : undefined;
}

const getExperimentResolver = (owner: string) =>
  withInput(owner, "mlflow_get_experiment", async (input, { server }) => ({
    // An unset id reads as the Default experiment's in MLflow's store.
    experiment: await getExperiment(server.meta.db, text(input, "experimentId") || "0"),
  }));

const getRunResolver = (owner: string) =>
  withInput(owner, "mlflow_get_run", async (input, { server }) => ({
    run: await getRun(server.meta.db, text(input, "runId") || text(input, "runUuid") || ""),
  }));

const searchRunsResolver = (owner: string) =>
  withInput(owner, "mlflow_search_runs", async (input, { server }) => {
    if (input.runViewType !== undefined && input.runViewType !== null) {
      // ParseDict is handed graphene's enum class rather than a value, so MLflow fails every such request.
      throw invalidParameter(
        "Failed to parse run_view_type field: int() argument must be a string, a bytes-like object or a " +
          "real number, not 'EnumMeta'.",
      );
    }
    const found = await searchRuns(server.meta, {
      experiment_ids: texts(input, "experimentIds"),
      filter: text(input, "filter"),
      max_results: integer(input, "maxResults"),
      order_by: texts(input, "orderBy"),
      page_token: text(input, "pageToken"),
    });
    return { runs: await readRuns(server.meta.db, found.runIds), next_page_token: found.nextPageToken };
  });

const metricHistoryResolver = (owner: string) =>
  withInput(owner, "mlflow_get_metric_history_bulk_interval", async (input, { server }) => {
    // MLflow's impl reads max_results, start_step and end_step from the HTTP query string, not from `input`,
    // and has none of the REST handler's limits on the number of runs: no runs is no points.
    const runIds = texts(input, "runIds");
    const metrics = [];
    for (let start = 0; start < runIds.length; start += MAX_RUNS_PER_BULK_REQUEST) {
      const batch = runIds.slice(start, start + MAX_RUNS_PER_BULK_REQUEST);
      metrics.push(
        ...(await getMetricHistoryBulkInterval(server.meta.db, batch, text(input, "metricKey") ?? "")),
      );
    }
    return { metrics };
  });

const listArtifactsResolver = (owner: string) =>
  withInput(owner, "mlflow_list_artifacts", async (input, { server }) => {
    const path = text(input, "path");
    const dir = path === undefined ? "" : safeArtifactPath(path);
    const run = await getRun(server.meta.db, text(input, "runId") || text(input, "runUuid") || "");
    const store = createArtifactLocator(server.config).open(run.info.artifact_uri);
    return { root_uri: run.info.artifact_uri, files: await store.list(dir) };
  });

/** MLflow's `validate_path_is_safe` says only this, whatever is wrong with the path. */
function safeArtifactPath(path: string): string {
  try {
    return assertSafeRelativePath(path);
  } catch (error) {
    if (error instanceof FlowOpsError) throw new FlowOpsError(error.code, "Invalid path", { cause: error });
    throw error;
  }
}

const searchModelVersionsResolver = (owner: string) =>
  withInput(owner, "mlflow_search_model_versions", async (input, { server }) => {
    const page = await searchModelVersions(server.meta, {
      filter: text(input, "filter"),
      max_results: integer(input, "maxResults"),
      order_by: texts(input, "orderBy"),
      page_token: text(input, "pageToken"),
    });
    return { model_versions: page.items, next_page_token: page.nextPageToken };
  });

const searchDatasetsResolver = (owner: string) =>
  withInput(owner, "mlflow_search_datasets", async (input, { server }) => ({
    dataset_summaries: await searchDatasetSummaries(server.meta.db, texts(input, "experimentIds")),
  }));

/** `test(inputString)`: graphene passes the argument positionally, so leaving it out is a TypeError. */
const echo: RootResolver = (_root, args) => {
  if (!("inputString" in args)) {
    throw new Error("Query.resolve_test() missing 1 required positional argument: 'input_string'");
  }
  return { output: args.inputString };
};

export const queryResolvers = {
  mlflowGetExperiment: getExperimentResolver("QueryType"),
  mlflowGetMetricHistoryBulkInterval: metricHistoryResolver("QueryType"),
  mlflowGetRun: getRunResolver("QueryType"),
  mlflowListArtifacts: listArtifactsResolver("QueryType"),
  mlflowSearchModelVersions: searchModelVersionsResolver("QueryType"),
  test: echo,
  mlflowSearchRuns: searchRunsResolver("Query"),
};

export const mutationResolvers = {
  mlflowSearchDatasets: searchDatasetsResolver("MutationType"),
  mlflowSearchRuns: searchRunsResolver("MutationType"),
  // MLflow names its resolver `resolve_test_mutation`, which graphene never finds for `testMutation`.
  testMutation: (() => null) as RootResolver,
};
