/**
 * How a field reads its value when it has no resolver of its own. MLflow's resolvers return protobuf
 * messages and graphene reads each field as the message's snake_case attribute, so an unset field reads as
 * its proto default ("" for a string, 0 for a number, an empty list or message), never null. FlowOps'
 * capability functions leave unset fields out, so the defaults are put back here from the field's type.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLString,
  isEnumType,
  isListType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
} from "graphql";
import { LongString } from "./longString.js";

/** `apiError` is graphene's own field, absent from every proto message, so it reads as null. */
const NOT_PROTO_FIELDS = new Set(["apiError"]);

/**
 * Defaults MLflow's entities fill in before the proto is built: an experiment of a server without
 * workspaces is in the "default" one.
 */
const ENTITY_DEFAULTS: Readonly<Record<string, unknown>> = { "MlflowExperiment.workspace": "default" };

export const protoFieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  if (typeof source !== "object" || source === null) return null;
  if (NOT_PROTO_FIELDS.has(info.fieldName)) return null;
  const value = (source as Record<string, unknown>)[snakeCase(info.fieldName)];
  if (value !== undefined && value !== null) return value;
  return ENTITY_DEFAULTS[`${info.parentType.name}.${info.fieldName}`] ?? protoDefault(info.returnType);
};

/** The Test fields' resolvers return a plain dict in MLflow, so an unset value stays null there. */
export const plainFieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) =>
  typeof source === "object" && source !== null
    ? ((source as Record<string, unknown>)[info.fieldName] ?? null)
    : null;

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function protoDefault(type: GraphQLOutputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [];
  if (isObjectType(nullable)) return {};
  // Proto enums default to 0, which MLflow's graphene enums (numbered from 1) cannot show: the field is
  // null with an error, as `deploymentJobState.jobState` of a version with no deployment job is there.
  if (isEnumType(nullable)) return 0;
  const named = getNamedType(nullable);
  if (named === GraphQLString) return "";
  if (named === GraphQLBoolean) return false;
  if (named === GraphQLFloat || named === GraphQLInt || named === LongString) return 0;
  return null;
}
