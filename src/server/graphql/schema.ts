/**
 * MLflow's GraphQL schema (graphql_schema_extensions.py's `schema`): the generated Query and Mutation root
 * fields plus the Test echo fields, and the `@component` directive the UI tags its operations with. MLflow
 * passes its own directive list, which replaces GraphQL's built-in ones, so `@include` and `@skip` are
 * unknown there; the same list here keeps that.
 */
import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLOutputType,
} from "graphql";
import type { GraphqlContext } from "./graphqlContext.js";
import {
  MlflowGetExperimentInput,
  MlflowGetExperimentResponse,
  MlflowGetMetricHistoryBulkIntervalInput,
  MlflowGetMetricHistoryBulkIntervalResponse,
  MlflowGetRunInput,
  MlflowGetRunResponse,
  MlflowListArtifactsInput,
  MlflowListArtifactsResponse,
  MlflowSearchDatasetsInput,
  MlflowSearchDatasetsResponse,
  MlflowSearchModelVersionsInput,
  MlflowSearchModelVersionsResponse,
  MlflowSearchRunsInput,
  MlflowSearchRunsResponse,
  Test,
  TestMutation,
} from "./mlflowTypes.js";
import { mutationResolvers, queryResolvers } from "./rootResolvers.js";

type RootField = GraphQLFieldConfig<unknown, GraphqlContext, Record<string, unknown>>;
type Resolve = GraphQLFieldResolver<unknown, GraphqlContext, Record<string, unknown>>;

const ComponentDirective = new GraphQLDirective({
  name: "component",
  locations: [DirectiveLocation.QUERY, DirectiveLocation.MUTATION],
  args: { name: { type: new GraphQLNonNull(GraphQLString) } },
});

function rpc(type: GraphQLOutputType, input: GraphQLInputType, resolve: Resolve): RootField {
  return { type, args: { input: { type: input } }, resolve };
}

function echo(type: GraphQLOutputType, resolve: Resolve): RootField {
  return {
    type,
    args: { inputString: { type: GraphQLString } },
    description: "Simple echoing field",
    resolve,
  };
}

const Query = new GraphQLObjectType<unknown, GraphqlContext>({
  name: "Query",
  fields: {
    mlflowGetExperiment: rpc(
      MlflowGetExperimentResponse,
      MlflowGetExperimentInput,
      queryResolvers.mlflowGetExperiment,
    ),
    mlflowGetMetricHistoryBulkInterval: rpc(
      MlflowGetMetricHistoryBulkIntervalResponse,
      MlflowGetMetricHistoryBulkIntervalInput,
      queryResolvers.mlflowGetMetricHistoryBulkInterval,
    ),
    mlflowGetRun: rpc(MlflowGetRunResponse, MlflowGetRunInput, queryResolvers.mlflowGetRun),
    mlflowListArtifacts: rpc(
      MlflowListArtifactsResponse,
      MlflowListArtifactsInput,
      queryResolvers.mlflowListArtifacts,
    ),
    mlflowSearchModelVersions: rpc(
      MlflowSearchModelVersionsResponse,
      MlflowSearchModelVersionsInput,
      queryResolvers.mlflowSearchModelVersions,
    ),
    test: echo(Test, queryResolvers.test),
    mlflowSearchRuns: rpc(MlflowSearchRunsResponse, MlflowSearchRunsInput, queryResolvers.mlflowSearchRuns),
  },
});

const Mutation = new GraphQLObjectType<unknown, GraphqlContext>({
  name: "Mutation",
  fields: {
    mlflowSearchDatasets: rpc(
      MlflowSearchDatasetsResponse,
      MlflowSearchDatasetsInput,
      mutationResolvers.mlflowSearchDatasets,
    ),
    mlflowSearchRuns: rpc(
      MlflowSearchRunsResponse,
      MlflowSearchRunsInput,
      mutationResolvers.mlflowSearchRuns,
    ),
    testMutation: echo(TestMutation, mutationResolvers.testMutation),
  },
});

export const mlflowGraphqlSchema = new GraphQLSchema({
  query: Query,
  mutation: Mutation,
  directives: [ComponentDirective],
});
