#!/usr/bin/env python3
"""entity.find over 100,000 generated Capture records: p50/p99 per query kind, and server memory.

    bench/entity_find.py target/release/authmock [requests per query kind, default 100]

Writes a fixture with the default app plus N generated users (emails user<i>@example.com,
`created` spread over 2010-2024), starts `authmock serve` on it (loopback, free ports are not
guessed: 24720/24721), waits for it, then times entity.find with Basic auth: equality on email and
a range on `created` (100 results a page), and an exporter's page, `id > N` sorted on `id`, 1,000
results (N spread over the records). RSS is read from /proc after the searches; an app with no
records is started first, so the per-100k figure is the difference. Standard library only.
"""
import base64, json, os, subprocess, sys, tempfile, time, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN, N = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
RECORDS = 100_000
OWNER = (b"h3vz9kx5pd2rm8wq4tb7nc6jys2fea9g", b"z7pk3wn9dx5qb2hr8ct4vm6jyf2sga4e")

fixture = json.load(open(os.path.join(ROOT, "fixtures", "janrain-app.json")))
fixture["users"] = [{
    "uuid": "%08x-0000-4000-8000-%012x" % (i, i), "email": "user%d@example.com" % i, "password": None,
    "givenName": "G%d" % i, "familyName": "F%d" % (i % 500), "displayName": "U %d" % i,
    "attributes": {"created": "20%02d-%02d-%02d 10:00:00.000000 +0000" % (10 + i % 15, 1 + i % 12, 1 + i % 28)},
} for i in range(RECORDS)]
# The fixture written (tens of MB), removed when the script ends.
WORK = tempfile.TemporaryDirectory(prefix="authmock-entity-find-")
path = os.path.join(WORK.name, "janrain-100k.json")
json.dump(fixture, open(path, "w"))

def serve(fixture_path):
    return subprocess.Popen([BIN, "serve", "--port", "24720", "--janrain-port", "24721", "--janrain-fixture",
                             fixture_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def rss(pid):
    status = open("/proc/%d/status" % pid).read()
    return {l.split(":")[0]: int(l.split()[1]) for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))}


empty_path = os.path.join(os.path.dirname(path), "janrain-empty.json")
json.dump(dict(fixture, users=[]), open(empty_path, "w"))
empty = serve(empty_path)
try:
    while True:
        try:
            urllib.request.urlopen("http://127.0.0.1:24721/__authmock__/health", timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    time.sleep(1)
    idle = rss(empty.pid)
finally:
    empty.terminate()
    empty.wait()

server = serve(path)
auth = "Basic " + base64.b64encode(OWNER[0] + b":" + OWNER[1]).decode()

def call(call, params):
    body = urllib.parse.urlencode(dict(type_name="user", **params)).encode()
    req = urllib.request.Request("http://127.0.0.1:24721/" + call, data=body, headers={"Authorization": auth})
    started = time.perf_counter()
    reply = urllib.request.urlopen(req, timeout=30).read()
    return (time.perf_counter() - started) * 1000, json.loads(reply)

try:
    started = time.time()
    while True:
        try:
            _, count = call("entity.count", {})
            break
        except OSError:
            time.sleep(0.2)
    print("loaded %d records in %.1f s" % (count["total_count"], time.time() - started))
    kinds = [
        ("email equality", lambda i: {"filter": "email = 'user%d@example.com'" % (i * 997 % RECORDS)}, 1),
        ("created range", lambda i: {"filter": "created > '2020-01-01' and created < '2021-01-01'"}, 100),
        ("id > N page of 1,000", lambda i: {"filter": "id > %d" % (i * 991 % (RECORDS - 1000)),
                                            "sort_on": '["id"]', "max_results": "1000"}, 1000),
    ]
    for name, make, hits in kinds:
        times = []
        for i in range(N):
            params = dict({"max_results": "100", "attributes": '["id", "email"]'}, **make(i))
            ms, body = call("entity.find", params)
            if body.get("result_count") != hits:
                sys.exit("%s: %r gave %s" % (name, params, json.dumps(body)[:200]))
            times.append(ms)
        times.sort()
        print("%-20s n=%d p50=%.1f ms p99=%.1f ms" % (name, N, times[N // 2], times[max(0, int(N * 0.99) - 1)]))
    after = rss(server.pid)
    print("RSS empty app %.1f MiB; with %d records %.1f MiB (peak %.1f MiB); %.1f MiB per 100k records" % (
        idle["VmRSS"] / 1024, RECORDS, after["VmRSS"] / 1024, after["VmHWM"] / 1024,
        (after["VmRSS"] - idle["VmRSS"]) / 1024 * 100_000 / RECORDS))
    print("load average: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
finally:
    server.terminate()
    server.wait()
