#!/usr/bin/env python3
"""authmock adapter (protocol v1) for janrain-python-api 0.4.0, Janrain's own Python client for
the Capture server-side API, used unmodified.

The library's `janrain.capture.Api` signs every call by default (`sign_requests=True`): it takes
`client_id` and `client_secret` out of the parameters and sends `Authorization: Signature
<client_id>:<HMAC-SHA1>` with a `Date` header instead. The four Entity operations of the
protocol (docs/adapter-protocol.md) map onto `Api.call`:

    janrain.entity_find    entity.find   (type_name, filter, optional attributes, max_results)
    janrain.entity_create  entity.create (type_name, attributes)
    janrain.entity_update  entity.update (type_name, uuid, attributes)
    janrain.entity_delete  entity.delete (type_name, uuid)

The library raises `ApiResponseError` (with the body as `.response`) for `"stat":"error"`, but
does not expose the HTTP status; the adapter reads it off the `requests` response the library
received, by wrapping `requests.post` (which the library calls) with a function that remembers
the response and changes nothing else. An HTTP error without a JSON body is reported with its
text.
"""
import json
import sys

import requests
from janrain.capture import Api
from janrain.capture.exceptions import ApiResponseError
from janrain.capture.version import get_version

OPERATIONS = [
    "janrain.entity_find",
    "janrain.entity_create",
    "janrain.entity_update",
    "janrain.entity_delete",
]

_post = requests.post
_last = {}


def remembering_post(*args, **kwargs):
    """requests.post, remembering the response so an error can be reported with its status."""
    response = _post(*args, **kwargs)
    _last["response"] = response
    return response


requests.post = remembering_post


def entity_call(p, op, args):
    api = Api(p["base_url"], {"client_id": p["api_client_id"], "client_secret": p["api_client_secret"]})
    if op == "janrain.entity_find":
        params = {"type_name": args["type_name"], "filter": args["filter"]}
        for key in ("attributes", "max_results"):
            if key in args:
                params[key] = args[key]
        body = api.call("entity.find", **params)
        return {"results": body["results"]}
    if op == "janrain.entity_create":
        body = api.call("entity.create", type_name=args["type_name"], attributes=args["attributes"])
        return {"uuid": body["uuid"], "id": body["id"]}
    if op == "janrain.entity_update":
        api.call("entity.update", type_name=args["type_name"], uuid=args["uuid"], attributes=args["attributes"])
        return {}
    if op == "janrain.entity_delete":
        api.call("entity.delete", type_name=args["type_name"], uuid=args["uuid"])
        return {}
    return None


def run(seq, op, p, args):
    _last.clear()
    try:
        result = entity_call(p, op, args)
    except ApiResponseError as err:
        status = _last["response"].status_code if "response" in _last else 200
        return {"seq": seq, "ok": False, "error": {"status": status, "body": err.response}}
    except requests.HTTPError as err:
        response = err.response
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return {"seq": seq, "ok": False, "error": {"status": response.status_code, "body": body}}
    if result is None:
        return {"seq": seq, "ok": False, "unsupported": True}
    return {"seq": seq, "ok": True, "result": result}


def main():
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "stop":
            break
        if msg["cmd"] == "start":
            out = {"ok": True, "name": "janrain-python-api (signed requests)", "version": get_version(),
                   "operations": OPERATIONS}
        else:
            out = run(msg["seq"], msg["op"], msg["provider"], msg["args"])
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
