//! The prompts of an application that requires an organization and got none (facts
//! auth0-mfa-orgs.md B6): `GET`/`POST /u/organization` (its name, before the login,
//! `pre_login_prompt`) and `GET`/`POST /u/organization-picker` (one of the user's organizations,
//! after it, `post_login_prompt`). `connection.rs` decides when they are asked.
//!
//! The prompts work on the login transaction (bound to the browser's session cookie like the
//! login form): the one `/authorize` opened, or, when the user was already logged in, a new one
//! opened already authenticated, which `/authorize/resume` then finishes.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth0::login::authorize::{Answer, Outcome, error_to_callback, request_id};
use crate::auth0::login::login_page::{read_form, state_param, transaction};
use crate::auth0::login::session;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::Transaction;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::login_error::{CallbackError, PageError};
use crate::auth0::wire::login_text;
use crate::auth0::wire::organization_pages::{self as pages, ORGANIZATION_INVALID};
use crate::auth0::wire::respond::{encode, html, with_hint};

/// A prompt page, or the hosted error page for a transaction the browser does not own.
fn page(tenant: &Tenant, rid: &str, status: StatusCode, page: Result<String, PageError>, hint: &str) -> Response {
    match page {
        Ok(page) => with_hint(html(status, page), hint.into()),
        Err(error) => login_text::error_page(tenant.name(), rid, &error),
    }
}

/// The transaction behind a prompt: the browser's, still without an organization.
fn open_prompt(state: &TenantState, ul_state: &str, cookie: Option<&str>) -> Result<Transaction, PageError> {
    let transaction = transaction(state, ul_state, cookie)?;
    if transaction.request.organization.is_some() {
        return Err(PageError::SessionNotFound {
            why: "this transaction already has its organization: continue the login",
        });
    }
    Ok(transaction)
}

/// Where a transaction goes once its organization is known: the login form, or, when the user
/// is already logged in, `/authorize/resume`.
fn onwards(tenant: &Tenant, ul_state: &str, org: String, transaction: &Transaction) -> Answer {
    let mut state = tenant.state();
    if let Some(t) = state.logins_mut().0.transactions.get_mut(ul_state) {
        t.request.organization = Some(org.clone());
    }
    let location = if transaction.authenticated {
        format!("/authorize/resume?state={}", encode(ul_state))
    } else {
        format!("/u/login?state={}", encode(ul_state))
    };
    Answer {
        outcome: Outcome::Login {
            location,
            hint: format!("the login continues through organization {org}"),
        },
        set_session: None,
    }
}

/// `GET /u/organization`: asks for the organization's name.
#[tracing::instrument(skip_all)]
pub(super) async fn show_prompt(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let ul_state = state_param(&req);
    let cookie = session::from_headers(req.headers());
    let shown = open_prompt(&tenant.state(), &ul_state, cookie.as_deref())
        .map(|_| pages::organization_prompt(tenant.name(), &ul_state, "", None));
    page(
        &tenant,
        &rid,
        StatusCode::OK,
        shown,
        "the organization prompt: post state, organizationName and action=default back here",
    )
}

