//! The Universal Login page and the step after it (facts auth0-login.md §2):
//! `GET /u/login?state=S` renders the form, `POST /u/login?state=S` checks the credentials, and
//! `GET /authorize/resume?state=S` answers the application's callback.
//!
//! The transaction `state` is bound to the browser's session cookie, which is what protects the
//! form from cross-site posts (login CSRF): a form posted with a state the posting browser's
//! cookie does not own finds no session, exactly the provider's "couldn't find your session"
//! page. A transaction logs in once and resumes once, so replayed posts and resumed URLs fail.

use std::collections::HashMap;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth0::login::authorize::{Answer, Outcome, error_to_callback, finish_with, query_params, request_id};
use crate::auth0::login::session;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::brute_force::{self, Attempt, Refusal};
use crate::auth0::tenant::custom_db::{self, ScriptRefusal};
use crate::auth0::tenant::logins::Transaction;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::users::User;
use crate::auth0::wire::body::read_capped;
use crate::auth0::wire::login_error::{CallbackError, PageError};
use crate::auth0::wire::login_text::{self, EMAIL_REQUIRED, PASSWORD_REQUIRED, USER_BLOCKED, WRONG_CREDENTIALS};
use crate::auth0::wire::respond::{html, with_hint};
use crate::core::peer::Peer;

/// A login form is a few hundred bytes; anything bigger is not a browser filling it.
const MAX_FORM_BYTES: usize = 64 * 1024;

