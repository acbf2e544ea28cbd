#!/usr/bin/env node
// authmock adapter (protocol v1) on `openid-client` 6.9.0 (package.json), the certified OpenID
// Connect relying party for Node, used through its public API only.
//
// The adapter is the web application; the harness is the user's browser. Per tenant and
// application it keeps what a web application keeps in its session:
//
// - `auth0.begin_login`: `discovery()` of the tenant's issuer, then `buildAuthorizationUrl()`
//   with `randomState()`, `randomNonce()` and a PKCE S256 challenge from
//   `randomPKCECodeVerifier()` / `calculatePKCECodeChallenge()`. The transaction (state, nonce,
//   verifier) is kept until one callback consumes it, as a session-backed application does.
// - `auth0.begin_organization_login`: the same, with Auth0's `organization` (and `invitation`)
//   among the authorization request's parameters, as the library passes any extra parameter.
// - `auth0.complete_login`: `authorizationCodeGrant()` with `expectedState`, `expectedNonce`
//   and `pkceCodeVerifier`: the library checks the callback's state, surfaces an `error` the
//   provider sent, redeems the code and validates the ID token (iss, aud, nonce, exp, iat).
//   After a login through an organization the application checks the ID token's `org_id` (or
//   `org_name`) names it, as Auth0 asks of applications whose library does not, and reports it.
// - `auth0.begin_step_up`: the same URL with `acr_values`; its callback's ID token must carry
//   that `acr` and `amr` ["mfa"] (the library checks neither: the application does), reported
//   with the login.
// - `auth0.refresh_tokens`: `refreshTokenGrant()`, keeping the rotated refresh token.
// - `auth0.verify_mfa_otp`: the refresh's `mfa_required` answered with the library's
//   `genericGrantRequest()` for the `mfa-otp` grant (an extension grant, RFC 6749 §4.5).
// - `auth0.get_userinfo`: `fetchUserInfo()` with the ID token's `sub` as the expected subject.
// - `auth0.logout`: `buildEndSessionUrl()` (RP-initiated logout at the discovered
//   `end_session_endpoint`) with `post_logout_redirect_uri`, `id_token_hint` and `client_id`.
//
// Transports: with --transport http (the default) the library gets its documented
// `allowInsecureRequests` execute option, without which it refuses a plain-http issuer; with
// --transport tls it is used as is and trusts the run's CA through NODE_EXTRA_CA_CERTS, which
// `authmock test --tls` sets.
//
// A refusal the library raised from the provider's answer (`ResponseBodyError`: a token or
// userinfo error) is reported as the provider's error, status and body intact. A refusal of the
// callback (`AuthorizationResponseError`: the provider sent `error=…`; a state, nonce or other
// ID token check failing) is the application rejecting the login: `{"accepted":false,"reason"}`.
// Anything else is a client failure: the stack goes to stderr and the adapter exits.
"use strict";

const readline = require("node:readline");
const client = require("openid-client");
const libraryVersion = require("openid-client/package.json").version;

const OPERATIONS = [
  "auth0.begin_login",
  "auth0.begin_organization_login",
  "auth0.complete_login",
  "auth0.begin_step_up",
  "auth0.refresh_tokens",
  "auth0.verify_mfa_otp",
  "auth0.get_userinfo",
  "auth0.logout",
];

const transport = process.argv.includes("--transport") ? process.argv[process.argv.indexOf("--transport") + 1] : "http";
if (transport !== "http" && transport !== "tls") {
  console.error(`--transport must be http or tls, not ${transport}`);
  process.exit(2);
}

/** The library's Configuration for one application of one tenant, from discovery. */
async function configuration(p, clientId, clientSecret) {
  const auth = clientSecret ? client.ClientSecretPost(clientSecret) : client.None();
  const options = transport === "http" ? { execute: [client.allowInsecureRequests] } : undefined;
  // The issuer is the tenant's base URL with its trailing slash; discovery checks the document's
  // `issuer` equals it.
  return client.discovery(new URL(`${p.base_url}/`), clientId, clientSecret ? { client_secret: clientSecret } : {}, auth, options);
}

/** What the application keeps for one tenant between operations. */
class Session {
  constructor(p) {
    this.p = p;
    this.config = undefined;
    this.pending = undefined;
    this.redirectUri = undefined;
    this.tokens = undefined;
    this.claims = undefined;
  }
}

const rejected = (reason) => ({ accepted: false, reason });

