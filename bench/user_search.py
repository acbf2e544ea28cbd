#!/usr/bin/env python3
"""GET /api/v2/users?q=… over 100,000 generated Auth0 users: p50/p99 per query kind, and server memory.

    bench/user_search.py target/release/authmock [requests per query kind, default 200]

Writes a fixture: the default tenant plus N generated users (emails user<i>@example.com,
`app_metadata` {"customer_id": "c<i>", "plan": one of four}), starts `authmock serve` on it
(loopback, fixed port 24730, journal off so the numbers are the search's, not the journal's), waits
for it, takes a management token with the "User admin (M2M)" application, then times
`search_engine=v3` queries of 50 results a page: an exact email, an exact app_metadata field, and a
trailing wildcard on email. Two warm-up searches per kind are timed apart (a scan, then the one that
builds the field's index) and not counted. Then a hostile search: a 60 KB `q` of inner-wildcard
terms (`name:abc*x*y*z17` side by side), which must answer the 503 timeout error within the tenant's
search budget (`search_timeout_ms`, 2000 ms by default), while JWKS requests sent one after another
as long as it runs are timed (they must not wait for the search: it holds no tenant lock). RSS is read from /proc before and after the users are loaded (an empty
tenant is started first), so the per-100k figure is the difference. Standard library only.
"""
import json, os, subprocess, sys, tempfile, threading, time, urllib.error, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN, N = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
USERS = 100_000
PORT = 24730
PLANS = ["free", "team", "business", "enterprise"]

base = json.load(open(os.path.join(ROOT, "fixtures", "auth0-tenant.json")))
if "signing_key" in base:  # the fixture is written elsewhere: its key file by absolute path
    base["signing_key"]["pem_file"] = os.path.join(ROOT, "fixtures", base["signing_key"]["pem_file"])
connection = base["connections"][0]["name"]
admin = next(c for c in base["clients"] if c["name"].startswith("User admin"))


# The fixtures written (tens of MB each), removed when the script ends.
WORK = tempfile.TemporaryDirectory(prefix="authmock-user-search-")


def write(users):
    fixture = dict(base, users=base["users"] + users)
    path = os.path.join(WORK.name, "auth0-%d.json" % len(users))
    json.dump(fixture, open(path, "w"))
    return path


def serve(path):
    env = dict(os.environ, AUTHMOCK_JOURNAL_LIMIT="0")
    server = subprocess.Popen([BIN, "serve", "--port", str(PORT), "--fixture", path],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    started = time.time()
    while True:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/__authmock__/health" % PORT, timeout=5).read()
            return server, time.time() - started
        except OSError:
            if server.poll() is not None:
                sys.exit("authmock serve exited with %s" % server.returncode)
            time.sleep(0.2)


def rss(pid):
    status = open("/proc/%d/status" % pid).read()
    return {l.split(":")[0]: int(l.split()[1]) for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))}


def token():
    tenant = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/__authmock__/tenant" % PORT).read())
    body = json.dumps({"grant_type": "client_credentials", "client_id": admin["client_id"],
                       "client_secret": admin["client_secret"], "audience": tenant["audience"]}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/oauth/token" % PORT, data=body,
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())["access_token"]


def search(bearer, q):
    url = "http://127.0.0.1:%d/api/v2/users?%s" % (PORT, urllib.parse.urlencode(
        {"q": q, "search_engine": "v3", "per_page": "50", "include_totals": "true"}))
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + bearer})
    started = time.perf_counter()
    reply = urllib.request.urlopen(req, timeout=60).read()
    return (time.perf_counter() - started) * 1000, json.loads(reply)


def hostile(bearer):
    """The 60 KB inner-wildcard search, with JWKS requests timed while it runs."""
    q = " ".join(["name:abc*x*y*z17"] * 2222)
    query = urllib.parse.urlencode({"q": q, "search_engine": "v3"}, quote_via=urllib.parse.quote)
    url = "http://127.0.0.1:%d/api/v2/users?%s" % (PORT, query)
    outcome = {}

    def run():
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + bearer})
        started = time.perf_counter()
        try:
            reply = urllib.request.urlopen(req, timeout=60)
            status, body = reply.status, reply.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        outcome.update(ms=(time.perf_counter() - started) * 1000, status=status, body=body)

    search_thread = threading.Thread(target=run)
    search_thread.start()
    time.sleep(0.1)
    jwks = []
    while search_thread.is_alive():
        started = time.perf_counter()
        urllib.request.urlopen("http://127.0.0.1:%d/.well-known/jwks.json" % PORT, timeout=60).read()
        jwks.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    search_thread.join()
    message = json.loads(outcome["body"]).get("message", "")
    if outcome["status"] != 503 or not message.startswith("The query exceeded the timeout."):
        sys.exit("the hostile search answered %s: %s" % (outcome["status"], outcome["body"][:200]))
    jwks.sort()
    print("hostile q (%.1f KB, %d terms): %d in %.0f ms (budget 2000 ms); JWKS meanwhile n=%d p50=%.2f ms "
          "max=%.2f ms" % (len(query) / 1000, 2222, outcome["status"], outcome["ms"], len(jwks),
                           jwks[len(jwks) // 2] if jwks else float("nan"), jwks[-1] if jwks else float("nan")))


empty, _ = serve(write([]))
try:
    time.sleep(1)
    idle = rss(empty.pid)
finally:
    empty.terminate()
    empty.wait()

users = [{"user_id": "auth0|%024x" % (i + 1), "email": "user%d@example.com" % i, "email_verified": i % 2 == 0,
          "name": "User %d" % i, "connection": connection,
          "app_metadata": {"customer_id": "c%d" % i, "plan": PLANS[i % 4]}} for i in range(USERS)]
server, loaded_in = serve(write(users))
try:
    bearer = token()
    print("loaded %d users in %.1f s; load average: %s" % (
        USERS, loaded_in, " ".join(open("/proc/loadavg").read().split()[:3])))
    kinds = [
        ("email exact", lambda i: 'email:"user%d@example.com"' % (i * 997 % USERS), 1),
        ("app_metadata exact", lambda i: 'app_metadata.customer_id:"c%d"' % (i * 991 % USERS), 1),
        ("email trailing wildcard", lambda i: "email:user%d*" % (1000 + i * 7 % 9000), None),
    ]
    for name, make, hits in kinds:
        # Warm-up: the first search after the users were loaded or changed is a scan, the next
        # one builds the field's index (user_index.rs); both are shown, not counted.
        warm = [search(bearer, make(0))[0], search(bearer, make(1))[0]]
        times = []
        for i in range(N):
            ms, body = search(bearer, make(i))
            if hits is not None and body["total"] != hits:
                sys.exit("%s: %r found %d users, expected %d" % (name, make(i), body["total"], hits))
            times.append(ms)
        times.sort()
        print("%-24s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms (last total %d; warm-up %.1f ms, %.1f ms)" % (
            name, N, times[N // 2], times[max(0, int(N * 0.99) - 1)], times[-1], body["total"], *warm))
    hostile(bearer)
    after = rss(server.pid)
    print("RSS empty tenant %.1f MiB; with %d users %.1f MiB (peak %.1f MiB); %.1f MiB per 100k users" % (
        idle["VmRSS"] / 1024, USERS, after["VmRSS"] / 1024, after["VmHWM"] / 1024,
        (after["VmRSS"] - idle["VmRSS"]) / 1024 * 100_000 / USERS))
    print("load average: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
finally:
    server.terminate()
    server.wait()
