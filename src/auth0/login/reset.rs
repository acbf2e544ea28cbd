//! Redeeming a password-change ticket on the hosted page: the domain behind `hosted`.
//!
//! [`open`] hands out the form for a live ticket (and its per-ticket CSRF token); [`redeem`]
//! checks a submission (CSRF token, confirmation, the connection's password policy), sets the
//! password and consumes the ticket, all under one lock of the tenant state. Refusals are
//! [`ResetError`]s, rendered by `wire::reset_error` with the copy of `wire::text`.

use std::collections::HashMap;

use axum::http::StatusCode;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::{Ticket, TicketKind};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::reset_error::ResetError;
use crate::auth0::wire::text::{CONFIRMATION_MISSING, PASSWORD_MISSING, PASSWORDS_DIFFER, TOO_WEAK};
use crate::core::password::PasswordHash;

/// The reset form of a live ticket.
pub(super) struct Form {
    pub(crate) email: String,
    pub(crate) csrf: String,
}

/// Where a browser goes once the password changed.
pub(super) enum Done {
    /// Back to the ticket's `result_url`, with `success`/`message` (and `email` when asked).
    ResultUrl { url: String, email: Option<String> },
    /// The application's login route.
    Login(String),
    /// The success screen.
    Page,
}

/// The form for the ticket `secret`, with the CSRF token its post must carry back.
pub(super) fn open(tenant: &Tenant, secret: &str) -> Result<Form, ResetError> {
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let ticket = live_ticket(&state, secret, now)?.clone();
    let csrf = state.form_token(secret, |rng| random_alnum(rng, 32));
    let email = state.user(&ticket.user_id).map(|u| u.email.clone()).unwrap_or_default();
    Ok(Form { email, csrf })
}

/// Sets the password a submission of the form for `secret` asks for and consumes the ticket;
/// returns where the browser goes next and the hint naming the user.
pub(super) fn redeem(
    tenant: &Tenant,
    secret: &str,
    form: &HashMap<String, String>,
) -> Result<(Done, String), ResetError> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let now = tenant.clock();
    let mut state = tenant.state();
    let ticket = live_ticket(&state, secret, now.unix())?.clone();
    let csrf = state.form_tokens().get(secret).cloned();
    if csrf.is_none() || csrf.as_deref() != Some(field("_csrf")) {
        return Err(ResetError::Generic {
            status: StatusCode::FORBIDDEN,
            detail:
                "invalid or missing CSRF token: load the form with GET first and post its hidden `_csrf` field back"
                    .into(),
        });
    }
    let Some(user) = state.user(&ticket.user_id).cloned() else {
        return Err(ResetError::Generic {
            status: StatusCode::BAD_REQUEST,
            detail: "the ticket's user no longer exists".into(),
        });
    };
    let policy = state
        .connection_by_name(&user.connection)
        .map(|c| c.password_policy)
        .unwrap_or_default();
    let password = field("password");
    let problem = if password.is_empty() {
        Some(PASSWORD_MISSING.to_owned())
    } else if field("confirm_password").is_empty() {
        Some(CONFIRMATION_MISSING.to_owned())
    } else if password != field("confirm_password") {
        Some(PASSWORDS_DIFFER.to_owned())
    } else {
        policy
            .check(password)
            .err()
            .map(|weakness| format!("{TOO_WEAK}: {weakness}"))
    };
    if let Some(problem) = problem {
        return Err(ResetError::Retry {
            problem,
            email: user.email,
            csrf: csrf.unwrap_or_default(),
        });
    }
    // Checked above under the same lock, so redeeming cannot fail here.
    state
        .tickets_mut()
        .0
        .redeem(secret, now.unix())
        .map_err(|reason| ResetError::Ticket(reason, None))?;
    state.forget_form_token(secret);
    let hash = PasswordHash::new(state.rng(), password);
    let at = now.now();
    let login_uri = ticket
        .client_id
        .as_deref()
        .and_then(|id| state.client(id))
        .and_then(|c| c.login_uri.clone());
    if let Some(user) = state.user_mut(&ticket.user_id) {
        user.password = Some(hash);
        user.fixture_password = None;
        user.last_password_reset = Some(at);
        user.updated_at = at;
        if ticket.mark_email_as_verified {
            user.email_verified = true;
        }
    }
    let hint = format!("password of {} changed; the ticket is now used", user.email);
    let done = match (ticket.result_url, login_uri) {
        (Some(url), _) => Done::ResultUrl {
            url,
            email: ticket.include_email_in_redirect.then_some(user.email),
        },
        (None, Some(login)) => Done::Login(login),
        (None, None) => Done::Page,
    };
    Ok((done, hint))
}

/// The password-change ticket `secret`, if it can still be redeemed.
fn live_ticket<'s>(state: &'s TenantState, secret: &str, now: i64) -> Result<&'s Ticket, ResetError> {
    match state.tickets().check(secret, now) {
        Ok(entry) if entry.payload.kind == TicketKind::PasswordChange => Ok(&entry.payload),
        Ok(_) => Err(ResetError::WrongKind),
        Err(reason) => {
            let result_url = state
                .tickets()
                .peek(secret)
                .and_then(|entry| entry.payload.result_url.clone());
            Err(ResetError::Ticket(reason, result_url))
        }
    }
}