/** Whether the ID token names the organization the login went through: `org_id` for an id, else `org_name` (lower case). */
function namesOrganization(claims, organization) {
  return organization.startsWith("org_") ? claims.org_id === organization : claims.org_name === organization.toLowerCase();
}

async function run(s, op, args) {
  switch (op) {
    case "auth0.begin_login":
    case "auth0.begin_step_up":
    case "auth0.begin_organization_login": {
      s.config = await configuration(s.p, args.client_id || s.p.login_client_id, args.client_secret);
      const verifier = client.randomPKCECodeVerifier();
      s.pending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier,
        acr: args.acr_values,
        organization: args.organization,
      };
      s.redirectUri = args.redirect_uri;
      const params = {
        redirect_uri: args.redirect_uri,
        scope: args.scope || "openid profile email",
        state: s.pending.state,
        nonce: s.pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      };
      for (const optional of ["audience", "prompt", "acr_values", "organization", "invitation"]) {
        if (args[optional]) params[optional] = args[optional];
      }
      return { url: client.buildAuthorizationUrl(s.config, params).href };
    }
    case "auth0.complete_login": {
      const pending = s.pending;
      if (!pending) return rejected("no login in progress");
      // One callback consumes the transaction, whatever its outcome.
      s.pending = undefined;
      let tokens;
      try {
        tokens = await client.authorizationCodeGrant(s.config, new URL(args.callback_url), {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        if (err instanceof client.AuthorizationResponseError) return rejected(err.error);
        if (err instanceof client.ResponseBodyError) throw err;
        if (err?.code?.startsWith?.("OAUTH_")) return rejected(`${err.code}: ${err.message}`);
        throw err;
      }
      const claims = tokens.claims();
      // A step-up is trusted only when the ID token says the second factor happened.
      if (pending.acr && (claims.acr !== pending.acr || !(claims.amr || []).includes("mfa"))) {
        return rejected("second_factor_not_performed");
      }
      if (pending.organization !== undefined && !namesOrganization(claims, pending.organization)) {
        return rejected(`the ID token does not name the organization ${pending.organization}`);
      }
      s.tokens = tokens;
      s.claims = claims;
      const result = {
        accepted: true,
        sub: claims.sub,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
      };
      for (const claim of ["acr", "amr", "org_id"]) if (claims[claim] !== undefined) result[claim] = claims[claim];
      return result;
    }
    case "auth0.refresh_tokens": {
      if (!s.tokens?.refresh_token) throw new Error("no refresh token: log a user in with offline_access first");
      const tokens = await client.refreshTokenGrant(s.config, s.tokens.refresh_token);
      s.tokens = { ...s.tokens, ...tokens, refresh_token: tokens.refresh_token ?? s.tokens.refresh_token };
      return { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
    }
    case "auth0.verify_mfa_otp": {
      if (!s.config) throw new Error("no application: log a user in first");
      const tokens = await client.genericGrantRequest(s.config, "http://auth0.com/oauth/grant-type/mfa-otp", {
        mfa_token: args.mfa_token,
        otp: args.otp,
      });
      s.tokens = { ...s.tokens, ...tokens, refresh_token: tokens.refresh_token ?? s.tokens?.refresh_token };
      return { access_token: tokens.access_token };
    }
    case "auth0.get_userinfo":
      return await client.fetchUserInfo(s.config, s.tokens?.access_token ?? "", s.claims?.sub ?? client.skipSubjectCheck);
    case "auth0.logout": {
      const config = s.config ?? (await configuration(s.p, s.p.login_client_id));
      const params = { post_logout_redirect_uri: args.return_to, client_id: config.clientMetadata().client_id };
      if (s.tokens?.id_token) params.id_token_hint = s.tokens.id_token;
      const url = client.buildEndSessionUrl(config, params).href;
      s.tokens = undefined;
      s.claims = undefined;
      return { url };
    }
    default:
      return undefined;
  }
}

/** The provider's refusal the library raised, as protocol v1's {status, body}; undefined otherwise. */
function providerError(err) {
  if (err instanceof client.ResponseBodyError) return { status: err.status, body: err.cause };
  return undefined;
}

async function main() {
  const sessions = new Map();
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const msg = JSON.parse(line);
    let out;
    if (msg.cmd === "stop") break;
    if (msg.cmd === "start") {
      out = { ok: true, name: `openid-client (${transport})`, version: libraryVersion, operations: OPERATIONS };
    } else {
      const p = msg.provider;
      if (!sessions.has(p.base_url)) sessions.set(p.base_url, new Session(p));
      try {
        const result = await run(sessions.get(p.base_url), msg.op, msg.args);
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
