#!/usr/bin/env node
// authmock adapter (protocol v1): a single-page application built on `@auth0/auth0-spa-js`
// (package.json pins it), running unmodified in headless Chromium driven by `playwright-core`.
//
// The application is app.html plus the SDK's browser bundle from node_modules. It lives on the
// origin of the redirect_uri the harness gives (http://127.0.0.1:3000 for the fixture's
// "Single-page app"): Playwright answers that origin's requests with the page and the bundle, and
// every request to the tenant goes over the network, so the SDK's calls to /oauth/token are real
// cross-origin calls that need the tenant's CORS answers. Chromium is Debian's /usr/bin/chromium
// (AUTHMOCK_CHROMIUM overrides it), started on the first login operation.
//
// The five login operations:
// - auth0.begin_login: open the application, `loginWithRedirect` (its `openUrl` hook gives the
//   /authorize URL the SDK would navigate to, with its state, nonce and PKCE challenge).
// - auth0.begin_organization_login: the same, with `authorizationParams.organization` (and
//   `invitation`), the SDK's own parameters for a login through an organization.
// - auth0.complete_login: navigate the same tab to the callback URL, `handleRedirectCallback`,
//   then `getUser` and `getIdTokenClaims`; a thrown error is `accepted: false` with the SDK's
//   `error` code (or message). After a login through an organization the SDK itself checks the
//   ID token's `org_id`; the adapter reports it. The SDK keeps the refresh token in its private cache and has no
//   getter for it: the adapter reports the one the browser received from /oauth/token, read from
//   the response Chromium saw.
// - auth0.begin_step_up: the running application calls `loginWithRedirect` again with
//   `authorizationParams.acr_values`; its callback is accepted only when `getIdTokenClaims` shows
//   that `acr` and `amr` ["mfa"] (the SDK checks neither), and both are reported.
// - auth0.refresh_tokens: `getTokenSilently({cacheMode: "off"})`, which with `useRefreshTokens`
//   is a refresh_token grant. An `mfa_required` answer is the SDK's `MfaRequiredError`: the
//   adapter reports it with the SDK's own `mfa_token` and `mfa_requirements`.
// - auth0.verify_mfa_otp: the SDK's `mfa.verify({mfaToken, otp})` (the mfa-otp grant, with the
//   scope and audience the SDK kept from the refresh that raised MfaRequiredError).
// - auth0.get_userinfo: the application fetches /userinfo with the SDK's access token (the SDK
//   itself never calls /userinfo: `getUser` reads the ID token).
// - auth0.logout: `logout({logoutParams: {returnTo}})`, its `openUrl` hook giving the URL.
//
// When the SDK throws after an /oauth/token answer other than 2xx, the adapter reports that
// answer, status and body as the browser received them (the SDK's error drops the status).
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const { chromium } = require("playwright-core");
const sdkVersion = require("@auth0/auth0-spa-js/package.json").version;

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
const PAGE = fs.readFileSync(path.join(__dirname, "app.html"));
const BUNDLE = fs.readFileSync(require.resolve("@auth0/auth0-spa-js/dist/auth0-spa-js.production.js"));

/** The browser, its one tab, and what the application was configured with. */
class Session {
  constructor() {
    this.browser = null;
    this.page = null;
    this.config = null;
    this.tokenAnswers = [];
    // The acr_values of a step-up under way: its ID token must answer them.
    this.acr = undefined;
  }

