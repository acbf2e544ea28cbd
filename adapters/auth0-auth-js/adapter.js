#!/usr/bin/env node
// authmock adapter (protocol v1) on `@auth0/auth0-auth-js` 1.16.1 (package.json), the
// authentication client Auth0's README points new server-side JavaScript at, used unmodified
// through its public API.
//
// - auth0.login_with_password: `AuthClient.getTokenByPassword({username, password, realm})` as
//   the login application (`provider.login_client_id` and its secret). A `403 mfa_required` is
//   the SDK's `TokenByPasswordError`, narrowed with its `isMfaRequiredError`: its `cause` carries
//   the `mfa_token` and `mfa_requirements`.
// - auth0.verify_mfa_otp: the SDK's MFA client, `authClient.mfa.verify({mfaToken, factorType:
//   "otp", otp})` (the mfa-otp grant).
//
// The SDK discovers `https://<domain>/.well-known/openid-configuration` and checks its issuer, so
// it runs over TLS only (`authmock test --tls`), trusting the run's CA through
// NODE_EXTRA_CA_CERTS. It is a confidential-client library (every call needs a client secret or
// assertion key: `MissingClientAuthError` otherwise), so the browser-login scenarios, whose
// application is the public "Single-page app", are not for it; the Management API is another
// package's.
//
// Errors are reported as the SDK surfaced them: the HTTP status it captured (`statusCode`) and
// the body from its `cause` (`error`, `error_description`, and `mfa_token`, `mfa_requirements` for
// mfa_required). Anything else is a client failure: the stack goes to stderr and the adapter
// exits, which fails that one scenario.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const { AuthClient, isMfaRequiredError } = require("@auth0/auth0-auth-js");
// The package's `exports` do not list its package.json: read the installed one's version.
const sdkVersion = JSON.parse(
  fs.readFileSync(path.join(__dirname, "node_modules", "@auth0", "auth0-auth-js", "package.json"), "utf8"),
).version;

const OPERATIONS = ["auth0.login_with_password", "auth0.verify_mfa_otp"];

/** The SDK's client for the tenant's login application, built on first use. */
function authClient(sessions, p) {
  if (!sessions.has(p.base_url)) {
    const url = new URL(p.base_url);
    if (url.protocol !== "https:") throw new Error(`the SDK speaks https only; run with --tls (base_url ${p.base_url})`);
    sessions.set(p.base_url, new AuthClient({ domain: url.host, clientId: p.login_client_id, clientSecret: p.login_client_secret }));
  }
  return sessions.get(p.base_url);
}

async function run(client, p, op, args) {
  switch (op) {
    case "auth0.login_with_password":
      await client.getTokenByPassword({ username: args.email, password: args.password, realm: p.connection, scope: "openid" });
      return { logged_in: true };
    case "auth0.verify_mfa_otp": {
      const tokens = await client.mfa.verify({ mfaToken: args.mfa_token, factorType: "otp", otp: args.otp });
      return { access_token: tokens.accessToken };
    }
    default:
      return undefined;
  }
}

/** The provider's refusal the SDK raised, as protocol v1's {status, body}; undefined otherwise. */
function providerError(err) {
  const cause = err && err.cause;
  if (typeof err?.statusCode !== "number" || !cause || !cause.error) return undefined;
  const body = { error: cause.error, error_description: cause.error_description };
  if (isMfaRequiredError(err)) {
    body.mfa_token = err.cause.mfa_token;
    if (err.cause.mfa_requirements !== undefined) body.mfa_requirements = err.cause.mfa_requirements;
  }
  return { status: err.statusCode, body };
}

async function main() {
  const sessions = new Map();
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const msg = JSON.parse(line);
    let out;
    if (msg.cmd === "stop") break;
    if (msg.cmd === "start") {
      out = { ok: true, name: "auth0-auth-js (tls)", version: sdkVersion, operations: OPERATIONS };
    } else {
      try {
        const result = await run(authClient(sessions, msg.provider), msg.provider, msg.op, msg.args);
        out = result === undefined ? { seq: msg.seq, ok: false, unsupported: true } : { seq: msg.seq, ok: true, result };
      } catch (err) {
        const error = providerError(err);
        if (error === undefined) throw err;
        out = { seq: msg.seq, ok: false, error };
      }
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
