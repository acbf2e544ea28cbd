// authmock from Node: start the bundled binary and talk to its control API (docs/control-api.md).
//
//   const { start } = require("authmock");      // or: import { start } from "authmock"
//   const mock = await start();                  // `authmock serve --port 0`
//   mock.baseUrl, mock.issuer, mock.tenant.clients, await mock.control.fault({ path: "/oauth/token", error: "auth0.rate_limited" })
//   await mock.stop();
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");

/** This platform's binary: $AUTHMOCK_BINARY, the @authmock/<os>-<cpu> package, or the one bundled. */
function binaryPath() {
  if (process.env.AUTHMOCK_BINARY) return process.env.AUTHMOCK_BINARY;
  const platform = `${process.platform}-${process.arch}`;
  const exe = process.platform === "win32" ? "authmock.exe" : "authmock";
  try {
    return require.resolve(`@authmock/${platform}/bin/${exe}`);
  } catch {
    // Not installed from a registry: a local tarball bundles the binary under vendor/.
  }
  const bundled = path.join(__dirname, "vendor", platform, exe);
  if (fs.existsSync(bundled)) return bundled;
  throw new Error(
    `authmock: no binary for ${platform} (neither @authmock/${platform} nor ${bundled}); set AUTHMOCK_BINARY`,
  );
}

class AuthmockError extends Error {
  constructor(message, status, body) {
    super(message);
    this.name = "AuthmockError";
    this.status = status;
    this.body = body;
  }
}

async function call(baseUrl, method, route, { body, query, token } = {}) {
  const url = new URL(baseUrl + route);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new AuthmockError(`${method} ${route} answered ${response.status}: ${text}`, response.status, text);
  }
  return text ? JSON.parse(text) : null;
}

/** Small helpers over one listener's control API, `/__authmock__/…`. */
class Control {
  constructor(baseUrl, adminToken) {
    this.baseUrl = baseUrl;
    this.adminToken = adminToken;
  }
  request(method, route, body, query) {
    return call(this.baseUrl, method, `/__authmock__/${route.replace(/^\//, "")}`, {
      body,
      query,
      token: this.adminToken,
    });
  }
  tenant() { return this.request("GET", "tenant"); }
  health() { return this.request("GET", "health"); }
  reset() { return this.request("POST", "reset"); }
  fault(rule) { return this.request("POST", "faults", rule); }
  faults() { return this.request("GET", "faults"); }
  clearFaults(id) { return this.request("DELETE", id === undefined ? "faults" : `faults/${id}`); }
  clock() { return this.request("GET", "clock"); }
  advanceClock(seconds) { return this.request("POST", "clock", { advance_secs: seconds }); }
  setClock(rfc3339) { return this.request("POST", "clock", { set: rfc3339 }); }
  systemClock() { return this.request("POST", "clock", { mode: "system" }); }
  outbox(query) { return this.request("GET", "outbox", undefined, query); }
  latestMail() { return this.request("GET", "outbox/latest"); }
  clearOutbox() { return this.request("DELETE", "outbox"); }
  journal(filters) { return this.request("GET", "journal", undefined, filters); }
  clearJournal() { return this.request("DELETE", "journal"); }
}

/** One listener (an Auth0 tenant or a Janrain app) as the API hands it out. */
function listener(summary, adminToken, close) {
  const baseUrl = summary.base_url.replace(/\/$/, "");
  return {
    id: summary.id,
    provider: summary.provider,
    baseUrl,
    issuer: summary.issuer ?? null,
    tenant: summary,
    control: new Control(baseUrl, adminToken),
    async managementToken() {
      const audience = summary.audience;
      const scopes = (c) =>
        Math.max(0, ...(c.grants ?? []).filter((g) => g.audience === audience).map((g) => g.scopes.length));
      const app = (summary.clients ?? [])
        .filter((c) => c.client_secret && scopes(c) > 0)
        .sort((a, b) => scopes(b) - scopes(a))[0];
      if (!app) throw new AuthmockError("no seeded application may call the Management API");
      const answer = await call(baseUrl, "POST", "/oauth/token", {
        body: {
          grant_type: "client_credentials",
          client_id: app.client_id,
          client_secret: app.client_secret,
          audience,
        },
      });
      return answer.access_token;
    },
    stop: close,
  };
}

/**
 * Starts `authmock serve` on free loopback ports and resolves once it answers its health check.
 * Options: port (0), fixture, janrainFixture, args (more serve flags), binary, adminToken,
 * startupTimeoutMs (30000).
 */
async function start(options = {}) {
  const args = ["serve", "--json", "--port", String(options.port ?? 0)];
  if (options.fixture) args.push("--fixture", options.fixture);
  if (options.janrainFixture) args.push("--janrain-fixture", options.janrainFixture);
  if (options.adminToken) args.push("--admin-token", options.adminToken);
  args.push(...(options.args ?? []));
  const child = spawn(options.binary ?? binaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const killOnExit = () => child.kill();
  process.on("exit", killOnExit);
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 8192) stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.pid === undefined) return; // never started (no such binary): no exit to wait for
    child.ref();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  // `serve --json` prints one summary line per listener once both accept connections.
  const summaries = await new Promise((resolve, reject) => {
    const lines = [];
    const timer = setTimeout(() => fail("no summary in time"), options.startupTimeoutMs ?? 30000);
    const fail = (why) => {
      clearTimeout(timer);
      stop().then(() => reject(new AuthmockError(`authmock serve did not start: ${stderr.trim() || why}`)));
    };
    const onError = (error) => fail(error.message);
    const onExit = () => fail("it exited");
    child.once("error", onError);
    child.once("exit", onExit);
    const reader = readline.createInterface({ input: child.stdout });
    reader.on("line", (line) => {
      try {
        lines.push(JSON.parse(line));
      } catch {
        return fail(`not a summary line: ${line}`);
      }
      if (lines.length === 2) {
        clearTimeout(timer);
        child.off("exit", onExit);
        child.off("error", onError);
        child.on("error", () => {});
        resolve(lines);
      }
    });
  });
  const [auth0, janrain] = summaries;
  const mock = listener(auth0, options.adminToken, stop);
  mock.janrain = listener(janrain, options.adminToken, stop);
  mock.process = child;
  /** A new tenant on its own loopback port (`POST /__authmock__/tenants`); `stop()` removes it. */
  mock.createTenant = async (request = {}) => {
    const body = { provider: "auth0", ...request };
    // A file is read by the server: name it whatever the server's working directory.
    if (body.fixture && fs.existsSync(body.fixture)) body.fixture = path.resolve(body.fixture);
    const summary = await mock.control.request("POST", "tenants", body);
    return listener(summary, options.adminToken, () => mock.control.request("DELETE", `tenants/${summary.id}`));
  };
  try {
    await mock.control.health();
  } catch (error) {
    await stop();
    throw error;
  }
  // A script that never calls stop() still ends (and its "exit" handler kills the server).
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  return mock;
}

module.exports = { start, binaryPath, Control, AuthmockError };
