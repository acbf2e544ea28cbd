#!/usr/bin/env python3
"""An adapter that misbehaves in one chosen way, for the harness's own robustness tests.

Usage: misbehaving.py MODE MARKER
  crash        the first process to get a `run` (the one that creates MARKER) writes to stderr
               and exits mid-scenario; later processes work
  silent       the first process to get a `run` never answers it; later processes work
  invalid      every `run` is answered with an error object that lacks `status`
  unsupported  lists auth0.create_password_change_ticket in `start`, then answers it unsupported
Otherwise it fetches a management token correctly (the only operation it implements well).
"""
import json
import os
import sys
import time
import urllib.request

MODE, MARKER = sys.argv[1], sys.argv[2]


def first():
    """True for exactly one process: the one that creates the marker file."""
    try:
        os.close(os.open(MARKER, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def token(p):
    body = json.dumps({"grant_type": "client_credentials", "client_id": p["client_id"],
                       "client_secret": p["client_secret"], "audience": p["audience"]}).encode()
    req = urllib.request.Request(p["base_url"] + "/oauth/token", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return {"access_token": json.loads(resp.read())["access_token"]}


OPS = ["auth0.get_management_token"]
if MODE == "unsupported":
    OPS.append("auth0.create_password_change_ticket")

for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "start":
        out = {"ok": True, "name": "misbehaving-" + MODE, "version": "0.1", "operations": OPS}
    elif msg["cmd"] == "stop":
        break
    elif MODE == "crash" and first():
        print("misbehaving adapter: KeyError 'ticket' while handling " + msg["op"], file=sys.stderr, flush=True)
        sys.exit(3)
    elif MODE == "silent" and first():
        time.sleep(60)
        continue
    elif MODE == "invalid":
        out = {"seq": msg["seq"], "ok": False, "error": {"body": {"message": "no status here"}}}
    elif msg["op"] != "auth0.get_management_token":
        out = {"seq": msg["seq"], "ok": False, "unsupported": True}
    else:
        out = {"seq": msg["seq"], "ok": True, "result": token(msg["provider"])}
    print(json.dumps(out), flush=True)