/// `POST /u/organization`: the name in, then the login form (or `/authorize/resume`), or the
/// prompt again with `The organization you entered is invalid`.
#[tracing::instrument(skip_all)]
pub(super) async fn submit_prompt(State(tenant): State<Tenant>, req: Request) -> Response {
    let Posted {
        rid,
        cookie,
        form,
        ul_state,
    } = match Posted::read(&tenant, req).await {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let ul_state = ul_state.as_str();
    let entered = form.get("organizationName").map(|s| s.trim()).unwrap_or_default();
    let looked_up = {
        let state = tenant.state();
        open_prompt(&state, ul_state, cookie.as_deref()).map(|t| {
            // The prompt takes a name (doc: DOC-text `organization-selection`); names are
            // lower-case, so the entry is compared lower-cased (inf).
            let found = state
                .organizations()
                .by_name(&entered.to_lowercase())
                .map(|o| o.id.clone());
            (t, found)
        })
    };
    match looked_up {
        Err(error) => login_text::error_page(tenant.name(), &rid, &error),
        Ok((transaction, Some(org))) => onwards(&tenant, ul_state, org, &transaction).respond(&tenant, &rid),
        Ok((_, None)) => {
            let shown = pages::organization_prompt(tenant.name(), ul_state, entered, Some(ORGANIZATION_INVALID));
            let hint = format!("no organization of this tenant is named {entered:?}");
            page(&tenant, &rid, StatusCode::BAD_REQUEST, Ok(shown), &hint)
        }
    }
}

/// The logged-in user's organizations, oldest first: (id, display name or name).
fn organizations_of(state: &TenantState, transaction: &Transaction) -> Vec<(String, String)> {
    let user_id = state
        .logins()
        .sessions
        .get(&transaction.session)
        .and_then(|s| s.user_id.clone())
        .unwrap_or_default();
    state
        .organizations()
        .of_user(&user_id)
        .map(|o| {
            let shown = o.fields.get("display_name").and_then(|v| v.as_str()).unwrap_or(&o.name);
            (o.id.clone(), shown.to_owned())
        })
        .collect()
}

/// The picker's transaction: the browser's, logged in, without an organization yet.
fn open_picker(state: &TenantState, ul_state: &str, cookie: Option<&str>) -> Result<Transaction, PageError> {
    let transaction = open_prompt(state, ul_state, cookie)?;
    if !transaction.authenticated {
        return Err(PageError::SessionNotFound {
            why: "the organization picker follows the login: post the form at /u/login first",
        });
    }
    Ok(transaction)
}

/// `GET /u/organization-picker`: the user's organizations (the first 20).
#[tracing::instrument(skip_all)]
pub(super) async fn show_picker(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let ul_state = state_param(&req);
    let cookie = session::from_headers(req.headers());
    let state = tenant.state();
    let shown = open_picker(&state, &ul_state, cookie.as_deref())
        .map(|t| pages::organization_picker(tenant.name(), &ul_state, &organizations_of(&state, &t)));
    drop(state);
    page(
        &tenant,
        &rid,
        StatusCode::OK,
        shown,
        "the organization picker: post state and organization=org_<id> back here",
    )
}

/// `POST /u/organization-picker`: one of the user's organizations, then `/authorize/resume`.
/// Anything else shows the picker again (inf: 400, as the name prompt's error); skipping
/// (`organizationSkipped=true`) ends at the callback with `parameter organization is required
/// for this client` (inf: the application requires one).
#[tracing::instrument(skip_all)]
pub(super) async fn submit_picker(State(tenant): State<Tenant>, req: Request) -> Response {
    let Posted {
        rid,
        cookie,
        form,
        ul_state,
    } = match Posted::read(&tenant, req).await {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let ul_state = ul_state.as_str();
    let chosen = form.get("organization").map(String::as_str).unwrap_or_default();
    let mut guard = tenant.state();
    let transaction = match open_picker(&guard, ul_state, cookie.as_deref()) {
        Ok(t) => t,
        Err(error) => return login_text::error_page(tenant.name(), &rid, &error),
    };
    if form.get("organizationSkipped").is_some_and(|v| v == "true") {
        guard.logins_mut().0.transactions.remove(ul_state);
        let request = transaction.request;
        let outcome = error_to_callback(
            &CallbackError::OrganizationRequired,
            request.redirect_uri,
            request.response_mode,
            request.state,
        );
        drop(guard);
        return Answer {
            outcome,
            set_session: None,
        }
        .respond(&tenant, &rid);
    }
    let offered = organizations_of(&guard, &transaction);
    drop(guard);
    if offered.iter().take(pages::PICKER_LIMIT).any(|(id, _)| id == chosen) {
        return onwards(&tenant, ul_state, chosen.to_owned(), &transaction).respond(&tenant, &rid);
    }
    let shown = pages::organization_picker(tenant.name(), ul_state, &offered);
    let hint = format!("{chosen:?} is not one of the organizations the picker offers this user");
    page(&tenant, &rid, StatusCode::BAD_REQUEST, Ok(shown), &hint)
}

/// A posted prompt page: its request id, the session cookie, the form, and the transaction's
/// state (the form's, else the query's).
struct Posted {
    rid: String,
    cookie: Option<String>,
    form: std::collections::HashMap<String, String>,
    ul_state: String,
}

impl Posted {
    async fn read(tenant: &Tenant, req: Request) -> Result<Self, Response> {
        let rid = request_id(&req);
        let query_state = state_param(&req);
        let cookie = session::from_headers(req.headers());
        let form = match read_form(req).await {
            Ok(form) => form,
            Err(error) => return Err(login_text::error_page(tenant.name(), &rid, &error)),
        };
        let ul_state = form
            .get("state")
            .filter(|s| !s.is_empty())
            .cloned()
            .unwrap_or(query_state);
        Ok(Self {
            rid,
            cookie,
            form,
            ul_state,
        })
    }
}
