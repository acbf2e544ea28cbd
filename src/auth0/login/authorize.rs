//! `GET /authorize`: the start of every browser login (facts auth0-login.md §1).
//!
//! The ladder, in the provider's order (facts §1.3, §11): `response_type` present → known
//! `client_id` → `redirect_uri` an allowed callback — until here every error renders the hosted
//! error page — then, with a callback proven, errors travel back to it in the response mode:
//! `response_type` value, grant enabled (an error page again, 403, as observed), response mode,
//! PKCE method, `audience`, `max_age`. A valid request then either answers straight away from
//! the SSO session, answers `login_required` (`prompt=none`), or sends the browser to the
//! Universal Login page with a new transaction bound to its session cookie.

use axum::extract::{Request, State};
use axum::response::Response;

use crate::auth0::login::callback::{self, Target};
use crate::auth0::login::connection::Settled;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::{
    AuthorizeRequest, CODE_TTL, Challenge, CodeGrant, ResponseMode, Transaction, TransactionMfa, random_alnum,
};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tokens::{ACCESS_TOKEN_TTL, Grant, IMPLICIT_USERINFO_TTL};
use crate::auth0::wire::login_error::{CallbackError, PageError};
use crate::auth0::wire::organization_pages::ORGANIZATION_PATH;
use crate::auth0::wire::respond::RequestId;
use crate::auth0::wire::respond::found_encoded;
use crate::auth0::wire::respond::with_hint;
use crate::auth0::{login::session, wire::login_text};
use crate::core::tokens;

/// The response types the provider lists (facts §1.1, §8); space-separated words in any order.
const RESPONSE_TYPES: [&[&str]; 7] = [
    &["code"],
    &["token"],
    &["id_token"],
    &["id_token", "token"],
    &["code", "token"],
    &["code", "id_token"],
    &["code", "id_token", "token"],
];

