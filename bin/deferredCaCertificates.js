// Trusts the certificates of NODE_EXTRA_CA_CERTS without paying for them at start-up. Node 20 reads and parses
// that bundle before any JavaScript runs, on every start, whether or not the command opens a TLS connection:
// 30-40 ms with a 144-certificate system bundle, a third of an unchanged `data status`. The launcher's shell
// line (bin/flowops.js) moves the variable to FLOWOPS_DEFERRED_CA_CERTS before Node starts; this module puts
// it back for child processes and makes every TLS context that would have trusted the bundle trust it, built
// on the first connection instead. Worker threads open no connections (they hash, read local tables, score).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const DEFERRED = "FLOWOPS_DEFERRED_CA_CERTS";

// Options that make tls.createSecureContext build a context of its own; without any of them every default
// context is the same, so one shared context serves all connections (adding the bundle to one parses all its certificates: ~20 ms for 144).
const CONTEXT_OPTIONS = [
  "allowPartialTrustChain",
  "cert",
  "ciphers",
  "clientCertEngine",
  "crl",
  "dhparam",
  "ecdhCurve",
  "honorCipherOrder",
  "key",
  "maxVersion",
  "minVersion",
  "passphrase",
  "pfx",
  "privateKeyEngine",
  "privateKeyIdentifier",
  "secureOptions",
  "secureProtocol",
  "sessionIdContext",
  "sessionTimeout",
  "sigalgs",
  "ticketKeys",
];

/** Call first thing in the launcher; does nothing unless the launcher's shell line deferred a bundle. */
export function trustDeferredCaCertificates() {
  const file = process.env[DEFERRED];
  delete process.env[DEFERRED];
  if (file === undefined || file === "") return;
  process.env.NODE_EXTRA_CA_CERTS = file;
  const tls = createRequire(import.meta.url)("node:tls");
  const createSecureContext = tls.createSecureContext;
  let bundle;
  let shared;
  // Onto the store the context would trust without the bundle (Node's roots, or OpenSSL's with
  // --use-openssl-ca), as Node adds it at start-up; an explicit `ca` replaces both, in Node and here.
  const withBundle = (context) => {
    bundle ??= readBundle(file);
    if (bundle !== "") context.context.addCACert(bundle);
    return context;
  };
  // _tls_wrap's connect, https and fetch (undici) all build their contexts through this export.
  tls.createSecureContext = function createTrustingSecureContext(options) {
    if (options?.ca !== undefined) return createSecureContext(options);
    if (options === undefined || CONTEXT_OPTIONS.every((name) => options[name] === undefined)) {
      shared ??= withBundle(createSecureContext());
      return shared;
    }
    return withBundle(createSecureContext(options));
  };
}

// As Node does with a bundle it cannot load: warn once, go on with the built-in roots.
function readBundle(file) {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${error.message}`);
    return "";
  }
}
