#!/usr/bin/env python3
"""entity.find over 100,000 generated Capture records: p50/p99 per query kind, and server memory.

    bench/entity_find.py target/release/authmock [requests per query kind, default 100]

Writes a fixture with the default app plus N generated users (emails user<i>@example.com,
`created` spread over 2010-2024), starts `authmock serve` on it (loopback, free ports are not
guessed: 24720/24721), waits for it, then times entity.find with Basic auth, 100 results a page:
equality on email, and a range on `created`. Standard library only.
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
path = os.path.join(tempfile.mkdtemp(), "janrain-100k.json")
json.dump(fixture, open(path, "w"))

server = subprocess.Popen([BIN, "serve", "--port", "24720", "--janrain-port", "24721", "--janrain-fixture", path],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    for name, make in [("email equality", lambda i: "email = 'user%d@example.com'" % (i * 997 % RECORDS)),
                       ("created range", lambda i: "created > '2020-01-01' and created < '2021-01-01'")]:
        times = sorted(call("entity.find", {"filter": make(i), "max_results": "100",
                                            "attributes": '["id", "email"]'})[0] for i in range(N))
        print("%-15s n=%d p50=%.1f ms p99=%.1f ms" % (name, N, times[N // 2], times[max(0, int(N * 0.99) - 1)]))
    status = open("/proc/%d/status" % server.pid).read()
    print(" ".join(l for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))))
finally:
    server.terminate()
    server.wait()