/// What `/authorize` (or `/authorize/resume`) decided.
pub(super) enum Outcome {
    /// Render the hosted error page.
    Page(PageError),
    /// Answer the application's callback.
    Callback {
        redirect_uri: String,
        mode: ResponseMode,
        params: Vec<(&'static str, String)>,
        hint: String,
    },
    /// Send the browser to the Universal Login page.
    Login { location: String, hint: String },
}

/// An outcome plus the session cookie to (re)set, if any.
pub(super) struct Answer {
    pub outcome: Outcome,
    pub set_session: Option<String>,
}

impl Answer {
    /// The HTTP response for a browser.
    pub fn respond(self, tenant: &Tenant, request_id: &str) -> Response {
        let mut response = match self.outcome {
            Outcome::Page(error) => login_text::error_page(tenant.name(), request_id, &error),
            Outcome::Callback {
                redirect_uri,
                mode,
                params,
                hint,
            } => with_hint(
                callback::deliver(
                    &Target {
                        redirect_uri: &redirect_uri,
                        mode,
                    },
                    &params,
                ),
                hint,
            ),
            Outcome::Login { location, hint } => with_hint(found_encoded(&location), hint),
        };
        if let Some(id) = self.set_session {
            session::set(response.headers_mut(), &id, tenant.base_url().starts_with("https://"));
        }
        response
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn authorize(State(tenant): State<Tenant>, req: Request) -> Response {
    let request_id = request_id(&req);
    let params = query_params(req.uri().query());
    let cookie = session::from_headers(req.headers());
    begin(&tenant, &params, cookie.as_deref()).respond(&tenant, &request_id)
}

/// The request id the router's middleware assigned (the error page's tracking id).
pub(super) fn request_id(req: &Request) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// Query parameters in order; the first of a repeated name wins.
pub(super) fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    pairs.retain(|(name, _)| seen.insert(name.clone()));
    pairs
}

/// A parameter's value, when given and not empty.
pub(super) fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Why a request was refused.
enum Refusal {
    Page(PageError),
    Callback(CallbackError, String, ResponseMode, Option<String>),
}

/// Handles one `/authorize` request.
pub(super) fn begin(tenant: &Tenant, params: &[(String, String)], cookie: Option<&str>) -> Answer {
    let now = tenant.clock().unix();
    let mut guard = tenant.state();
    let state = &mut *guard;
    let request = match validate(tenant, state, params) {
        Ok(request) => request,
        Err(Refusal::Page(error)) => {
            return Answer {
                outcome: Outcome::Page(error),
                set_session: None,
            };
        }
        Err(Refusal::Callback(error, redirect_uri, mode, client_state)) => {
            return Answer {
                outcome: error_to_callback(&error, redirect_uri, mode, client_state),
                set_session: None,
            };
        }
    };
    let prompt: Vec<&str> = param(params, "prompt").unwrap_or_default().split(' ').collect();
    let live = state.logins_mut().0.live_session(cookie, now).map(|s| s.clone());
    let authenticated = live.as_ref().filter(|s| s.user_id.is_some());
    // `max_age=0` always asks for the form (facts §2.1, DOC-maxage).
    let fresh_enough = |auth_time: i64| request.max_age.is_none_or(|max| max > 0 && now - auth_time <= max);
    let reusable = authenticated.filter(|s| !prompt.contains(&"login") && fresh_enough(s.auth_time));
    // Step-up (doc: facts auth0-mfa-orgs.md A8, DOC-stepup): `acr_values` asking for
    // multi-factor sends a session that did not pass a second factor to the MFA page.
    let requested = crate::auth0::login::mfa_gate::asks_mfa(param(params, "acr_values"));
    let mut step_up = None;
    if let (Some(session), Some(id)) = (reusable, cookie) {
        let user_id = session.user_id.clone().unwrap_or_default();
        if !requested || session.mfa {
            // inf: a step-up on a session that passed MFA asks nothing and its ID token says so.
            return Answer {
                outcome: finish_with(tenant, state, &request, &user_id, id, requested),
                set_session: None,
            };
        }
        step_up = Some(user_id);
    }
    if prompt.contains(&"none") {
        let error = match (&step_up, authenticated) {
            (Some(_), _) => CallbackError::MfaRequired,
            (None, None) => CallbackError::LoginRequired {
                why: "no authenticated session cookie (auth0) came with the request",
            },
            (None, Some(_)) => CallbackError::LoginRequired {
                why: "the session is older than max_age",
            },
        };
        return Answer {
            outcome: error_to_callback(
                &error,
                request.redirect_uri.clone(),
                request.response_mode,
                request.state.clone(),
            ),
            set_session: None,
        };
    }
    let (session_id, set_session) = match live {
        Some(_) => (cookie.unwrap_or_default().to_owned(), None),
        None => {
            let (logins, rng) = state.logins_mut();
            let id = logins.open_session(rng, now);
            (id.clone(), Some(id))
        }
    };
    let ul_state = ul_state(state.rng(), &request.client_id);
    state
        .logins_mut()
        .0
        .transactions
        .retain(|_, t| now < t.created_at + crate::auth0::tenant::logins::TRANSACTION_TTL);
    let mut mfa = TransactionMfa {
        requested,
        ..TransactionMfa::default()
    };
    // An application that requires an organization and prompts before the login asks for it
    // first (doc: DOC-org define-organization-behavior; facts B6 `/u/organization`).
    let prompt_first = step_up.is_none() && crate::auth0::login::connection::prompt_before_login(state, &request);
    let location = match &step_up {
        None if prompt_first => format!("{ORGANIZATION_PATH}?state={ul_state}"),
        None => format!("/u/login?state={ul_state}"),
        Some(user_id) => {
            match crate::auth0::login::mfa_gate::prepare(tenant, state, &request.client_id, user_id) {
                Some(enrolment) => {
                    mfa.owed_by = Some(user_id.clone());
                    mfa.enrolment = enrolment;
                    mfa.step_up = true;
                    crate::auth0::login::mfa_gate::page_location(mfa.enrolment.is_some(), &ul_state)
                }
                // Nothing the pages serve for this user: the login goes on without a second factor.
                None => {
                    return Answer {
                        outcome: finish_with(tenant, state, &request, user_id, &session_id, false),
                        set_session,
                    };
                }
            }
        }
    };
    let hint = match step_up {
        None if prompt_first => {
            "the application requires an organization and prompts for it before the login (pre_login_prompt)".into()
        }
        None => "no reusable session: the browser goes to the Universal Login page".into(),
        Some(_) => "acr_values asks for multi-factor and this session did not pass one: the MFA page".into(),
    };
    state.logins_mut().0.begin_transaction(
        ul_state.clone(),
        Transaction {
            request,
            session: session_id,
            created_at: now,
            authenticated: false,
            mfa,
        },
        now,
    );
    Answer {
        outcome: Outcome::Login { location, hint },
        set_session,
    }
}

fn validate(tenant: &Tenant, state: &TenantState, params: &[(String, String)]) -> Result<AuthorizeRequest, Refusal> {
    let response_type = param(params, "response_type").ok_or(Refusal::Page(PageError::MissingResponseType))?;
    let client_id = param(params, "client_id").ok_or(Refusal::Page(PageError::MissingClientId))?;
    let client = state.client(client_id).ok_or_else(|| {
        Refusal::Page(PageError::UnknownClient {
            client_id: client_id.to_owned(),
        })
    })?;
    let login = &client.login;
    let requested_mode = param(params, "response_mode");
    let sent_redirect = param(params, "redirect_uri");
    let redirect_uri = match sent_redirect {
        Some(uri) => uri,
        // inf: without redirect_uri the first allowed callback is used.
        None => login.callbacks.first().map(String::as_str).unwrap_or_default(),
    };
    let web_message = requested_mode == Some("web_message");
    let allowed = login.allows_callback(redirect_uri) || (web_message && login.allows_web_origin(redirect_uri));
    if !allowed {
        return Err(Refusal::Page(PageError::CallbackMismatch {
            redirect_uri: redirect_uri.to_owned(),
            allowed: login.callbacks.clone(),
        }));
    }
    let client_state = param(params, "state").map(str::to_owned);
    let mut words: Vec<&str> = response_type.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    let implicit = words.iter().any(|w| *w == "token" || *w == "id_token");
    let default_mode = if implicit {
        ResponseMode::Fragment
    } else {
        ResponseMode::Query
    };
    let to_callback = |error| Refusal::Callback(error, redirect_uri.to_owned(), default_mode, client_state.clone());
    if !RESPONSE_TYPES.contains(&words.as_slice()) {
        return Err(to_callback(CallbackError::UnsupportedResponseType {
            value: response_type.to_owned(),
        }));
    }
    let has_grant = |g: &str| client.grant_types.iter().any(|have| have == g);
    if implicit && !has_grant("implicit") {
        return Err(Refusal::Page(PageError::GrantNotAllowed {
            grant: "implicit",
            client_id: client_id.to_owned(),
        }));
    }
    if words.contains(&"code") && !has_grant("authorization_code") {
        return Err(Refusal::Page(PageError::GrantNotAllowed {
            grant: "authorization_code",
            client_id: client_id.to_owned(),
        }));
    }
    let response_mode = match requested_mode {
        None => default_mode,
        Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some("web_message") => ResponseMode::WebMessage,
        Some(other) => {
            return Err(to_callback(CallbackError::UnsupportedResponseMode {
                value: other.into(),
            }));
        }
    };
    if response_mode == ResponseMode::WebMessage {
        let origin = crate::auth0::tenant::applications::origin_of(redirect_uri).unwrap_or(redirect_uri);
        if !login.allows_web_origin(origin) {
            return Err(Refusal::Page(PageError::WebOriginNotAllowed {
                redirect_uri: redirect_uri.to_owned(),
                origin: origin.to_owned(),
                allowed: login.web_origins.clone(),
            }));
        }
    }
    let to_callback = |error| Refusal::Callback(error, redirect_uri.to_owned(), response_mode, client_state.clone());
    let code_challenge = match param(params, "code_challenge") {
        None => None,
        Some(value) => {
            // RFC 7636 §4.3: `plain` when the method is omitted.
            let method = param(params, "code_challenge_method").unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(to_callback(CallbackError::UnsupportedChallengeMethod {
                    value: method.into(),
                }));
            }
            Some(Challenge {
                value: value.to_owned(),
                method: method.to_owned(),
            })
        }
    };
    let audience = tenant.requested_audience(state, param(params, "audience"));
    if let Some(audience) = &audience
        && !tenant.is_management_audience(audience)
        && !state.apis().iter().any(|api| &api.identifier == audience)
    {
        return Err(to_callback(CallbackError::ServiceNotFound {
            audience: audience.clone(),
        }));
    }
    let max_age = match param(params, "max_age") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(secs) if secs >= 0 => Some(secs),
            _ => return Err(to_callback(CallbackError::InvalidMaxAge { value: text.into() })),
        },
    };
    let chosen = crate::auth0::login::connection::check(
        state,
        client,
        param(params, "connection"),
        param(params, "organization"),
    )
    .map_err(to_callback)?;
    let invitation = param(params, "invitation");
    if let Some(ticket) = invitation {
        crate::auth0::tenant::organizations::check_invitation(
            state,
            ticket,
            chosen.organization.as_deref(),
            client_id,
            tenant.clock().now(),
        )
        .map_err(to_callback)?;
    }
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        redirect_uri_sent: sent_redirect.is_some(),
        response_type: words.join(" "),
        response_mode,
        scope: param(params, "scope").unwrap_or_default().to_owned(),
        audience,
        state: client_state,
        nonce: param(params, "nonce").map(str::to_owned),
        code_challenge,
        max_age,
        login_hint: param(params, "login_hint").map(str::to_owned),
        connection: chosen.connection,
        organization: chosen.organization,
        invitation: invitation.map(str::to_owned),
    })
}

