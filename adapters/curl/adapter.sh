#!/bin/sh
# authmock adapter (protocol v1, docs/adapter-protocol.md) in POSIX shell with curl and jq: the
# Auth0 operations as raw HTTP calls, for integrators who write their own.
#
#   authmock test --client "sh adapters/curl/adapter.sh"
#
# It reads one JSON message per line on stdin and writes one answer per line on stdout. It caches
# the Management API token until a minute before it expires, sends JSON bodies, and retries a 429
# (at most 3 times) once the x-ratelimit-reset time has come. Over https, curl trusts the CA named
# by CURL_CA_BUNDLE (`authmock test --tls` sets it). A failed curl (no connection) exits the
# adapter, which fails that one scenario.
set -u

reply=$(mktemp)
trap 'rm -f "$reply" "$reply.headers"' EXIT
token='' token_for='' renew_at=0
OPERATIONS=$(printf '"auth0.%s",' get_management_token create_password_change_ticket send_password_reset_email \
  set_user_password find_users_by_email login_with_password)
OPERATIONS="[${OPERATIONS%,}]"

# field PATH: a string from the current message, e.g. `field .provider.base_url`.
field() { printf '%s' "$line" | jq -r "$1"; }

# send METHOD PATH [BODY] [curl options…]: the request to the tenant, the body on stdin (so no password
# or client secret is on a command line); sets $status, and leaves the response body in $reply.
send() {
  method=$1 path=$2 body=${3:-}
  shift 2; [ $# -gt 0 ] && shift
  [ -n "$body" ] && set -- -H 'Content-Type: application/json' --data-binary @- "$@"
  tries=0
  while :; do
    status=$(printf '%s' "$body" | curl -sS -X "$method" "$base$path" -o "$reply" -D "$reply.headers" \
      -w '%{http_code}' "$@") || exit 1
    [ "$status" = 429 ] && [ "$tries" -lt 3 ] || return 0
    tries=$((tries + 1))
    reset=$(tr -d '\r' <"$reply.headers" | sed -n 's/^[Xx]-[Rr]ate[Ll]imit-[Rr]eset: *//p')
    wait=$((${reset:-0} - $(date +%s)))
    sleep $((wait > 0 ? wait : 0))
  done
}

# answer FILTER: the protocol answer for the last response; FILTER turns a 2xx body into the result.
answer() {
  if [ "$status" -lt 300 ]; then
    jq -Rsc --argjson seq "$seq" "(try fromjson catch .) | {seq: \$seq, ok: true, result: ($1)}" "$reply"
  else
    jq -Rsc --argjson seq "$seq" --argjson status "$status" \
      '{seq: $seq, ok: false, error: {status: $status, body: (try fromjson catch .)}}' "$reply"
  fi
}

# management_token: sets $token, from the cache or from POST /oauth/token; non-zero if refused.
management_token() {
  key="$base $client_id"
  [ "$key" = "$token_for" ] && [ "$(date +%s)" -lt "$renew_at" ] && return 0
  send POST /oauth/token "$(field '.provider | {grant_type: "client_credentials", client_id, client_secret, audience}')"
  [ "$status" -lt 300 ] || return 1
  token=$(jq -r .access_token "$reply") token_for=$key
  renew_at=$(($(date +%s) + $(jq -r .expires_in "$reply") - 60))
}

run() {
  case $op in
  auth0.get_management_token)
    if management_token; then
      jq -nc --argjson seq "$seq" --arg token "$token" '{seq: $seq, ok: true, result: {access_token: $token}}'
    else answer .; fi ;;
  auth0.create_password_change_ticket)
    management_token || { answer .; return; }
    send POST /api/v2/tickets/password-change "$(field '.provider.connection_id as $c | .args
      | (if has("user_id") then {user_id} else {email, connection_id: $c} end)
      + with_entries(select(.key | IN("result_url", "ttl_sec", "client_id", "mark_email_as_verified", "includeEmailInRedirect")))')" \
      -H "Authorization: Bearer $token"
    answer . ;;
  auth0.send_password_reset_email)
    send POST /dbconnections/change_password \
      "$(field '{client_id: .provider.login_client_id, email: .args.email, connection: .provider.connection}')"
    answer '{message: .}' ;;
  auth0.set_user_password)
    management_token || { answer .; return; }
    send PATCH "/api/v2/users/$(field '.args.user_id | @uri')" \
      "$(field '{password: .args.password, connection: .provider.connection}')" -H "Authorization: Bearer $token"
    answer . ;;
  auth0.find_users_by_email)
    management_token || { answer .; return; }
    send GET "/api/v2/users-by-email?email=$(field '.args.email | @uri')" '' -H "Authorization: Bearer $token"
    answer '{users: .}' ;;
  auth0.login_with_password)
    send POST /oauth/token "$(field '{grant_type: "http://auth0.com/oauth/grant-type/password-realm",
      client_id: .provider.login_client_id, client_secret: .provider.login_client_secret,
      username: .args.email, password: .args.password, realm: .provider.connection, scope: "openid"}')"
    answer '{logged_in: has("access_token")}' ;;
  *)
    jq -nc --argjson seq "$seq" '{seq: $seq, ok: false, unsupported: true}' ;;
  esac
}

while IFS= read -r line; do
  # The fields every message needs, in one jq call (@sh quotes them for the shell).
  eval "$(field '@sh "cmd=\(.cmd) seq=\(.seq // 0) op=\(.op // "") base=\(.provider.base_url // "")
    client_id=\(.provider.client_id // "")"')"
  case $cmd in
  start) printf '{"ok":true,"name":"curl","version":"1","operations":%s}\n' "$OPERATIONS" ;;
  run) run ;;
  stop) exit 0 ;;
  esac
done
