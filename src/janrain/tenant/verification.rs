//! Email verification (`janrain-entity.md` §3.1): a verification code mailed for a record's
//! current address, and its redemption, which marks the record's email verified once.
//!
//! Facts: the code's shape (32 lowercase alphanumerics), single use, `emailVerified` set to
//! now. Not found, so inf: the lifetime (`resendVerificationForm.code_lifetime`, on the app
//! clock), and that a newer code supersedes the older one for the same record.

use serde_json::Value;
use time::OffsetDateTime;

use super::JanrainApp;
use super::clients::CaptureClient;
use super::records::{Record, capture_time};
use super::state::JanrainState;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::mail;
use crate::janrain::wire::text::RESEND_VERIFICATION_FORM;

/// `resendVerificationForm`: the verification mail for the record `email` names. No record is
/// 210 with the form's message; an address verified already, the form's configured answer.
pub(in crate::janrain) fn mail_code_to(
    app: &JanrainApp,
    state: &mut JanrainState,
    client: &CaptureClient,
    email: &str,
) -> Result<String, JanrainError> {
    let form = &state.flow.forms.resend_verification;
    let Some(record) = state.record_by_email(email).cloned() else {
        return Err(JanrainError::InvalidCredentials {
            form: RESEND_VERIFICATION_FORM.to_owned(),
            message: form.no_such_account.clone(),
            hint: "no record uses this email address".into(),
        });
    };
    let verified = record.attribute("emailVerified");
    if !verified.is_null() {
        return Err(JanrainError::Configured {
            error: form.already_verified.clone(),
            hint: format!(
                "{} was verified at {}",
                record.email,
                verified.as_str().unwrap_or_default()
            ),
        });
    }
    mail_code(app, state, client, &record)
}

/// Mints a code for `record`'s current email and mails `<verify_email_url>?verification_code=…`;
/// the hint names the mail.
pub(in crate::janrain) fn mail_code(
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
    let code = (state.verification_codes).issue(&mut state.rng, &record.uuid, &record.email, now, lifetime);
    let sep = if url.contains('?') { '&' } else { '?' };
    let link = format!("{url}{sep}verification_code={code}");
    let draft = mail::verification(app.name(), &record.email, &record.display_name, &link);
    let at = app.clock().now();
    let id = state.outbox.capture(&mut state.rng, draft, at, &app.address().host);
    Ok(format!(
        "verification mail {id} sent to {}; the code works once, for {lifetime} s",
        record.email
    ))
}

/// Redeems verification code `code` at `at`: the uuid whose email it verified.
pub(in crate::janrain) fn redeem(
    state: &mut JanrainState,
    code: &str,
    at: OffsetDateTime,
) -> Result<String, JanrainError> {
    let now = at.unix_timestamp();
    let Some(grant) = state.verification_codes.get(code).cloned() else {
        return Err(JanrainError::VerificationCodeUnknown {
            hint: "this app never issued that verification code".into(),
        });
    };
    if let Some(why) = grant.spent {
        return Err(JanrainError::VerificationCodeUnknown { hint: why.into() });
    }
    if now >= grant.expires_at {
        return Err(JanrainError::VerificationCodeExpired {
            secs_ago: now - grant.expires_at,
        });
    }
    let stamp = capture_time(at);
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
    state.verification_codes.spend(code);
    Ok(grant.uuid)
}
