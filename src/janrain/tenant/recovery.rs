//! Password recovery (facts `janrain.md` §4–§5): a one-time recovery code mailed to a record
//! (`/oauth/forgot_password_native`), redeemed at `/oauth/token` by the client that asked for
//! it, with the same `redirect_uri`.

use super::JanrainApp;
use super::clients::CaptureClient;
use super::codes::CodeGrant;
use super::records::Record;
use super::state::JanrainState;
use crate::core::onetime::{Redemption, evicted_hint};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::mail;
use crate::janrain::wire::text::FORGOT_PASSWORD_FORM;

/// `forgotPasswordForm`: the recovery mail for the record `email` names. No record is the
/// form's no-such-account answer; a social-only record, the flow's configured one.
pub(in crate::janrain) fn mail_code_to(
    app: &JanrainApp,
    state: &mut JanrainState,
    client: &CaptureClient,
    email: &str,
    redirect_uri: String,
    now: i64,
) -> Result<String, JanrainError> {
    let Some(record) = state.record_by_email(email).cloned() else {
        return Err(JanrainError::NoSuchAccount {
            form: FORGOT_PASSWORD_FORM.to_owned(),
            message: state.flow.forms.forgot_password.no_such_account.clone(),
        });
    };
    if record.password.is_none() {
        return Err(JanrainError::SocialOnly(state.flow.social_only_error.clone()));
    }
    mail_code(app, state, client, &record, redirect_uri, now)
}

/// Mints a recovery code for `record` and mails `<password_recover_url>?code=…`; the hint
/// names the mail.
fn mail_code(
    app: &JanrainApp,
    state: &mut JanrainState,
    client: &CaptureClient,
    record: &Record,
    redirect_uri: String,
    now: i64,
) -> Result<String, JanrainError> {
    let Some(recover_url) = client.password_recover_url.clone() else {
        return Err(JanrainError::no_recover_url(&client.client_id));
    };
    let grant = CodeGrant {
        uuid: record.uuid.clone(),
        client_id: client.client_id.clone(),
        redirect_uri,
    };
    let code = state
        .codes
        .issue(&mut state.rng, &record.uuid, grant, now, client.recover_code_lifetime);
    let sep = if recover_url.contains('?') { '&' } else { '?' };
    let link = format!("{recover_url}{sep}code={code}");
    let draft = mail::recovery(app.name(), &record.email, &record.display_name, &link);
    let at = app.clock().now();
    let id = state.outbox.capture(&mut state.rng, draft, at, &app.address().host);
    Ok(format!(
        "recovery mail {id} sent to {}; the code works once, for {} s, with client {} only",
        record.email, client.recover_code_lifetime, client.client_id
    ))
}

/// Redeems recovery code `code` for `client_id` and `redirect_uri`: the uuid it recovers.
pub(in crate::janrain) fn redeem(
    state: &mut JanrainState,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
    now: i64,
) -> Result<String, JanrainError> {
    let entry = match state.codes.check(code, now) {
        Ok(entry) => entry,
        Err(Redemption::Expired { secs_ago }) => return Err(JanrainError::CodeExpired { secs_ago }),
        Err(why) => {
            return Err(JanrainError::InvalidCode {
                hint: match why {
                    Redemption::Used => "this code was exchanged already; codes are single use".into(),
                    Redemption::Superseded => "a newer code was mailed to this user".into(),
                    Redemption::Evicted { capacity } => evicted_hint("code", "app", capacity),
                    _ => "this app never issued that code".into(),
                },
            });
        }
    };
    if entry.payload.client_id != client_id {
        return Err(JanrainError::InvalidCode {
            hint: format!(
                "the code was issued to client {}; only that client may exchange it",
                entry.payload.client_id
            ),
        });
    }
    if entry.payload.redirect_uri != redirect_uri {
        return Err(JanrainError::RedirectUriMismatch {
            expected: entry.payload.redirect_uri.clone(),
            supplied: redirect_uri.to_owned(),
        });
    }
    let uuid = entry.payload.uuid.clone();
    let _ = state.codes.redeem(code, now);
    Ok(uuid)
}
