/**
 * bin/flowops.js run as a command (its shell line, as `npx flowops` and PATH run it) defers
 * NODE_EXTRA_CA_CERTS past Node's start-up (bin/deferredCaCertificates.js): the bundle must still be trusted
 * by every TLS connection, and child processes must see the variable as the user set it.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { selfSignedCertificate } from "./support/webhookReceiver.js";

const binDir = resolve(import.meta.dirname, "..", "bin");
const bin = join(binDir, "flowops.js");
let work: string;
let bundle: string;
let server: Server;
let url: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "flowops-deferred-ca-"));
  const certificate = selfSignedCertificate();
  bundle = join(work, "extra-ca.pem");
  writeFileSync(bundle, certificate.cert);
  server = createServer(certificate, (_request, response) => {
    response.setHeader("content-length", "5");
    response.end("hello");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/file.txt`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(work, { recursive: true, force: true });
});

interface Finished {
  status: number | null;
  stderr: string;
}

// Asynchronous: the https server answers from this process, so it must not block on the child.
function flowops(args: string[], extraCaCerts: string | undefined, command = bin): Promise<Finished> {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.FLOWOPS_DEFERRED_CA_CERTS;
  if (extraCaCerts !== undefined) env.NODE_EXTRA_CA_CERTS = extraCaCerts;
  const [file, ...before] = command === bin ? [bin] : [process.execPath, bin];
  const child = spawn(file!, [...before, ...args], { cwd: work, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((done) => child.on("close", (status) => done({ status, stderr })));
}

describe("NODE_EXTRA_CA_CERTS deferred by the launcher", () => {
  it("still trusts the bundle's certificates over https (fetch)", async () => {
    const trusted = await flowops(["data", "get-url", url, "trusted.txt"], bundle);
    expect(trusted.status, trusted.stderr).toBe(0);
    expect(readFileSync(join(work, "trusted.txt"), "utf8")).toBe("hello");

    const untrusted = await flowops(["data", "get-url", url, "untrusted.txt"], undefined);
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toContain("fetch failed");
  });

  it("still trusts the bundle through node:https (the S3 client's agent) and explicit contexts", async () => {
    const script =
      `import { trustDeferredCaCertificates } from ${JSON.stringify(join(binDir, "deferredCaCertificates.js"))};\n` +
      "import https from 'node:https';\nimport tls from 'node:tls';\ntrustDeferredCaCertificates();\n" +
      "const get = (options) => new Promise((done) => https.get(process.argv[1], options, (r) => { r.resume();" +
      " done(String(r.statusCode)); }).on('error', (e) => done(e.code)));\n" +
      "const context = tls.createSecureContext({ minVersion: 'TLSv1.2' });\n" +
      "console.log([await get({}), await get({ agent: new https.Agent({ keepAlive: true }) })," +
      " await get({ secureContext: context }), await get({ ca: 'none' })].join(' '));\n";
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: "", FLOWOPS_DEFERRED_CA_CERTS: bundle },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    await new Promise((done) => child.on("close", done));
    // An explicit `ca` replaces the default store, bundle included, in Node and here.
    expect(stdout.trim()).toBe("200 200 200 DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("does not read the bundle for a command that opens no TLS connection", async () => {
    const missing = join(work, "missing.pem");
    // Node itself reads the variable at start-up and warns when the file is missing.
    const eager = await flowops(["--version"], missing, process.execPath);
    expect(eager.status).toBe(0);
    expect(eager.stderr).toContain("Ignoring extra certs");

    const deferred = await flowops(["--version"], missing);
    expect(deferred.status).toBe(0);
    expect(deferred.stderr).toBe("");
  });

  it("warns as Node does when a deferred bundle cannot be read at the first connection", async () => {
    const result = await flowops(["data", "get-url", url, "missing-bundle.txt"], join(work, "missing.pem"));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Ignoring extra certs from");
  });

  it("gives child processes the variable as the user set it", () => {
    const repo = join(work, "repo");
    expect(spawnSync("git", ["init", "-q", repo]).status).toBe(0);
    const init = spawnSync(bin, ["data", "init"], { cwd: repo, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    writeFileSync(
      join(repo, "dvc.yaml"),
      "stages:\n  env:\n    cmd: node -e \"require('fs').writeFileSync('env.json', JSON.stringify(process.env))\"\n" +
        "    outs:\n      - env.json\n",
    );
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: bundle };
    const repro = spawnSync(bin, ["repro", "--tracking-uri", ""], { cwd: repo, env, encoding: "utf8" });
    expect(repro.status, repro.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(join(repo, "env.json"), "utf8")) as Record<string, string>;
    expect(seen.NODE_EXTRA_CA_CERTS).toBe(bundle);
    expect(seen.FLOWOPS_DEFERRED_CA_CERTS).toBeUndefined();
  });
});
