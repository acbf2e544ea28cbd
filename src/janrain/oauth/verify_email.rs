//! Email verification (`janrain-entity.md` §3.1): `POST /oauth/verify_email_native` mails a
//! verification link, `POST /access/useVerificationCode` redeems its code once and marks the
//! record's email verified.
//!
//! ```text
//! POST /oauth/verify_email_native  client_id, flow, flow_version, locale, redirect_uri,
//!      form=resendVerificationForm, signInEmailAddress        → 200 {"stat":"ok"}
//!      mail: <verify_email_url>?verification_code=<32 lowercase alphanumerics>
//! POST /access/useVerificationCode  verification_code         → 200 {"stat":"ok","uuid":"…"}
//! ```
//!
//! Facts: outcomes ok / 210 no account / 540 already verified; the code's shape (the doc
//! examples are 32 lowercase alphanumerics); single use; `emailVerified` set to now; the bad-code
//! body verbatim. Not found, so inf: the lifetime (`resendVerificationForm.code_lifetime`, one
//! day by default, on the app clock), the 416 text, and that a newer code supersedes the older
//! one for the same record (as recovery codes do).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::app::{CaptureClient, JanrainApp, JanrainState, Record};
use super::error::{JanrainError, ok, with_hint};
use super::extract::{ApiParams, NativeParams, Params, check_flow, login_client};
use super::native_forms::RESEND_VERIFICATION_FORM;
use super::records::capture_time;

/// Length of a verification code (the doc examples, `janrain-entity.md` §3.1).
pub const VERIFICATION_CODE_LEN: usize = 32;
/// The most codes kept; the oldest go first (records created at runtime are capped too).
pub const MAX_CODES: usize = 10_000;

/// What one verification code verifies.
#[derive(Debug, Clone)]
pub struct VerificationGrant {
    pub uuid: String,
    /// The address the code was mailed to: a code verifies that address only.
    pub email: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// Why the code no longer works, once it does not (feeds the hint only).
    pub spent: Option<&'static str>,
}

/// Every verification code of an app.
#[derive(Debug, Default)]
pub struct VerificationCodes {
    codes: HashMap<String, VerificationGrant>,
}

impl VerificationCodes {
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[tracing::instrument(skip_all)]
pub async fn send(State(app): State<JanrainApp>, NativeParams(params): NativeParams) -> Result<Response, JanrainError> {
    let hint = resend(&app, &params)?;
    Ok(with_hint(ok(json!({"stat": "ok"})), &hint))
}

fn resend(app: &JanrainApp, params: &Params) -> Result<String, JanrainError> {
    let mut state = app.state();
    let client = login_client(&state, params)?.clone();
    check_flow(&state, params, RESEND_VERIFICATION_FORM)?;
    params.require("redirect_uri")?;
    let form = state.flow.forms.resend_verification.clone();
    let email = params.get(&form.email_field).unwrap_or_default().trim();
    if let Some(message) = super::profile::email_problem(&state.flow, &form.email_field, email) {
        return Err(JanrainError::InvalidFormFields {
            fields: vec![(form.email_field.clone(), vec![message])],
        });
    }
    let Some(record) = state.record_by_email(email).cloned() else {
        return Err(JanrainError::InvalidCredentials {
            form: RESEND_VERIFICATION_FORM.to_owned(),
            message: form.no_such_account,
            hint: "no record uses this email address".into(),
        });
    };
    if !record.attribute("emailVerified").is_null() {
        return Err(JanrainError::Configured {
            error: form.already_verified,
            hint: format!(
                "{} was verified at {}",
                record.email,
                record.attribute("emailVerified").as_str().unwrap_or_default()
            ),
        });
    }
    mail_code(app, &mut state, &client, &record)
}

/// Mints a code for `record`'s current email and mails `<verify_email_url>?verification_code=…`;
/// the hint names the mail.
pub fn mail_code(
    app: &JanrainApp,
    state: &mut JanrainState,
    client: &CaptureClient,
    record: &Record,
) -> Result<String, JanrainError> {
    let Some(url) = client.verify_email_url.clone() else {
        return Err(JanrainError::no_verify_url(&client.client_id));
    };
    let now = app.clock().unix();
    let lifetime = state.flow.forms.resend_verification.code_lifetime;
    let code = issue(state, record, now, lifetime);
    let sep = if url.contains('?') { '&' } else { '?' };
    let link = format!("{url}{sep}verification_code={code}");
    let draft = super::mail::verification(app.name(), &record.email, &record.display_name, &link);
    let at = app.clock().now();
    let state = &mut *state;
    let id = state.outbox.capture(&mut state.rng, draft, at, &app.address().host);
    Ok(format!(
        "verification mail {id} sent to {}; the code works once, for {lifetime} s",
        record.email
    ))
}

fn issue(state: &mut JanrainState, record: &Record, now: i64, lifetime: i64) -> String {
    let codes = &mut state.verification_codes.codes;
    for grant in codes.values_mut() {
        if grant.uuid == record.uuid && grant.spent.is_none() {
            grant.spent = Some("a newer verification code was mailed for this record");
        }
    }
    if codes.len() >= MAX_CODES {
        let mut order: Vec<(bool, i64, String)> = codes
            .iter()
            .map(|(code, g)| (g.spent.is_none() && g.expires_at > now, g.issued_at, code.clone()))
            .collect();
        order.sort_unstable();
        for (_, _, code) in order.into_iter().take(MAX_CODES / 10) {
            codes.remove(&code);
        }
    }
    let code = loop {
        let candidate = state.random_token(VERIFICATION_CODE_LEN);
        if !state.verification_codes.codes.contains_key(&candidate) {
            break candidate;
        }
    };
    state.verification_codes.codes.insert(
        code.clone(),
        VerificationGrant {
            uuid: record.uuid.clone(),
            email: record.email.clone(),
            issued_at: now,
            expires_at: now + lifetime,
            spent: None,
        },
    );
    code
}

#[tracing::instrument(skip_all)]
pub async fn use_code(State(app): State<JanrainApp>, ApiParams(params): ApiParams) -> Result<Response, JanrainError> {
    let body = redeem(&app, &params)?;
    Ok(ok(body))
}

fn redeem(app: &JanrainApp, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let code = params.require("verification_code")?.trim().to_owned();
    let grant = match state.verification_codes.codes.get(&code) {
        None => {
            return Err(JanrainError::VerificationCodeUnknown {
                hint: "this app never issued that verification code".into(),
            });
        }
        Some(grant) => grant.clone(),
    };
    if let Some(why) = grant.spent {
        return Err(JanrainError::VerificationCodeUnknown { hint: why.into() });
    }
    if now >= grant.expires_at {
        return Err(JanrainError::VerificationCodeExpired {
            secs_ago: now - grant.expires_at,
        });
    }
    let stamp = capture_time(app.clock().now());
    let Some(record) = state.record_mut(&grant.uuid) else {
        return Err(JanrainError::VerificationCodeUnknown {
            hint: "the record the code was minted for was deleted".into(),
        });
    };
    if !record.email.eq_ignore_ascii_case(&grant.email) {
        return Err(JanrainError::VerificationCodeUnknown {
            hint: format!(
                "the record's email changed from {} since the code was mailed",
                grant.email
            ),
        });
    }
    record.attrs.insert("emailVerified".into(), Value::from(stamp.as_str()));
    record.attrs.insert("lastUpdated".into(), Value::from(stamp));
    if let Some(spent) = state.verification_codes.codes.get_mut(&code) {
        spent.spent = Some("this verification code was used already; codes are single use");
    }
    Ok(json!({"stat": "ok", "uuid": grant.uuid}))
}
