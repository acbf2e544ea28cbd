"""The soak run of bench/run (`bench/run --soak MINUTES`): mixed traffic against one release
`authmock serve` for the given time, one line of figures a minute, then a verdict.

Workers (threads, one connection each) loop over a fixed mix:
  - client_credentials tokens (the M2M client; RS256 signing);
  - password-change tickets through the Management API (the user-admin client's token);
  - reset journeys: a ticket for the worker's own user, its hosted page, the form posted;
  - Janrain forgot -> outbox -> token -> update flows (one account per worker);
  - journal reads (`GET /__authmock__/journal?limit=20`);
  - now and then a runtime tenant created with `POST /__authmock__/tenants`, asked for its
    JWKS, and dropped.
Each minute prints requests, p50/p99 latency, 5xx, other unexpected answers, network errors,
the server's RSS and the journal's counters. After the timed mix, one byte-heavy round (bounded
in count: BYTE_BODIES requests of 60 KB bodies, BYTE_USERS users with 90 KB of metadata, a
search and a full journal read per ten of them), then `POST /__authmock__/reset`. At the end the
verdict checks: zero 5xx, zero unexpected answers, RSS after the warm-up (the first third of the
run, while the stores fill up to their caps) within 10% of its mean, the Auth0 journal holding
what it promises (every exchange recorded: the entries it holds, `total`, plus those it
`evicted`, equal what was sent; exactly its entry limit held once full, unless its byte bound
holds fewer), and RSS after the reset back within RESET_BAND of what it was before the round
(the byte-heavy traffic leaves no growth behind).

Bounded: the run stops after MINUTES (1..120); every request has a 10 s timeout; the server is
stopped by its pid at the end. Everything is on 127.0.0.1.
"""

import html
import http.client
import json
import re
import statistics
import threading
import time
import urllib.parse

