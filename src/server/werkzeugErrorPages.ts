/**
 * The answers MLflow's tracking server gives a request no route takes. Its API is Flask under uvicorn, and
 * Flask answers with Werkzeug's own HTML pages (werkzeug/exceptions.py `NotFound`, `MethodNotAllowed`), not an
 * MLflow error body: `/api/2.0/mlflow/nope`, `/ajax-api/2.0/mlflow/nope` and `/nope` alike get the 404 page,
 * and a path that has a route under other methods (`GET /api/2.0/mlflow/experiments/create`) the 405 page with
 * those methods in `Allow`. Clients read the status: mlflow's `RestException` maps 404 to ENDPOINT_NOT_FOUND.
 */
import type { FastifyReply } from "fastify";

const HTML = "text/html; charset=utf-8";

/** Werkzeug's `HTTPException.get_body` for 404, to the byte (207 bytes). */
export const NOT_FOUND_PAGE =
  "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n" +
  "<p>The requested URL was not found on the server. If you entered the URL manually please check your " +
  "spelling and try again.</p>\n";

/** Werkzeug's `HTTPException.get_body` for 405, to the byte (153 bytes). */
export const METHOD_NOT_ALLOWED_PAGE =
  "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n" +
  "<p>The method is not allowed for the requested URL.</p>\n";

export function sendNotFoundPage(reply: FastifyReply): FastifyReply {
  return reply.code(404).type(HTML).send(NOT_FOUND_PAGE);
}

/**
 * `allow` lists the methods the path's routes take, HEAD and OPTIONS included (MLflow lists them in the order
 * of a Python set, which changes from one process to the next, so no client relies on it).
 */
export function sendMethodNotAllowedPage(reply: FastifyReply, allow: string): FastifyReply {
  return reply.code(405).type(HTML).header("allow", allow).send(METHOD_NOT_ALLOWED_PAGE);
}
