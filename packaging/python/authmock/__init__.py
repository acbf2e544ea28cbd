"""authmock from Python: start the bundled binary, talk to its control API.

    with authmock.Server() as server:          # `authmock serve --port 0`, stopped on exit
        server.base_url                         # http://127.0.0.1:PORT (the Auth0 tenant)
        server.issuer                           # http://127.0.0.1:PORT/ (the tokens' iss)
        server.tenant["clients"]                # the seeded credentials (GET /__authmock__/tenant)
        server.control.fault(path="/oauth/token", error="auth0.rate_limited", times=1)
        fresh = server.create_tenant()          # a runtime tenant on its own port; fresh.close()

The pytest plugin (authmock.pytest_plugin) gives each test such a fresh tenant as the `authmock`
fixture. Standard library only.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["AuthmockError", "Control", "Server", "Tenant", "find_binary"]


class AuthmockError(Exception):
    """A control API call that did not succeed, or a server that would not start."""

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.status = status
        self.body = body


def find_binary():
    """The authmock binary: $AUTHMOCK_BINARY, the one this package installed, or the one on PATH."""
    explicit = os.environ.get("AUTHMOCK_BINARY")
    if explicit:
        return explicit
    exe = "authmock.exe" if sys.platform == "win32" else "authmock"
    # Where pip put the wheel's scripts: this environment's, then the user scheme's (--user).
    schemes = [None, f"{os.name}_user"]
    for scheme in schemes:
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = os.path.join(scripts, exe)
        if os.path.isfile(candidate):
            return candidate
    found = shutil.which(exe)
    if found:
        return found
    raise AuthmockError("no authmock binary: install the authmock wheel, or set AUTHMOCK_BINARY")


def _request(base_url, method, path, body=None, query=None, token=None, timeout=10):
    url = base_url + path
    if query:
        url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        raise AuthmockError(f"{method} {path} answered {error.code}: {text}", error.code, text) from None
    return json.loads(text) if text else None


class Control:
    """Small helpers over one listener's control API, `/__authmock__/…` (docs/control-api.md)."""

    def __init__(self, base_url, admin_token=None):
        self.base_url = base_url
        self._token = admin_token

    def request(self, method, path, body=None, query=None):
        """Any control call: `control.request("GET", "rate-limits")`; the JSON answer, None if empty."""
        return _request(self.base_url, method, "/__authmock__/" + path.lstrip("/"), body, query, self._token)

    def tenant(self):
        """The seeded credentials and ids, with the stores' sizes."""
        return self.request("GET", "tenant")

    def health(self):
        return self.request("GET", "health")

    def reset(self):
        """Back to the seed: users, tokens, outbox, journal, faults, rate limits, clock."""
        self.request("POST", "reset")

    # Faults: `fault(path="/oauth/token", times=2, error="auth0.rate_limited")`, or
    # `respond={"status": 503, "body": "…"}`, `drop=True`, `delay_ms=…`.
    def fault(self, **rule):
        """Adds a fault rule; returns it (with its `id`)."""
        return self.request("POST", "faults", rule)

    def faults(self):
        return self.request("GET", "faults")

    def clear_faults(self, rule_id=None):
        self.request("DELETE", "faults" if rule_id is None else f"faults/{rule_id}")

    # The tenant clock: tokens, tickets and rate-limit windows follow it.
    def clock(self):
        return self.request("GET", "clock")

    def advance_clock(self, seconds):
        return self.request("POST", "clock", {"advance_secs": seconds})

    def set_clock(self, rfc3339):
        """Sets and freezes the clock (`"2030-01-01T00:00:00Z"`)."""
        return self.request("POST", "clock", {"set": rfc3339})

    def system_clock(self):
        return self.request("POST", "clock", {"mode": "system"})

    # The mail the tenant sent (reset links, verification links).
    def outbox(self, to=None, limit=None):
        return self.request("GET", "outbox", query={"to": to, "limit": limit})

    def latest_mail(self):
        return self.request("GET", "outbox/latest")

    def clear_outbox(self):
        self.request("DELETE", "outbox")

    # Every exchange the listener saw, newest first.
    def journal(self, **filters):
        """Filters: method, path (prefix), status (`401` or `4xx`), since, limit, before."""
        return self.request("GET", "journal", query=filters)

    def clear_journal(self):
        self.request("DELETE", "journal")


