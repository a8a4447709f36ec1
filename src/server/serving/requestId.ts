/**
 * Request ids: the client's `x-request-id` when it sends one, else a UUID; V2 infer answers with the body's
 * `id` when given (the spec makes the response echo it). Every response carries the id in `x-request-id`.
 */
import { randomUUID } from "node:crypto";
import type { FastifyReply } from "fastify";

export const REQUEST_ID_HEADER = "x-request-id";

export function newRequestId(): string {
  return randomUUID();
}

// Visible ASCII and spaces only, bounded: a body-supplied id must not be able to break the header block.
const HEADER_SAFE = /^[\x20-\x7e]{1,256}$/;

/** Sets the response's request id header, keeping the current one when `id` cannot be a header value. */
export function setRequestIdHeader(reply: FastifyReply, id: string): void {
  if (HEADER_SAFE.test(id)) void reply.header(REQUEST_ID_HEADER, id);
}