  async open(config) {
    if (this.browser === null) {
      this.browser = await chromium.launch({
        executablePath: process.env.AUTHMOCK_CHROMIUM || "/usr/bin/chromium",
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", ...trustArgs(config)],
      });
      // The page is answered by Playwright, so Chromium's Local Network Access checks treat it as
      // a public page calling a loopback server, and would block the SDK's calls to the tenant
      // behind a permission prompt nobody answers in a headless browser: grant it, as the user of
      // an app on a local server would.
      const context = await this.browser.newContext({ permissions: ["local-network-access"] });
      this.page = await context.newPage();
      this.page.on("console", (m) => console.error(`[page ${m.type()}] ${m.text()}`));
      // Every answer of the tenant's token endpoint, as the browser received it.
      this.page.on("response", (response) => {
        if (response.url().split("?")[0] === `${this.config.base_url}/oauth/token` && response.request().method() === "POST") {
          this.tokenAnswers.push(
            response.text().then(
              (text) => ({ status: response.status(), body: parse(text) }),
              () => ({ status: response.status(), body: null }),
            ),
          );
        }
      });
    }
    if (this.config === null || this.config.redirect_uri !== config.redirect_uri) {
      const origin = new URL(config.redirect_uri).origin;
      await this.page.context().unrouteAll();
      await this.page.context().route(`${origin}/**`, (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === "/auth0-spa-js.production.js") {
          return route.fulfill({ status: 200, contentType: "text/javascript", body: BUNDLE });
        }
        return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: PAGE });
      });
    }
    this.config = config;
  }

  /** Loads the application at `url` and builds its Auth0Client. */
  async load(url) {
    await this.page.goto(url);
    await this.page.evaluate((config) => window.spa.init(config), this.config);
  }

  /** Calls window.spa[name](arg) in the page: {value} or {thrown}. */
  async call(name, arg) {
    this.tokenAnswers = [];
    return await this.page.evaluate(
      async ([name, arg]) => {
        try {
          return { value: await window.spa[name](arg) };
        } catch (e) {
          const thrown = { error: e.error, error_description: e.error_description, message: String(e.message || e) };
          if (e instanceof auth0.MfaRequiredError) {
            thrown.mfa_required = { mfa_token: e.mfa_token, mfa_requirements: e.mfa_requirements };
          }
          return { thrown };
        }
      },
      [name, arg],
    );
  }

  /** The last /oauth/token answer of the current call, if any. */
  async lastTokenAnswer() {
    const answers = await Promise.all(this.tokenAnswers);
    return answers.length ? answers[answers.length - 1] : null;
  }

  async close() {
    if (this.browser !== null) await this.browser.close();
  }
}

/**
 * Over TLS (`authmock test --tls`) the tenant's leaf certificate comes from a CA generated for the
 * run, whose PEM file the harness names in NODE_EXTRA_CA_CERTS. Chromium does not read that
 * variable; it is told to accept a chain that carries this CA's public key (the tenant sends
 * leaf and CA) through its own command-line switch, keyed by the SHA-256 of the CA's
 * SubjectPublicKeyInfo: only this run's CA is trusted, and neither the SDK nor the page changes.
 */
function trustArgs(config) {
  const caFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!config.base_url.startsWith("https://") || !caFile) return [];
  const ca = new crypto.X509Certificate(fs.readFileSync(caFile));
  const spki = ca.publicKey.export({ type: "spki", format: "der" });
  const pin = crypto.createHash("sha256").update(spki).digest("base64");
  return [`--ignore-certificate-errors-spki-list=${pin}`];
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The provider's refusal when the SDK threw after an /oauth/token error; null otherwise. */
async function providerError(session) {
  const answer = await session.lastTokenAnswer();
  return answer && (answer.status < 200 || answer.status > 299) ? answer : null;
}

