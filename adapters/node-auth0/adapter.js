#!/usr/bin/env node
// authmock adapter (protocol v1) on the official node SDK, `auth0` 7.1.0 (package.json).
//
// - Management API: the v7 `ManagementClient({domain, clientId, clientSecret})`, which fetches and
//   caches its own token with its TokenProvider.
// - Token and dbconnections operations: the legacy `AuthenticationClient` of `auth0/legacy`
//   (auth0 4.37.x), the only one that still has `oauth.clientCredentialsGrant`,
//   `oauth.passwordGrant` and `database.changePassword`.
//
// Both clients build `https://${domain}/…` URLs. With --transport http (the default) they get a
// `fetch` option that sends those requests to the tenant over plain http, the way the SDK
// documents for a custom transport; with --transport tls they are used unmodified and trust the
// run's CA through NODE_EXTRA_CA_CERTS, which `authmock test --tls` sets.
//
// Errors are reported as the SDK surfaced them: `ManagementError` carries the status and the
// parsed body; the legacy `AuthApiError` and `ResponseError` carry the status and the raw body
// text, parsed here when it is JSON. Anything else (a network error, a timeout) is a client
// failure: the stack goes to stderr and the adapter exits, which fails that one scenario.
"use strict";

const readline = require("node:readline");
const { ManagementClient, ManagementError } = require("auth0");
const { AuthenticationClient } = require("auth0/legacy");
const sdkVersion = require("auth0/package.json").version;

const OPERATIONS = [
  "auth0.get_management_token",
  "auth0.create_password_change_ticket",
  "auth0.send_password_reset_email",
  "auth0.set_user_password",
  "auth0.find_users_by_email",
  "auth0.login_with_password",
  "auth0.create_user",
  "auth0.search_users",
  "auth0.delete_user",
  "auth0.send_verification_email",
  "auth0.assign_roles",
  "auth0.unblock_user",
  "auth0.create_client",
  "auth0.update_client",
  "auth0.create_client_grant",
  "auth0.delete_client_grant",
  "auth0.create_organization",
  "auth0.add_organization_members",
  "auth0.import_users",
];
// How often, and how many times, a pending import job is read back (ten seconds in all).
const IMPORT_POLL_MS = 100;
const IMPORT_POLLS = 100;
const TICKET_OPTIONS = ["result_url", "ttl_sec", "client_id", "mark_email_as_verified", "includeEmailInRedirect"];

const transport = process.argv.includes("--transport") ? process.argv[process.argv.indexOf("--transport") + 1] : "http";
if (transport !== "http" && transport !== "tls") {
  console.error(`--transport must be http or tls, not ${transport}`);
  process.exit(2);
}

/** The SDK clients for one tenant and application, built on first use. */
class Session {
  constructor(p) {
    this.p = p;
    const domain = new URL(p.base_url).host;
    // Over http: the SDKs say https://<domain>/…; send the same request to the tenant's http URL.
    const toHttp = (url, init) => fetch(String(url).replace(`https://${domain}/`, `${p.base_url}/`), init);
    const custom = transport === "http" ? { fetch: toHttp } : {};
    this.management = new ManagementClient({
      domain,
      clientId: p.client_id,
      clientSecret: p.client_secret,
      audience: p.audience,
      ...custom,
    });
    this.m2m = new AuthenticationClient({ domain, clientId: p.client_id, clientSecret: p.client_secret, ...custom });
    this.login = new AuthenticationClient({
      domain,
      clientId: p.login_client_id,
      clientSecret: p.login_client_secret,
      ...custom,
    });
  }
}

