/** A tenant summary, as `GET /__authmock__/tenant` (and `serve --json`) gives it. */
export interface TenantSummary {
  provider: "auth0" | "janrain";
  name: string;
  base_url: string;
  /** Auth0 only: the `iss` of its tokens, `<base_url>/`. */
  issuer?: string;
  /** Auth0 only: the Management API audience. */
  audience?: string;
  token_endpoint: string;
  jwks_uri?: string;
  clients: Array<{ name: string; client_id: string; client_secret?: string; [key: string]: unknown }>;
  users: Array<Record<string, unknown>>;
  /** A runtime tenant's registry id. */
  id?: number;
  [key: string]: unknown;
}

/** A fault rule (`POST /__authmock__/faults`). */
export interface FaultRule {
  method?: string;
  path?: string;
  body_contains?: string;
  header?: { name: string; contains: string };
  times?: number;
  respond?: { status: number; headers?: Record<string, string>; body?: unknown };
  error?: string;
  drop?: boolean;
  reset_mid_body?: boolean;
  delay_ms?: number;
}

/** Small helpers over one listener's control API, `/__authmock__/…` (docs/control-api.md). */
export declare class Control {
  constructor(baseUrl: string, adminToken?: string);
  readonly baseUrl: string;
  /** Any control call: `request("GET", "rate-limits")`; the JSON answer, null when empty. */
  request(method: string, route: string, body?: unknown, query?: Record<string, unknown>): Promise<any>;
  tenant(): Promise<TenantSummary>;
  health(): Promise<{ status: string; provider: string }>;
  /** Back to the seed: users, tokens, outbox, journal, faults, rate limits, clock. */
  reset(): Promise<null>;
  fault(rule: FaultRule): Promise<any>;
  faults(): Promise<any>;
  clearFaults(id?: number | string): Promise<null>;
  clock(): Promise<{ now: string; unix: number; mode: "system" | "manual" }>;
  advanceClock(seconds: number): Promise<any>;
  /** Sets and freezes the tenant clock. */
  setClock(rfc3339: string): Promise<any>;
  systemClock(): Promise<any>;
  outbox(query?: { to?: string; limit?: number }): Promise<any>;
  latestMail(): Promise<any>;
  clearOutbox(): Promise<null>;
  journal(filters?: { method?: string; path?: string; status?: string | number; since?: string; limit?: number; before?: number }): Promise<any>;
  clearJournal(): Promise<null>;
}

/** One listener: an Auth0 tenant or a Janrain app. */
export interface Listener {
  id?: number;
  provider: "auth0" | "janrain";
  baseUrl: string;
  /** The `iss` of the tenant's tokens; null for a Janrain app. */
  issuer: string | null;
  tenant: TenantSummary;
  control: Control;
  /** An Auth0 Management API token (client_credentials) from the seeded application with the most scopes. */
  managementToken(): Promise<string>;
  /** Stops the server (from start()) or removes the runtime tenant (from createTenant()). */
  stop(): Promise<unknown>;
}

export interface StartOptions {
  /** The Auth0 tenant's port; 0 (the default) picks a free one. */
  port?: number;
  /** A tenant seed file (docs/fixtures.md). */
  fixture?: string;
  janrainFixture?: string;
  /** More `authmock serve` flags. */
  args?: string[];
  /** The binary to run; by default this platform's package, or $AUTHMOCK_BINARY. */
  binary?: string;
  adminToken?: string;
  startupTimeoutMs?: number;
}

export interface CreateTenantOptions {
  provider?: "auth0" | "janrain";
  /** An embedded fixture name or a fixture file's path. */
  fixture?: string;
  /** An inline fixture. */
  seed?: Record<string, unknown>;
  port?: number;
}

/** A running `authmock serve`: the default Auth0 tenant, with the Janrain app beside it. */
export interface Authmock extends Listener {
  janrain: Listener;
  /** The `authmock serve` child process. */
  process: { readonly pid?: number; kill(signal?: string | number): boolean };
  /** A fresh tenant on its own loopback port (`POST /__authmock__/tenants`). */
  createTenant(options?: CreateTenantOptions): Promise<Listener>;
}

export declare class AuthmockError extends Error {
  status?: number;
  body?: string;
}

/** Starts `authmock serve` on free loopback ports; resolves once it answers its health check. */
export declare function start(options?: StartOptions): Promise<Authmock>;
/** The path of this platform's authmock binary. */
export declare function binaryPath(): string;