async function run(session, provider, op, args) {
  switch (op) {
    case "auth0.begin_login":
    case "auth0.begin_organization_login": {
      await session.open({
        base_url: provider.base_url,
        client_id: args.client_id,
        redirect_uri: args.redirect_uri,
        scope: args.scope,
        audience: args.audience,
      });
      await session.load(new URL(args.redirect_uri).origin + "/");
      const extra = {};
      for (const optional of ["prompt", "organization", "invitation"]) if (args[optional]) extra[optional] = args[optional];
      session.acr = undefined;
      const out = await session.call("login", extra);
      if (out.thrown) throw new Error(`loginWithRedirect threw: ${JSON.stringify(out.thrown)}`);
      return { ok: true, result: { url: out.value } };
    }
    case "auth0.begin_step_up": {
      // The application is running (the user signed in): it asks for a second factor in place.
      if (session.config === null) throw new Error("begin_step_up before a login");
      session.acr = args.acr_values;
      const out = await session.call("login", { acr_values: args.acr_values });
      if (out.thrown) throw new Error(`loginWithRedirect threw: ${JSON.stringify(out.thrown)}`);
      return { ok: true, result: { url: out.value } };
    }
    case "auth0.complete_login": {
      if (session.config === null) throw new Error("complete_login before begin_login");
      await session.load(args.callback_url);
      const out = await session.call("callback", args.callback_url);
      if (out.thrown) {
        const refused = await providerError(session);
        if (refused) return { ok: false, error: refused };
        return { ok: true, result: { accepted: false, reason: out.thrown.error || out.thrown.message } };
      }
      const answer = await session.lastTokenAnswer();
      const claims = out.value.claims || {};
      // A step-up is trusted only when the ID token says the second factor happened.
      if (session.acr && (claims.acr !== session.acr || !(claims.amr || []).includes("mfa"))) {
        return { ok: true, result: { accepted: false, reason: "second_factor_not_performed" } };
      }
      const result = { accepted: true, sub: out.value.user.sub, email: out.value.user.email };
      for (const claim of ["acr", "amr", "org_id"]) if (claims[claim] !== undefined) result[claim] = claims[claim];
      if (answer && answer.body && answer.body.refresh_token) result.refresh_token = answer.body.refresh_token;
      if (answer && answer.body && answer.body.access_token) result.access_token = answer.body.access_token;
      return { ok: true, result };
    }
    case "auth0.refresh_tokens": {
      const out = await session.call("refresh");
      if (out.thrown) {
        const refused = await providerError(session);
        if (refused && out.thrown.mfa_required) {
          // The SDK's MfaRequiredError, as the application reads it: the status is the wire's
          // (the error has none), the body the SDK's fields.
          const { error, error_description } = out.thrown;
          return { ok: false, error: { status: refused.status, body: { error, error_description, ...out.thrown.mfa_required } } };
        }
        if (refused && refused.body && refused.body.error === "mfa_required") {
          throw new Error(`getTokenSilently met mfa_required but threw no MfaRequiredError: ${JSON.stringify(out.thrown)}`);
        }
        if (refused) return { ok: false, error: refused };
        throw new Error(`getTokenSilently threw without a provider error: ${JSON.stringify(out.thrown)}`);
      }
      const answer = await session.lastTokenAnswer();
      const result = { access_token: out.value.access_token };
      if (answer && answer.body && answer.body.refresh_token) result.refresh_token = answer.body.refresh_token;
      return { ok: true, result };
    }
    case "auth0.verify_mfa_otp": {
      const out = await session.call("verifyOtp", { mfaToken: args.mfa_token, otp: args.otp });
      if (out.thrown) {
        const refused = await providerError(session);
        if (refused) return { ok: false, error: refused };
        throw new Error(`mfa.verify threw without a provider error: ${JSON.stringify(out.thrown)}`);
      }
      return { ok: true, result: { access_token: out.value.access_token } };
    }
    case "auth0.get_userinfo": {
      const out = await session.call("userinfo", provider.base_url);
      if (out.thrown) throw new Error(`reading /userinfo threw: ${JSON.stringify(out.thrown)}`);
      const { status, body } = out.value;
      if (status < 200 || status > 299) return { ok: false, error: { status, body } };
      return { ok: true, result: body };
    }
    case "auth0.logout": {
      const out = await session.call("logout", args.return_to);
      if (out.thrown) throw new Error(`logout threw: ${JSON.stringify(out.thrown)}`);
      return { ok: true, result: { url: out.value } };
    }
    default:
      return { ok: false, unsupported: true };
  }
}

async function main() {
  const session = new Session();
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line);
    let out;
    if (msg.cmd === "start") {
      out = { ok: true, name: "auth0-spa-js (headless Chromium)", version: sdkVersion, operations: OPERATIONS };
    } else if (msg.cmd === "stop") {
      await session.close();
      process.exit(0);
    } else if (msg.cmd === "run") {
      try {
        out = { seq: msg.seq, ...(await run(session, msg.provider, msg.op, msg.args || {})) };
      } catch (e) {
        // Not the provider's answer: a broken page or browser. The scenario fails with this.
        console.error(e && e.stack ? e.stack : e);
        await session.close();
        process.exit(1);
      }
    } else {
      out = { ok: false, error: { status: 0, body: `unknown cmd ${msg.cmd}` } };
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
  await session.close();
}

main();
