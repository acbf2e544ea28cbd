//! What a client trades for tokens: a recovery code or a refresh token at `/oauth/token`, and
//! a signed access token at `/oauth/refresh_access_token` (facts `janrain.md` §5,
//! `janrain-entity.md` §2).
//!
//! The refresh signature is `base64(HMAC-SHA1(refresh_secret, "refresh_access_token\n" + date +
//! "\n" + access_token + "\n"))`, the date within [`SKEW_SECS`] of the app clock (inf: the
//! Entity API's window). An expired access token may still be refreshed (that is what
//! refreshing is for); the old token stops working once refreshed, and the new one keeps the
//! secret.

use base64::Engine as _;

use super::clients::{DateProblem, SKEW_SECS, check_signed_date, hmac_sha1_verifies};
use super::recovery;
use super::state::JanrainState;
use crate::janrain::wire::error::JanrainError;

/// The authorization_code grant: recovery code `code`, redeemed by `client_id` with the
/// `redirect_uri` the forgot-password call carried, for an access and a refresh token.
pub(in crate::janrain) fn exchange_code(
    state: &mut JanrainState,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
    now: i64,
) -> Result<(String, String), JanrainError> {
    let uuid = recovery::redeem(state, code, client_id, redirect_uri, now)?;
    Ok(state.issue_tokens(&uuid, client_id, now))
}

/// The refresh_token grant: `client_id`'s refresh token, spent, for a new pair.
pub(in crate::janrain) fn exchange_refresh_token(
    state: &mut JanrainState,
    refresh: &str,
    client_id: &str,
    now: i64,
) -> Result<(String, String), JanrainError> {
    let grant = state.take_refresh_token(refresh, client_id)?;
    Ok(state.issue_tokens(&grant.uuid, client_id, now))
}

/// `client_id`'s access token `token`, signed with its refresh secret over `date`, traded for a
/// new access token that keeps the secret.
pub(in crate::janrain) fn refresh_access_token(
    state: &mut JanrainState,
    client_id: &str,
    token: &str,
    date: &str,
    signature: &str,
    now: i64,
) -> Result<String, JanrainError> {
    let grant = (state.access_tokens.get(token).cloned()).ok_or(JanrainError::UnknownAccessToken)?;
    if grant.client_id != client_id {
        return Err(JanrainError::TokenClientMismatch {
            token_client: grant.client_id,
        });
    }
    let secret = grant
        .refresh_secret
        .clone()
        .ok_or_else(JanrainError::no_refresh_secret)?;
    check_refresh_signature(&secret, date, token, signature, now)?;
    state.access_tokens.remove(token);
    let (access, _refresh) = state.issue_tokens(&grant.uuid, client_id, now);
    if let Some(new) = state.access_tokens.get_mut(&access) {
        new.refresh_secret = Some(secret);
    }
    Ok(access)
}

/// The date first (its form, then the window), then the signature over the access token.
fn check_refresh_signature(
    secret: &str,
    date: &str,
    token: &str,
    signature: &str,
    now: i64,
) -> Result<(), JanrainError> {
    check_signed_date(date, now).map_err(|problem| {
        JanrainError::refresh_date(match problem {
            DateProblem::NotADate => format!("date {date:?} is not YYYY-MM-DD HH:MM:SS (UTC)"),
            DateProblem::Skewed(secs) => {
                format!("date {date} is {secs} s from the app clock; it must be within {SKEW_SECS} s")
            }
        })
    })?;
    let text = refresh_text(date, token);
    let verifies = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .is_ok_and(|raw| hmac_sha1_verifies(secret, &text, &raw));
    if !verifies {
        return Err(JanrainError::refresh_signature(
            "the signature is not base64(HMAC-SHA1(refresh_secret, \"refresh_access_token\\n<date>\\n<access_token>\\n\"))"
                .into(),
        ));
    }
    Ok(())
}

/// The text a refresh signature covers.
fn refresh_text(date: &str, access_token: &str) -> String {
    format!("refresh_access_token\n{date}\n{access_token}\n")
}

#[cfg(test)]
mod tests {
    use super::refresh_text;
    use crate::janrain::tenant::clients::hmac_sha1_base64;

    #[test]
    fn the_refresh_signature_matches_the_facts_vector() {
        // janrain-entity.md §2: secret "a" x 40, 2024-01-02 03:04:05, token abcdefgh12345678.
        assert_eq!(
            hmac_sha1_base64(
                &"a".repeat(40),
                &refresh_text("2024-01-02 03:04:05", "abcdefgh12345678")
            ),
            "CvQbLgSj8jvNJVdQ7QLCffRNeEE="
        );
    }
}