WORKERS = 6
TENANT_EVERY = 50  # rounds of a worker between two runtime tenants
# Minutes of warm-up before RSS must stay flat: the stores fill up to their caps first (the
# journal's 10,000 entries, 10,000 tickets), a third of the run, at least one minute.
def warmup_minutes(minutes):
    return max(1, minutes // 3)
RSS_BAND = 0.10
BYTE_BODIES = 3000    # 60 KB request bodies in the byte-heavy round
BYTE_USERS = 60       # users with 90 KB of metadata in it
RESET_BAND = (1.5, 40.0)  # after the reset, RSS within 1.5x (or + 40 MiB) of what it was before the round


class Stats:
    """Counters of one minute (and of the whole run), shared by the workers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.total = {"requests": 0, "5xx": 0, "unexpected": 0, "neterr": 0, "auth0_api": 0}
        self.examples = []

    def reset(self):
        self.latencies = []
        self.counts = {"requests": 0, "5xx": 0, "unexpected": 0, "neterr": 0}

    def add(self, ms, status, expected, auth0_api, what):
        with self.lock:
            self.latencies.append(ms)
            self.counts["requests"] += 1
            self.total["requests"] += 1
            if auth0_api:
                self.total["auth0_api"] += 1
            if status is None:
                self.counts["neterr"] += 1
                self.total["neterr"] += 1
            elif status >= 500:
                self.counts["5xx"] += 1
                self.total["5xx"] += 1
            elif status not in expected:
                self.counts["unexpected"] += 1
                self.total["unexpected"] += 1
            if (status is None or status >= 500 or status not in expected) and len(self.examples) < 10:
                self.examples.append(f"{what}: {status}")

    def take(self):
        with self.lock:
            lat, counts = self.latencies, dict(self.counts)
            self.reset()
        return lat, counts


def recorded(journal):
    """Exchanges the journal ever recorded: those it holds (`total`) and those it evicted."""
    return journal["total"] + journal["evicted"]


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Worker(threading.Thread):
    def __init__(self, n, ctx, stats, stop_at):
        super().__init__(daemon=True)
        self.n, self.ctx, self.stats, self.stop_at = n, ctx, stats, stop_at
        self.round = 0
        self.error = None

    # One request, timed and counted. Returns (status, body) or (None, b"").
    def call(self, what, method, url, body=None, headers=None, expected=(200,), auth0_api=False):
        request = self.ctx["http"]
        t0 = time.perf_counter()
        try:
            status, data = request(method, url, body, headers, timeout=10.0)
        except (OSError, http.client.HTTPException):
            status, data = None, b""
        self.stats.add((time.perf_counter() - t0) * 1000, status, expected, auth0_api, what)
        return status, data

    def auth0(self, what, method, path, body=None, headers=None, expected=(200,)):
        return self.call(what, method, self.ctx["auth0"] + path, body, headers, expected, auth0_api=True)

    def json_post(self, what, path, obj, token=None, expected=(200,)):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.auth0(what, "POST", path, json.dumps(obj).encode(), headers, expected)

    def mgmt_token(self):
        c = self.ctx
        status, data = self.json_post("admin token", "/oauth/token", {
            "grant_type": "client_credentials", "client_id": c["admin"]["client_id"],
            "client_secret": c["admin"]["client_secret"], "audience": c["audience"]})
        return json.loads(data)["access_token"] if status == 200 else None

    def run(self):
        try:
            self.loop()
        except Exception as e:  # a bug of the soak itself: reported, never hidden
            self.error = repr(e)

    def loop(self):
        c = self.ctx
        token = self.mgmt_token()
        email = f"soak-{self.n}-{int(time.time())}@example.com"
        status, data = self.json_post("create user", "/api/v2/users", {
            "connection": "Username-Password-Authentication", "email": email,
            "password": f"Soak-Start-{self.n}-x9!Q"}, token, expected=(201,))
        user_id = json.loads(data)["user_id"] if status == 201 else c["ticket_user"]
        while time.time() < self.stop_at:
            self.round += 1
            # 1. tokens
            self.json_post("token", "/oauth/token", {
                "grant_type": "client_credentials", "client_id": c["m2m"]["client_id"],
                "client_secret": c["m2m"]["client_secret"], "audience": c["audience"]})
            # 2. a ticket (for the shared fixture user: each supersedes the last)
            self.json_post("ticket", "/api/v2/tickets/password-change", {"user_id": c["ticket_user"]},
                           token, expected=(201,))
            # 3. a reset journey for the worker's own user
            self.reset_journey(token, user_id)
            # 4. a Janrain flow
            self.janrain_flow()
            # 5. a journal read
            self.call("journal", "GET", c["auth0"] + "/__authmock__/journal?limit=20")
            # 6. now and then, a runtime tenant created, used and dropped
            if self.round % TENANT_EVERY == self.n % TENANT_EVERY:
                self.runtime_tenant()

    def reset_journey(self, token, user_id):
        status, data = self.json_post("journey ticket", "/api/v2/tickets/password-change",
                                      {"user_id": user_id}, token, expected=(201,))
        if status != 201:
            return
        url = urllib.parse.urlsplit(json.loads(data)["ticket"])
        path = f"{url.path}?{url.query}"
        status, page = self.auth0("hosted page", "GET", path)
        found = re.search(rb'name="_csrf" value="([^"]*)"', page)
        if status != 200 or not found:
            self.stats.add(0, 599 if status is None else status, (), False, "hosted page: no form")
            return
        password = f"Soak-{self.n}-{self.round}-x9!Q"
        form = urllib.parse.urlencode({"_csrf": html.unescape(found.group(1).decode()), "password": password,
                                       "confirm_password": password, "action": "reset-password"}).encode()
        self.auth0("hosted submit", "POST", path, form, {"Content-Type": "application/x-www-form-urlencoded"},
                   expected=(200, 302))

    def janrain_flow(self):
        c, j = self.ctx, self.ctx["janrain"]
        email = f"bench-{self.n}@example.com"
        common = {"client_id": j["client_id"], "flow": j["flow"], "flow_version": j["flow_version"],
                  "locale": j["locale"]}
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, data = self.call("janrain forgot", "POST", c["janrain_base"] + "/oauth/forgot_password_native",
                                 urllib.parse.urlencode({**common, "form": "forgotPasswordForm",
                                                         "redirect_uri": j["redirect_uri"],
                                                         "signInEmailAddress": email}).encode(), form)
        if status != 200:
            return
        status, data = self.call("janrain outbox", "GET", c["janrain_base"] + "/__authmock__/outbox?" +
                                 urllib.parse.urlencode({"to": email, "limit": "1"}))
        code = re.search(r"code=([A-Za-z0-9]+)", data.decode(errors="replace")) if status == 200 else None
        if not code:
            self.stats.add(0, 598, (), False, "janrain outbox: no code")
            return
        status, data = self.call("janrain token", "POST", c["janrain_base"] + "/oauth/token",
                                 urllib.parse.urlencode({"client_id": j["client_id"],
                                                         "client_secret": j["client_secret"],
                                                         "grant_type": "authorization_code", "code": code.group(1),
                                                         "redirect_uri": j["redirect_uri"]}).encode(), form)
        body = json.loads(data or b"{}") if status == 200 else {}
        if body.get("stat") != "ok":
            self.stats.add(0, 597, (), False, f"janrain token: {body.get('error')}")
            return
        password = f"Soak-Password-{self.n}-{self.round}"
        status, data = self.call("janrain update", "POST", c["janrain_base"] + "/oauth/update_profile_native",
                                 urllib.parse.urlencode({**common, "form": "changePasswordFormNoAuth",
                                                         "access_token": body["access_token"],
                                                         "newPassword": password,
                                                         "newPasswordConfirm": password}).encode(), form)
        if status == 200 and json.loads(data).get("stat") != "ok":
            self.stats.add(0, 596, (), False, f"janrain update: {data[:80]!r}")

    def runtime_tenant(self):
        c = self.ctx
        status, data = self.call("tenant create", "POST", c["auth0"] + "/__authmock__/tenants",
                                 json.dumps({"provider": "auth0", "fixture": "default"}).encode(),
                                 {"Content-Type": "application/json"}, expected=(201,))
        if status != 201:
            return
        created = json.loads(data)
        self.call("tenant jwks", "GET", created["base_url"] + "/.well-known/jwks.json")
        self.call("tenant drop", "DELETE", c["auth0"] + f"/__authmock__/tenants/{created['id']}", expected=(204,))


def soak(minutes, start_server, http, rss_mib, fixture, ticket_user, log):
    """Runs the soak; returns (text report, ok). `start_server()` gives (proc, auth0 port, janrain
    port) of a running release `authmock serve`."""
    proc, port, janrain_port = start_server()
    auth0 = f"http://127.0.0.1:{port}"
    janrain_base = f"http://127.0.0.1:{janrain_port}"
    _, data = http("GET", janrain_base + "/__authmock__/tenant")
    jsum = json.loads(data)
    jclient = next(cl for cl in jsum["clients"]
                   if cl.get("password_recover_url") and "login_client" in cl.get("features", []))
    clients = {cl["name"]: cl for cl in fixture["clients"]}
    ctx = {
        "http": http, "auth0": auth0, "janrain_base": janrain_base,
        "audience": f"https://127.0.0.1:{port}/api/v2/",
        "m2m": fixture["clients"][0], "admin": clients["User admin (M2M)"], "ticket_user": ticket_user,
        "janrain": {"client_id": jclient["client_id"], "client_secret": jclient["client_secret"],
                    "redirect_uri": jclient["password_recover_url"], "flow": jsum["flow"]["name"],
                    "flow_version": jsum["flow"]["version"], "locale": jsum["flow"]["locale"]},
    }
    # What the start-up probe sent before the workers: not counted by them.
    _, data = http("GET", auth0 + "/__authmock__/journal?limit=1")
    journal_base = recorded(json.loads(data))
    stats = Stats()
    start = time.time()
    stop_at = start + minutes * 60
    workers = [Worker(n, ctx, stats, stop_at) for n in range(WORKERS)]
    for w in workers:
        w.start()
    lines = []
    header = (f"{'min':>3} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>4} {'unexp':>5} "
              f"{'neterr':>6} {'RSS MiB':>8} {'journal recorded/held/evicted':>30} {'tickets held/evicted/forgotten':>30}")
    log(header)
    lines.append(header)
    rss = []
    for minute in range(1, minutes + 1):
        time.sleep(max(0.0, start + minute * 60 - time.time()))
        lat, counts = stats.take()
        mem = rss_mib(proc.pid)
        rss.append(mem)
        _, jdata = http("GET", auth0 + "/__authmock__/journal?limit=1")
        journal = json.loads(jdata)
        _, tdata = http("GET", auth0 + "/__authmock__/tenant")
        tickets = json.loads(tdata)["stores"]["tickets"]
        line = (f"{minute:>3} {counts['requests']:>8} {counts['requests'] / 60:>6.0f} {percentile(lat, 50):>7.1f} "
                f"{percentile(lat, 99):>7.1f} {counts['5xx']:>4} {counts['unexpected']:>5} {counts['neterr']:>6} "
                f"{mem:>8.1f} {recorded(journal):>11}/{journal['total']}/{journal['evicted']:<8} "
                f"{tickets['len']:>10}/{tickets['evicted']}/{tickets.get('forgotten', 0)}")
        log(line)
        lines.append(line)
    for w in workers:
        w.join(timeout=15)
    _, jdata = http("GET", auth0 + "/__authmock__/journal?limit=1")
    journal = json.loads(jdata)
    _, tdata = http("GET", auth0 + "/__authmock__/tenant")
    stores = json.loads(tdata)["stores"]
    bugs = [f"worker {w.n}: {w.error}" for w in workers if w.error]
    warmup = warmup_minutes(minutes)
    after = rss[warmup:] or rss
    mean = statistics.mean(after)
    spread = max(abs(r - mean) / mean for r in after)
    total = stats.total
    # Every exchange with the Auth0 listener's API is journaled (control routes are not): what it
    # held plus what it evicted counts them all, and it holds exactly its limit once full.
    journal_ok = (recorded(journal) - journal_base == total["auth0_api"]
                  and (journal["total"] == min(recorded(journal), journal["limit"])
                       or journal.get("bytes", 0) > 0.9 * journal.get("byte_limit", 0)))
    rss_before = rss_mib(proc.pid)
    byte_peak, rss_reset, byte_errors = byte_round(ctx, proc, rss_mib)
    reset_ceiling = max(rss_before * RESET_BAND[0], rss_before + RESET_BAND[1])
    checks = [
        (total["5xx"] == 0, f"zero 5xx: {total['5xx']}"),
        (total["unexpected"] == 0 and total["neterr"] == 0 and not bugs,
         f"zero unexpected answers / network errors: {total['unexpected']} / {total['neterr']}"
         + (f" ({'; '.join(stats.examples)})" if stats.examples else "") + (f" {bugs}" if bugs else "")),
        (spread <= RSS_BAND, f"RSS after minute {warmup} within {RSS_BAND:.0%} of its mean "
                             f"({mean:.1f} MiB): largest gap {spread:.1%} (min {min(after):.1f}, max {max(after):.1f})"),
        (journal_ok, f"journal: {recorded(journal) - journal_base} exchanges recorded for {total['auth0_api']} sent; "
                     f"holds {journal['total']} (its limit {journal['limit']}, {journal.get('bytes', 0)} of "
                     f"{journal.get('byte_limit', 0)} bytes), {journal['evicted']} evicted and counted"),
        (not byte_errors, f"byte-heavy round answered as expected: {'; '.join(byte_errors[:5]) or 'yes'}"),
        (rss_reset <= reset_ceiling, f"RSS after the byte-heavy round ({byte_peak:.1f} MiB at its peak) and a reset: "
                                     f"{rss_reset:.1f} MiB, within {reset_ceiling:.1f} (before the round {rss_before:.1f})"),
    ]
    lines.append("")
    lines.append(f"{total['requests']} requests in {minutes} min ({total['requests'] / (minutes * 60):.0f}/s), "
                 f"{WORKERS} workers")
    lines.append("stores at the end: " + ", ".join(
        f"{name} {s['len']}/{s['capacity']} (evicted {s['evicted']}{', forgotten ' + str(s['forgotten']) if s.get('forgotten') else ''})"
        for name, s in stores.items() if s["len"] or s["evicted"]))
    for ok, text in checks:
        lines.append(f"{'met   ' if ok else 'MISSED'} {text}")
    return "\n".join(lines), all(ok for ok, _ in checks)


def byte_round(ctx, proc, rss_mib):
    """The byte-heavy round: large bodies, users with large metadata, searches, full journal
    reads, then a reset. Returns (peak RSS in MiB, RSS after the reset, unexpected answers)."""
    http, auth0 = ctx["http"], ctx["auth0"]
    errors, peak = [], rss_mib(proc.pid)

    def expect(what, got, wanted):
        if got not in wanted and len(errors) < 20:
            errors.append(f"{what}: {got}")

    blob = json.dumps({"grant_type": "client_credentials", "client_id": ctx["m2m"]["client_id"],
                       "client_secret": "wrong", "audience": ctx["audience"], "pad": "p" * 60_000}).encode()
    headers = {"Content-Type": "application/json"}
    for i in range(BYTE_BODIES):
        status, _ = http("POST", auth0 + "/oauth/token", blob, headers, timeout=10.0)
        expect("60 KB token request", status, (401,))
        if i % 500 == 0:
            peak = max(peak, rss_mib(proc.pid))
    admin = ctx["admin"]
    status, data = http("POST", auth0 + "/oauth/token", json.dumps({
        "grant_type": "client_credentials", "client_id": admin["client_id"],
        "client_secret": admin["client_secret"], "audience": ctx["audience"]}).encode(), headers, timeout=10.0)
    token = json.loads(data).get("access_token") if status == 200 else None
    expect("admin token", status, (200,))
    auth = {**headers, "Authorization": f"Bearer {token}"}
    for i in range(BYTE_USERS if token else 0):
        status, _ = http("POST", auth0 + "/api/v2/users", json.dumps({
            "connection": "Username-Password-Authentication", "email": f"bytes-{i}-{int(time.time())}@example.com",
            "password": f"Bytes-{i}-x9!Q", "user_metadata": {"notes": "n" * 90_000, "plan": "byte"}}).encode(),
            auth, timeout=10.0)
        expect("user with 90 KB of metadata", status, (201,))
        if i % 10 == 0:
            status, _ = http("GET", auth0 + "/api/v2/users?q=user_metadata.plan%3Abyte&per_page=50",
                             None, auth, timeout=10.0)
            expect("search", status, (200,))
            status, _ = http("GET", auth0 + "/__authmock__/journal?limit=100000", timeout=30.0)
            expect("full journal read", status, (200,))
            peak = max(peak, rss_mib(proc.pid))
    status, _ = http("POST", auth0 + "/__authmock__/reset", timeout=30.0)
    expect("reset", status, (204,))
    time.sleep(1.0)
    return peak, rss_mib(proc.pid), errors
