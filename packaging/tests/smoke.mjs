// The npm package as installed from its tarball (.ci/run's packaging stage): start() serves a
// tenant whose discovery names it, a client gets a token from it, and createTenant() gives a
// tenant of its own. ESM here; the CommonJS entry is checked to be the same API.
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { start } from "authmock";

const require = createRequire(import.meta.url);
assert.equal(typeof require("authmock").start, "function");

await assert.rejects(start({ args: ["--no-such-flag"] }), /unexpected argument '--no-such-flag'/);
await assert.rejects(start({ binary: "/nonexistent/authmock" }), /did not start: spawn/);

const mock = await start();
try {
  const discovery = await (await fetch(`${mock.baseUrl}/.well-known/openid-configuration`)).json();
  assert.equal(discovery.issuer, mock.issuer);
  const token = await mock.managementToken();
  assert.equal(token.split(".").length, 3);

  const fresh = await mock.createTenant();
  assert.notEqual(fresh.baseUrl, mock.baseUrl);
  assert.equal((await fresh.control.health()).status, "ok");
  await fresh.control.fault({ path: "/oauth/token", times: 1, error: "auth0.rate_limited" });
  const limited = await fetch(`${fresh.baseUrl}/oauth/token`, { method: "POST" });
  assert.equal(limited.status, 429);
  await fresh.stop();
  console.log(`start() served ${mock.baseUrl} (issuer ${discovery.issuer}) and a runtime tenant`);
} finally {
  await mock.stop();
}
