/**
 * A do-nothing HTTP server for calibrating the load generator: answers GET /ping and every POST with a small
 * fixed JSON body after reading the request. Its latency row is the floor the generator, loopback and Node's
 * HTTP stack put under every other row on this machine.
 *
 *   node bench/serving/echoServer.ts --port N   (run through tsx)
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "8080" } } });
const answer = Buffer.from('{"predictions":[0]}');

createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": answer.length });
    res.end(answer);
  });
}).listen(Number(values.port), "127.0.0.1");
