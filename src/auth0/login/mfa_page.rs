//! Universal Login MFA (facts auth0-mfa-orgs.md A8): after the password, a login the tenant's
//! policy covers (or one whose `acr_values` asks for multi-factor, a step-up) goes from
//! `/authorize/resume` to the OTP challenge, `/u/mfa-otp-challenge?state=S`, or, for a user with
//! no authenticator, the OTP enrolment, `/u/mfa-otp-enrollment-qr?state=S`. The form posts
//! `state`, `code`, `action=default` and optionally `rememberBrowser=true` back to the same URL;
//! a good code logs the browser in and sends it to `/authorize/resume` again, which answers the
//! callback with `acr` and `amr: ["mfa"]` in the ID token.
//!
//! The code is checked as the `mfa-otp` grant checks it (`tenant/mfa.rs`): the same user bucket
//! of ten failures, a code used once refused after. The transaction stays bound to the browser's
//! cookie as the login form's is, and until the code passes the session is not logged in: a
//! resume skips nothing, and another browser finds no session.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth0::login::authorize::request_id;
use crate::auth0::login::login_page::{read_form, resume_location, sign_in, state_param, transaction};
use crate::auth0::login::session;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::guardian::REMEMBER_TTL;
use crate::auth0::tenant::logins::Transaction;
use crate::auth0::tenant::mfa;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::login_error::PageError;
use crate::auth0::wire::login_text;
use crate::auth0::wire::mfa_error::MfaError;
use crate::auth0::wire::mfa_text::{self, CODE_FORMAT, CODE_REQUIRED, INVALID_CODE, TOO_MANY_CODES};
use crate::auth0::wire::respond::{found_encoded, html, with_hint};

/// The transaction behind the page's `state`, if the browser owns it and it owes a code.
fn owing(state: &TenantState, ul_state: &str, cookie: Option<&str>) -> Result<Transaction, PageError> {
    let t = transaction(state, ul_state, cookie)?;
    if t.authenticated {
        return Err(PageError::SessionNotFound {
            why: "this transaction already passed its second factor (a replayed post): follow /authorize/resume",
        });
    }
    if t.mfa.owed_by.is_none() {
        return Err(PageError::SessionNotFound {
            why: "this transaction owes no second factor: log in at /u/login first",
        });
    }
    Ok(t)
}

/// The page of a transaction: enrolment while one is under way, else the challenge.
fn page(tenant: &Tenant, ul_state: &str, t: &Transaction, error: Option<&str>) -> String {
    let enrolment = t
        .mfa
        .enrolment
        .as_ref()
        .map(|(secret, uri)| mfa_text::Enrolment { secret, uri });
    mfa_text::otp_page(tenant.name(), ul_state, enrolment.as_ref(), error)
}

/// `GET /u/mfa-otp-challenge`, `GET /u/mfa-otp-enrollment-qr`: the form.
#[tracing::instrument(skip_all)]
pub(super) async fn show(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let cookie = session::from_headers(req.headers());
    let ul_state = state_param(&req);
    let found = owing(&tenant.state(), &ul_state, cookie.as_deref());
    match found {
        Ok(t) => {
            let hint = match &t.mfa.enrolment {
                Some(_) => {
                    "OTP enrolment: add the secret to an authenticator app (or read the code from GET \
                     /__authmock__/mfa/totp?user_id=<user_id>) and post state, code and action=default back here"
                }
                None => {
                    "the OTP challenge: post state, code (GET /__authmock__/mfa/totp?user_id=<user_id> shows the current one) \
                     and action=default back here"
                }
            };
            with_hint(html(StatusCode::OK, page(&tenant, &ul_state, &t, None)), hint.into())
        }
        Err(error) => login_text::error_page(tenant.name(), &rid, &error),
    }
}

/// `POST` of either page: the code in, then `/authorize/resume` or the page again with its error.
#[tracing::instrument(skip_all)]
pub(super) async fn submit(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let query_state = state_param(&req);
    let cookie = session::from_headers(req.headers());
    let https = tenant.base_url().starts_with("https://");
    let form = match read_form(req).await {
        Ok(form) => form,
        Err(error) => return login_text::error_page(tenant.name(), &rid, &error),
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let ul_state = Some(field("state")).filter(|s| !s.is_empty()).unwrap_or(&query_state);
    let code = field("code").trim();
    let remember = field("rememberBrowser") == "true";
    let now = tenant.clock().unix();
    let mut guard = tenant.state();
    let state = &mut *guard;
    let t = match owing(state, ul_state, cookie.as_deref()) {
        Ok(t) => t,
        Err(error) => return login_text::error_page(tenant.name(), &rid, &error),
    };
    let user_id = t.mfa.owed_by.clone().unwrap_or_default();
    let retry = |message: &str, hint: String| {
        with_hint(
            html(StatusCode::BAD_REQUEST, page(&tenant, ul_state, &t, Some(message))),
            hint,
        )
    };
    if code.is_empty() {
        return retry(CODE_REQUIRED, "the form's code is empty".into());
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return retry(CODE_FORMAT, "an OTP is six digits".into());
    }
    match mfa::verify_page_otp(state, &t.request.client_id, &user_id, code, now) {
        Ok(()) => {}
        // inf: the form's 400 for this text too (its status was not captured).
        Err(MfaError::TooManyCodes { retry_in_secs }) => {
            return retry(
                TOO_MANY_CODES,
                format!(
                    "ten failed codes for {user_id} (API and pages share the bucket): one attempt comes back in \
                     {retry_in_secs} s (move the tenant clock with POST /__authmock__/clock)"
                ),
            );
        }
        Err(_) => {
            return retry(
                INVALID_CODE,
                format!(
                    "not the current code of {user_id}'s OTP authenticator, or one already used: GET \
                     /__authmock__/mfa/totp?user_id={user_id} shows the current one"
                ),
            );
        }
    }
    let set_session = if t.mfa.step_up {
        if let Some(session) = state.logins_mut().0.sessions.get_mut(&t.session) {
            session.mfa = true;
        }
        None
    } else {
        Some(sign_in(&tenant, state, ul_state, &t.session, &user_id, true))
    };
    if let Some(stored) = state.logins_mut().0.transactions.get_mut(ul_state) {
        stored.authenticated = true;
        stored.mfa.passed = true;
        stored.mfa.owed_by = None;
        stored.mfa.enrolment = None;
    }
    let remembered = remember.then(|| mfa::remember_browser(state, &user_id, now));
    drop(guard);
    let mut response = with_hint(
        found_encoded(&resume_location(ul_state)),
        "the second factor passed; the browser continues at /authorize/resume".into(),
    );
    if let Some(id) = set_session {
        session::set(response.headers_mut(), &id, https);
    }
    if let Some(value) = remembered {
        session::set_remembered(response.headers_mut(), &value, REMEMBER_TTL, https);
    }
    response
}