/// An error for the callback: `error`, `error_description`, then `state` (facts §1.3).
pub(super) fn error_to_callback(
    error: &CallbackError,
    redirect_uri: String,
    mode: ResponseMode,
    client_state: Option<String>,
) -> Outcome {
    let mut params = vec![
        ("error", error.error().to_owned()),
        ("error_description", error.description()),
    ];
    if let Some(client_state) = client_state {
        params.push(("state", client_state));
    }
    Outcome::Callback {
        redirect_uri,
        mode,
        params,
        hint: error.hint(),
    }
}

/// The successful answer for an authenticated session: a code and/or tokens, then `state`. A
/// login that passed a second factor (`mfa`) gives ID tokens (this one and the one its code
/// redeems for) `acr` and `amr` (facts auth0-mfa-orgs.md A8).
pub(super) fn finish_with(
    tenant: &Tenant,
    state: &mut TenantState,
    request: &AuthorizeRequest,
    user_id: &str,
    session_id: &str,
    mfa: bool,
) -> Outcome {
    let now = tenant.clock().unix();
    let Some(session) = state.logins().sessions.get(session_id).cloned() else {
        return Outcome::Page(PageError::SessionNotFound {
            why: "the session ended before the login finished",
        });
    };
    let Some(user) = state.user(user_id).cloned() else {
        return Outcome::Page(PageError::SessionNotFound {
            why: "the session's user no longer exists",
        });
    };
    // A login through an organization ends with the membership check (facts B6); an application
    // that prompts after the login and got none asks now.
    match crate::auth0::login::connection::settle(state, request, &user.user_id, tenant.clock().now()) {
        Settled::Go => {}
        Settled::Refused(error) => {
            return error_to_callback(
                &error,
                request.redirect_uri.clone(),
                request.response_mode,
                request.state.clone(),
            );
        }
        Settled::Prompt(path) => {
            let ul_state = ul_state(state.rng(), &request.client_id);
            let transaction = Transaction {
                request: request.clone(),
                session: session_id.to_owned(),
                created_at: now,
                authenticated: true,
                // The second factor, if passed, stays passed through the organization prompt.
                mfa: TransactionMfa {
                    passed: mfa,
                    ..TransactionMfa::default()
                },
            };
            state
                .logins_mut()
                .0
                .begin_transaction(ul_state.clone(), transaction, now);
            return Outcome::Login {
                location: format!("{path}?state={ul_state}"),
                hint: "the application requires an organization: the logged-in user chooses one".into(),
            };
        }
    }
    let organization = request
        .organization
        .as_deref()
        .and_then(|org| state.organization_claims(org));
    let words: Vec<&str> = request.response_type.split(' ').collect();
    let mut params: Vec<(&'static str, String)> = Vec::new();
    if words.contains(&"code") {
        let subject = random_alnum(state.rng(), 16);
        let grant = CodeGrant {
            request: request.clone(),
            user_id: user.user_id.clone(),
            sid: session.sid.clone(),
            auth_time: session.auth_time,
            issued: Default::default(),
            mfa,
        };
        let (logins, rng) = state.logins_mut();
        let code = logins.codes.issue(rng, &subject, grant, now, CODE_TTL);
        params.push(("code", code));
    }
    let (scope, permissions) = crate::auth0::tenant::rbac::apply_rbac_in(
        state,
        &user.user_id,
        request.organization.as_deref(),
        request.audience.as_deref(),
        &request.scope,
    );
    let id_token_ttl = state
        .client(&request.client_id)
        .map_or(crate::auth0::tenant::clients::DEFAULT_ID_TOKEN_LIFETIME, |c| {
            c.id_token_lifetime
        });
    let grant = Grant {
        client_id: &request.client_id,
        user: &user,
        audience: request.audience.as_deref(),
        scope: &scope,
        sid: &session.sid,
        auth_time: session.auth_time,
        gty: None,
        permissions,
        id_token_ttl,
        organization: organization.as_ref(),
    };
    if words.contains(&"token") {
        let ttl = if request.audience.is_some() {
            ACCESS_TOKEN_TTL
        } else {
            IMPLICIT_USERINFO_TTL
        };
        let token = grant.issue_access_token(tenant, state, ttl);
        params.push(("access_token", token.sign(tenant)));
        params.push(("scope", scope.clone()));
        params.push(("expires_in", ttl.to_string()));
        params.push(("token_type", "Bearer".into()));
    }
    if words.contains(&"id_token") {
        let claims = grant.id_token(tenant, request.nonce.as_deref());
        let claims = if mfa {
            crate::auth0::tenant::tokens::with_mfa(claims)
        } else {
            claims
        };
        params.push(("id_token", tokens::sign(tenant.key(), &claims)));
    }
    if let Some(client_state) = &request.state {
        params.push(("state", client_state.clone()));
    }
    Outcome::Callback {
        redirect_uri: request.redirect_uri.clone(),
        mode: request.response_mode,
        params,
        hint: format!("{} logged in; answering the callback", user.email),
    }
}

/// The Universal Login `state`: base64url of a MessagePack map `{h, n: "universal-login", tid,
/// cid}` (facts §1.2, obs: such states start `hKFo2SB`).
fn ul_state(rng: &mut impl rand::Rng, client_id: &str) -> String {
    use base64::Engine as _;
    let mut bytes = vec![0x84];
    for (key, value) in [
        ("h", random_alnum(rng, 32)),
        ("n", "universal-login".to_owned()),
        ("tid", random_alnum(rng, 32)),
        ("cid", client_id.to_owned()),
    ] {
        msgpack_str(&mut bytes, key);
        msgpack_str(&mut bytes, &value);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A MessagePack string: fixstr below 32 bytes, str8 up to 255 (longer values are cut).
fn msgpack_str(out: &mut Vec<u8>, s: &str) {
    let bytes = &s.as_bytes()[..s.len().min(255)];
    if bytes.len() < 32 {
        out.push(0xa0 | bytes.len() as u8);
    } else {
        out.push(0xd9);
        out.push(bytes.len() as u8);
    }
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;

    #[test]
    fn ul_state_has_the_observed_prefix() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        assert!(ul_state(&mut rng, "AsTykornV22ULCNYSO7bbOujhSJKy4sJ").starts_with("hKFo2SB"));
    }
}