pub(super) fn state_param(req: &Request) -> String {
    query_params(req.uri().query())
        .into_iter()
        .find(|(name, _)| name == "state")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The transaction behind `ul_state`, if the browser's cookie owns it.
pub(super) fn transaction(state: &TenantState, ul_state: &str, cookie: Option<&str>) -> Result<Transaction, PageError> {
    let transaction = state
        .logins()
        .transactions
        .get(ul_state)
        .ok_or(PageError::SessionNotFound {
            why: "no login transaction has this state (finished, expired, or never started: begin at /authorize)",
        })?;
    if cookie != Some(transaction.session.as_str()) {
        return Err(PageError::SessionNotFound {
            why: "the transaction belongs to another browser: the auth0 session cookie set by /authorize did not \
                  come back",
        });
    }
    Ok(transaction.clone())
}

/// `GET /u/login`: the form.
#[tracing::instrument(skip_all)]
pub(super) async fn show(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let cookie = session::from_headers(req.headers());
    match form_page(&tenant, &state_param(&req), cookie.as_deref()) {
        Ok(page) => with_hint(
            html(StatusCode::OK, page),
            "the Universal Login form: post state, username, password and action=default back here".into(),
        ),
        Err(error) => login_text::error_page(tenant.name(), &rid, &error),
    }
}

/// The form of a transaction the browser owns and that has not logged in yet.
fn form_page(tenant: &Tenant, ul_state: &str, cookie: Option<&str>) -> Result<String, PageError> {
    let state = tenant.state();
    let transaction = transaction(&state, ul_state, cookie)?;
    if transaction.authenticated {
        return Err(PageError::SessionNotFound {
            why: "this transaction already logged in: follow /authorize/resume",
        });
    }
    let client_name = state
        .client(&transaction.request.client_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    drop(state);
    let hint = transaction.request.login_hint.unwrap_or_default();
    Ok(login_text::login_page(
        tenant.name(),
        &client_name,
        ul_state,
        &hint,
        None,
    ))
}

/// `POST /u/login`: credentials in, then `/authorize/resume` or the form again with its error.
#[tracing::instrument(skip_all)]
pub(super) async fn submit(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let query_state = state_param(&req);
    let cookie = session::from_headers(req.headers());
    let remembered = session::remembered(req.headers());
    // A browser names no one else's address: the caller's own is counted (`brute_force.rs`).
    let ip = brute_force::caller_ip(Peer::of(req.extensions()));
    let form = match read_form(req).await {
        Ok(form) => form,
        Err(error) => return login_text::error_page(tenant.name(), &rid, &error),
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    // The form's hidden `state` wins; the query's is the same on a browser post.
    let ul_state = Some(field("state")).filter(|s| !s.is_empty()).unwrap_or(&query_state);
    let attempt = Attempt {
        identifier: &field("username").trim().to_lowercase(),
        password: field("password"),
        ip: &ip,
    };
    if let Err(Retry { status, hint, page }) = lazy_migration(&tenant, ul_state, cookie.as_deref(), &attempt).await {
        return with_hint(html(status, page), hint);
    }
    match log_in(&tenant, ul_state, cookie.as_deref(), remembered.as_deref(), &attempt) {
        Ok(answer) => answer.respond(&tenant, &rid),
        Err(Retry { status, hint, page }) => with_hint(html(status, page), hint),
    }
}

/// Lazy migration (`tenant/custom_db.rs`): a custom database's `login` script runs, outside the
/// lock, for an email its connection has no user for, before the credentials are checked as
/// any other. Its refusals are the form again: `UnauthorizedError`'s message (doc: New Universal
/// Login shows it), or the script-error text.
async fn lazy_migration(
    tenant: &Tenant,
    ul_state: &str,
    cookie: Option<&str>,
    attempt: &Attempt<'_>,
) -> Result<(), Retry> {
    let (connection, client_name) = {
        let state = tenant.state();
        let Ok(t) = transaction(&state, ul_state, cookie) else {
            return Ok(());
        };
        let connection =
            crate::auth0::login::connection::for_login(&state, &t.request.client_id, t.request.connection.as_deref());
        let client_name = state
            .client(&t.request.client_id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        (connection, client_name)
    };
    let (message, hint) =
        match custom_db::migrate_on_login(tenant, &connection, attempt.identifier, attempt.password).await {
            Ok(_) => return Ok(()),
            Err(ScriptRefusal::Unauthorized(message)) => (
                message,
                "the connection's login script called back UnauthorizedError: the page shows its message".to_owned(),
            ),
            Err(ScriptRefusal::Failed(why)) => (login_text::SCRIPT_ERROR.to_owned(), why),
        };
    Err(Retry {
        status: StatusCode::BAD_REQUEST,
        hint,
        page: login_text::login_page(
            tenant.name(),
            &client_name,
            ul_state,
            attempt.identifier,
            Some(&message),
        ),
    })
}

/// The posted login form's fields.
pub(super) async fn read_form(req: Request) -> Result<HashMap<String, String>, PageError> {
    let Ok((_, bytes)) = read_capped(req, MAX_FORM_BYTES).await else {
        return Err(PageError::BadForm {
            detail: "the login form body is too large",
        });
    };
    serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::BadForm {
        detail: "the login form body is not url-encoded",
    })
}

/// The form shown again with an error.
struct Retry {
    status: StatusCode,
    hint: String,
    page: String,
}

/// Checks the credentials for a transaction (domain of `POST /u/login`), through the attack
/// protection every password login shares.
fn log_in(
    tenant: &Tenant,
    ul_state: &str,
    cookie: Option<&str>,
    remembered: Option<&str>,
    attempt: &Attempt<'_>,
) -> Result<Answer, Retry> {
    let mut guard = tenant.state();
    let state = &mut *guard;
    let page_error = |error| {
        Ok(Answer {
            outcome: Outcome::Page(error),
            set_session: None,
        })
    };
    let transaction = match transaction(state, ul_state, cookie) {
        Ok(t) if t.authenticated => {
            return page_error(PageError::SessionNotFound {
                why: "this form was already posted successfully (a replayed post)",
            });
        }
        Ok(t) => t,
        Err(error) => return page_error(error),
    };
    let client_name = state
        .client(&transaction.request.client_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let retry = |message: &'static str, hint: String, username: &str| Retry {
        status: StatusCode::BAD_REQUEST,
        hint,
        page: login_text::login_page(tenant.name(), &client_name, ul_state, username, Some(message)),
    };
    let username = attempt.identifier;
    if username.is_empty() {
        return Err(retry(EMAIL_REQUIRED, "the form's username is empty".into(), ""));
    }
    if attempt.password.is_empty() {
        return Err(retry(
            PASSWORD_REQUIRED,
            "the form's password is empty".into(),
            username,
        ));
    }
    let connection = crate::auth0::login::connection::for_login(
        state,
        &transaction.request.client_id,
        transaction.request.connection.as_deref(),
    );
    let in_connection = |u: &User| u.connection == connection || connection.is_empty();
    let user = match brute_force::verify_password(tenant, state, attempt, in_connection) {
        Ok(user) => user,
        Err(Refusal::Blocked) => {
            let hint = format!(
                "{username} is blocked from {} by brute-force protection: the unblock mail's link, DELETE \
                 /api/v2/user-blocks or a password change lifts it",
                attempt.ip
            );
            return Err(retry(USER_BLOCKED, hint, username));
        }
        Err(Refusal::UnknownUser | Refusal::WrongPassword) => {
            let hint = format!(
                "no user {username} with that password in connection {connection}: GET /__authmock__/tenant lists \
                 the seeded users and their passwords"
            );
            return Err(retry(WRONG_CREDENTIALS, hint, username));
        }
    };
    let request = transaction.request.clone();
    if user.is_blocked() {
        state.logins_mut().0.transactions.remove(ul_state);
        return Ok(Answer {
            outcome: error_to_callback(
                &CallbackError::UserBlocked { email: user.email },
                request.redirect_uri,
                request.response_mode,
                request.state,
            ),
            set_session: None,
        });
    }
    // A second factor owed: the browser goes on to /authorize/resume, which sends it to the MFA
    // page (obs: facts auth0-mfa-orgs.md A8); the session stays anonymous until the code passes.
    if crate::auth0::login::mfa_gate::owe(tenant, state, ul_state, &transaction, &user, remembered) {
        return Ok(Answer {
            outcome: Outcome::Login {
                location: resume_location(ul_state),
                hint: format!(
                    "{} passed the password and owes a second factor: /authorize/resume sends the browser to the \
                     MFA page",
                    user.email
                ),
            },
            set_session: None,
        });
    }
    let session = sign_in(tenant, state, ul_state, &transaction.session, &user.user_id, false);
    Ok(Answer {
        outcome: Outcome::Login {
            location: resume_location(ul_state),
            hint: format!("{} logged in; the browser continues at /authorize/resume", user.email),
        },
        // Both cookies, `auth0` and `auth0_compat`, carry the new id.
        set_session: Some(session),
    })
}

/// `/authorize/resume?state=…`, relative (facts §2).
pub(super) fn resume_location(ul_state: &str) -> String {
    format!(
        "/authorize/resume?state={}",
        crate::auth0::wire::respond::encode(ul_state)
    )
}

/// Logs the transaction's browser in as `user_id` (with a second factor passed, `mfa`) and
/// answers the session's new id: a new session id at authentication, so the anonymous cookie the
/// browser came with (perhaps planted) is worth nothing from here on.
pub(super) fn sign_in(
    tenant: &Tenant,
    state: &mut TenantState,
    ul_state: &str,
    old_session: &str,
    user_id: &str,
    mfa: bool,
) -> String {
    let now = tenant.clock();
    let (logins, rng) = state.logins_mut();
    let session = logins.authenticate_session(rng, old_session, user_id, now.unix());
    if let Some(s) = logins.sessions.get_mut(&session) {
        s.mfa = mfa;
    }
    if let Some(user) = state.user_mut(user_id) {
        user.logins_count += 1;
        user.last_login = Some(now.now());
    }
    if let Some(t) = state.logins_mut().0.transactions.get_mut(ul_state) {
        t.authenticated = true;
    }
    session
}

/// `GET /authorize/resume`: the logged-in transaction answers the application's callback, once.
#[tracing::instrument(skip_all)]
pub(super) async fn resume(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let cookie = session::from_headers(req.headers());
    resumed(&tenant, &state_param(&req), cookie.as_deref()).respond(&tenant, &rid)
}

/// The callback answer of a logged-in transaction, which ends with it.
fn resumed(tenant: &Tenant, ul_state: &str, cookie: Option<&str>) -> Answer {
    let mut guard = tenant.state();
    let state = &mut *guard;
    match transaction(state, ul_state, cookie) {
        Ok(t) if t.authenticated => {
            state.logins_mut().0.transactions.remove(ul_state);
            let user_id = state
                .logins()
                .sessions
                .get(&t.session)
                .and_then(|s| s.user_id.clone())
                .unwrap_or_default();
            Answer {
                outcome: finish_with(tenant, state, &t.request, &user_id, &t.session, t.mfa.passed),
                // facts §2: the session cookies are set again here.
                set_session: Some(t.session),
            }
        }
        // obs (facts auth0-mfa-orgs.md A8): a second factor owed, the MFA page first.
        Ok(t) if t.mfa.owed_by.is_some() => Answer {
            outcome: Outcome::Login {
                location: crate::auth0::login::mfa_gate::location(&t, ul_state),
                hint: "the password passed and a second factor is owed: the MFA page first".into(),
            },
            set_session: None,
        },
        Ok(_) => Answer {
            outcome: Outcome::Page(PageError::SessionNotFound {
                why: "the transaction has not logged in yet: post the form at /u/login first",
            }),
            set_session: None,
        },
        Err(error) => Answer {
            outcome: Outcome::Page(error),
            set_session: None,
        },
    }
}