async function run(session, op, args) {
  const p = session.p;
  switch (op) {
    case "auth0.get_management_token": {
      const { data } = await session.m2m.oauth.clientCredentialsGrant({ audience: p.audience });
      return { access_token: data.access_token };
    }
    case "auth0.create_password_change_ticket": {
      const request = "user_id" in args ? { user_id: args.user_id } : { email: args.email, connection_id: p.connection_id };
      for (const option of TICKET_OPTIONS) if (option in args) request[option] = args[option];
      return await session.management.tickets.changePassword(request);
    }
    case "auth0.send_password_reset_email": {
      const { data } = await session.login.database.changePassword({ email: args.email, connection: p.connection });
      return { message: data };
    }
    case "auth0.set_user_password":
      return await session.management.users.update(args.user_id, { password: args.password, connection: p.connection });
    case "auth0.find_users_by_email":
      return { users: await session.management.users.listUsersByEmail({ email: args.email }) };
    case "auth0.login_with_password": {
      const { data } = await session.login.oauth.passwordGrant({
        username: args.email,
        password: args.password,
        realm: p.connection,
      });
      return { logged_in: "access_token" in data };
    }
    case "auth0.create_user": {
      const request = { connection: p.connection, email: args.email, password: args.password };
      for (const field of ["user_metadata", "app_metadata"]) if (field in args) request[field] = args[field];
      return await session.management.users.create(request);
    }
    case "auth0.search_users": {
      const request = { q: args.q, search_engine: "v3", include_totals: true };
      for (const field of ["page", "per_page"]) if (field in args) request[field] = args[field];
      // The first page only: the SDK's Page fetches further pages only when iterated past it.
      const page = await session.management.users.list(request);
      return { users: page.data, total: page.response.total };
    }
    case "auth0.delete_user":
      await session.management.users.delete(args.user_id);
      return {};
    case "auth0.send_verification_email":
      return await session.management.jobs.verificationEmail.create({ user_id: args.user_id });
    case "auth0.assign_roles":
      await session.management.users.roles.assign(args.user_id, { roles: args.roles });
      return {};
    case "auth0.unblock_user":
      await session.management.userBlocks.delete(args.user_id);
      return {};
    case "auth0.import_users": {
      // The users file as the SDK uploads one: a JSON file part, with the connection and upsert.
      let job = await session.management.jobs.usersImports.create({
        users: { data: Buffer.from(JSON.stringify(args.users)), filename: "users.json", contentType: "application/json" },
        connection_id: args.connection_id,
        upsert: args.upsert,
      });
      for (let poll = 0; job.status === "pending" && poll < IMPORT_POLLS; poll++) {
        await new Promise((resolve) => setTimeout(resolve, IMPORT_POLL_MS));
        job = await session.management.jobs.get(job.id);
      }
      // A job without errors answers 204: the SDK gives undefined.
      const errors = await session.management.jobs.errors.get(job.id);
      return { id: job.id, status: job.status, summary: job.summary, errors: Array.isArray(errors) ? errors : [] };
    }
    case "auth0.create_client": {
      const request = { name: args.name };
      for (const field of ["app_type", "grant_types", "callbacks"]) if (field in args) request[field] = args[field];
      const client = await session.management.clients.create(request);
      return { client_id: client.client_id, client_secret: client.client_secret };
    }
    case "auth0.update_client": {
      const client = await session.management.clients.update(args.client_id, { callbacks: args.callbacks });
      return { client_id: client.client_id, callbacks: client.callbacks };
    }
    case "auth0.create_client_grant": {
      const request = { client_id: args.client_id, audience: args.audience, scope: args.scope };
      const grant = await session.management.clientGrants.create(request);
      return { id: grant.id };
    }
    case "auth0.delete_client_grant":
      await session.management.clientGrants.delete(args.id);
      return {};
    case "auth0.create_organization": {
      const organization = await session.management.organizations.create({
        name: args.name,
        enabled_connections: args.enabled_connections,
      });
      return { id: organization.id };
    }
    case "auth0.add_organization_members":
      await session.management.organizations.members.create(args.organization_id, { members: args.members });
      return {};
    default:
      return undefined;
  }
}

function rateLimitHeaders(headers) {
  const out = {};
  if (headers && typeof headers.forEach === "function") {
    headers.forEach((value, name) => {
      if (name.toLowerCase().startsWith("x-ratelimit-")) out[name.toLowerCase()] = value;
    });
  }
  return out;
}

function parsed(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text ?? "";
  }
}

/** The error the SDK threw, as protocol v1's {status, body, headers}; undefined if not a provider error. */
function providerError(err) {
  let out;
  if (err instanceof ManagementError && err.statusCode !== undefined) {
    out = { status: err.statusCode, body: err.body ?? "", headers: rateLimitHeaders(err.rawResponse?.headers) };
  } else if (["AuthApiError", "ResponseError", "ManagementApiError"].includes(err?.name) && err.statusCode) {
    // The legacy client keeps the raw body text.
    out = { status: err.statusCode, body: parsed(err.body), headers: rateLimitHeaders(err.headers) };
  } else {
    return undefined;
  }
  if (Object.keys(out.headers).length === 0) delete out.headers;
  return out;
}

async function main() {
  const sessions = new Map();
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const msg = JSON.parse(line);
    let out;
    if (msg.cmd === "stop") break;
    if (msg.cmd === "start") {
      out = { ok: true, name: `node auth0 (${transport})`, version: sdkVersion, operations: OPERATIONS };
    } else {
      const p = msg.provider;
      const key = `${p.base_url} ${p.client_id}`;
      if (!sessions.has(key)) sessions.set(key, new Session(p));
      try {
        const result = await run(sessions.get(key), msg.op, msg.args);
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