class Tenant:
    """One listener: an Auth0 tenant or a Janrain app, with its control API."""

    def __init__(self, summary, admin_token=None, owner=None, tenant_id=None):
        self.tenant = summary
        self.base_url = summary["base_url"].rstrip("/")
        self.provider = summary.get("provider")
        self.id = tenant_id
        self.control = Control(self.base_url, admin_token)
        self._owner = owner

    @property
    def issuer(self):
        """The `iss` of the tenant's tokens (`<base_url>/`); None for a Janrain app."""
        return self.tenant.get("issuer")

    def client(self, name=None):
        """A seeded application (Auth0) or API client (Janrain): the first, or the one named."""
        for client in self.tenant.get("clients", []):
            if name is None or client.get("name") == name:
                return client
        raise KeyError(name)

    def management_token(self):
        """An Auth0 Management API access token (client_credentials), from the seeded application
        granted the most Management API scopes (the default seed's "API Explorer Application")."""
        audience = self.tenant["audience"]

        def scopes(client):
            return max((len(g["scopes"]) for g in client.get("grants", []) if g["audience"] == audience), default=0)

        clients = [c for c in self.tenant.get("clients", []) if c.get("client_secret") and scopes(c)]
        if not clients:
            raise AuthmockError("no seeded application may call the Management API")
        app = max(clients, key=scopes)
        answer = _request(self.base_url, "POST", "/oauth/token", {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "audience": audience,
        })
        return answer["access_token"]

    def close(self):
        """Stops this runtime tenant (a no-op for the server's own listeners)."""
        if self._owner is not None and self.id is not None:
            self._owner.control.request("DELETE", f"tenants/{self.id}")
            self.id = None

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def __repr__(self):
        return f"<authmock {self.provider} tenant {self.base_url}>"


class Server(Tenant):
    """`authmock serve` on free loopback ports, as a context manager (or start()/stop()).

    The server is the default Auth0 tenant (`base_url`, `issuer`, `tenant`, `control`); the
    Janrain app is `server.janrain`. Options: `port` (0: a free one), `fixture` and
    `janrain_fixture` (seed files), `args` (more `serve` flags), `binary`, `startup_timeout`.
    """

    def __init__(self, port=0, fixture=None, janrain_fixture=None, args=(), binary=None,
                 startup_timeout=30, admin_token=None):
        self._command = [binary or find_binary(), "serve", "--json", "--port", str(port)]
        if fixture:
            self._command += ["--fixture", os.fspath(fixture)]
        if janrain_fixture:
            self._command += ["--janrain-fixture", os.fspath(janrain_fixture)]
        if admin_token:
            self._command += ["--admin-token", admin_token]
        self._command += list(args)
        self._admin_token = admin_token
        self._timeout = startup_timeout
        self._process = None
        self.janrain = None

    def start(self):
        if self._process is not None:
            return self
        try:
            self._process = subprocess.Popen(
                self._command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as error:
            raise AuthmockError(f"authmock serve did not start: {error}") from None
        # A script that never calls stop() does not leave the server running after it.
        atexit.register(self.stop)
        # `serve --json` prints one summary line per listener once both accept connections.
        lines, stderr = [], []
        errors = threading.Thread(target=self._drain, args=(self._process.stderr, stderr), daemon=True)
        errors.start()
        reader = threading.Thread(target=self._read_summaries, args=(lines,), daemon=True)
        reader.start()
        reader.join(self._timeout)
        if len(lines) < 2:
            self.stop()
            errors.join(2)
            raise AuthmockError(f"authmock serve did not start: {''.join(stderr).strip() or 'no summary'}")
        threading.Thread(target=self._drain, args=(self._process.stdout, []), daemon=True).start()
        auth0, janrain = (json.loads(line) for line in lines)
        Tenant.__init__(self, auth0, self._admin_token)
        self.janrain = Tenant(janrain, self._admin_token)
        self._wait_healthy()
        return self

    def _read_summaries(self, lines):
        for line in self._process.stdout:
            lines.append(line.decode())
            if len(lines) == 2:
                return

    @staticmethod
    def _drain(stream, into):
        # Keeps the pipe flowing (the per-request log lines); the first lines explain a failed start.
        for line in stream:
            if len(into) < 50:
                into.append(line.decode(errors="replace"))

    def _wait_healthy(self):
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                self.control.health()
                return
            except (AuthmockError, OSError):
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise AuthmockError("authmock serve never answered its health check") from None
                time.sleep(0.05)

    def create_tenant(self, provider="auth0", fixture=None, seed=None, port=None):
        """A new tenant on its own loopback port (`POST /__authmock__/tenants`): the embedded
        default seed, a fixture file (`fixture`) or an inline one (`seed`). `close()` it, or use
        it as a context manager."""
        body = {"provider": provider}
        if fixture is not None:
            # A file is read by the server: name it whatever the server's working directory.
            fixture = os.fspath(fixture)
            body["fixture"] = os.path.abspath(fixture) if os.path.isfile(fixture) else fixture
        if seed is not None:
            body["seed"] = seed
        if port is not None:
            body["port"] = port
        summary = self.control.request("POST", "tenants", body)
        return Tenant(summary, self._admin_token, owner=self, tenant_id=summary["id"])

    def stop(self):
        process, self._process = self._process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self):
        self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()
