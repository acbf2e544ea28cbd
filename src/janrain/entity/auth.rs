//! Server-side authentication of the Entity API: `client_id` + `client_secret` parameters,
//! `Authorization: Basic`, and `Authorization: Signature <client_id>:<b64>` with a `Date`
//! header, the default of janrain-python-api.
//!
//! ```text
//! string to sign = "<path>\n<date>\n" + ( sorted "k=v" lines, each ending "\n" )
//! signature      = base64(HMAC-SHA1(client_secret, string to sign))
//! ```
//!
//! Facts: `shared/providers/janrain-entity.md` §1.1 (whole-line sort over the decoded values as
//! received, both zero-parameter variants accepted, `Date` in UTC `%Y-%m-%d %H:%M:%S`). The
//! clock-skew window is NOT FOUND: authmock accepts a `Date` within [`SKEW_SECS`] of the app
//! clock either way (inf). Feature checks follow §1.3 "API client permissions".

use axum::http::{HeaderMap, header};
use base64::Engine as _;

use crate::janrain::tenant::clients::{CaptureClient, DateProblem, SKEW_SECS, check_signed_date, hmac_sha1_verifies};
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::entity_error::EntityError;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;

/// What an Entity API call needs its client to hold (facts §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// `/entity`, `entity.find`, `entity.count`: owner, direct_access, direct_read_access.
    Read,
    /// `entity.create`, `update`, `replace`, `delete`: owner, direct_access.
    Write,
}

impl Access {
    fn features(self) -> &'static [&'static str] {
        match self {
            Self::Read => &["owner", "direct_access", "direct_read_access"],
            Self::Write => &["owner", "direct_access"],
        }
    }

    fn needs(self) -> &'static str {
        match self {
            Self::Read => "owner, direct_access or direct_read_access",
            Self::Write => "owner or direct_access",
        }
    }
}

fn bad(hint: impl Into<String>) -> JanrainError {
    EntityError::BadClientCredentials { hint: hint.into() }.into()
}

/// The API client a server-side call authenticates as, checked to hold `access`.
pub(super) fn client<'s>(
    state: &'s JanrainState,
    headers: &HeaderMap,
    params: &Params,
    path: &str,
    now: i64,
    access: Access,
) -> Result<&'s CaptureClient, JanrainError> {
    let client = credentials(state, headers, params, path, now)?;
    if !client.holds_any(access.features()) {
        return Err(EntityError::ClientPermission {
            client_id: client.client_id.clone(),
            needs: access.needs(),
        }
        .into());
    }
    Ok(client)
}

/// The client the call's credentials name: by its `Authorization` scheme, else the
/// `client_id` and `client_secret` parameters.
fn credentials<'s>(
    state: &'s JanrainState,
    headers: &HeaderMap,
    params: &Params,
    path: &str,
    now: i64,
) -> Result<&'s CaptureClient, JanrainError> {
    match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(value) if value.starts_with("Basic ") => basic(state, &value["Basic ".len()..]),
        Some(value) if value.starts_with("Signature ") => {
            signed(state, headers, params, path, now, &value["Signature ".len()..])
        }
        Some(value) => {
            let scheme = value.split_whitespace().next().unwrap_or_default();
            Err(bad(format!(
                "Authorization scheme {scheme:?} is not Basic, Signature or OAuth"
            )))
        }
        None => by_secret(state, params.require("client_id")?, params.require("client_secret")?),
    }
}

fn by_secret<'s>(state: &'s JanrainState, id: &str, secret: &str) -> Result<&'s CaptureClient, JanrainError> {
    match state.client(id) {
        Some(client) if constant_eq(client.client_secret.as_bytes(), secret.as_bytes()) => Ok(client),
        Some(_) => Err(bad(format!("wrong client_secret for client {id}"))),
        None => Err(bad(format!("no API client {id} in this app"))),
    }
}

fn basic<'s>(state: &'s JanrainState, b64: &str) -> Result<&'s CaptureClient, JanrainError> {
    let pair = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .ok_or_else(|| bad("the Basic credentials are not base64 of client_id:client_secret"))?;
    let (id, secret) = pair
        .split_once(':')
        .ok_or_else(|| bad("the Basic credentials have no ':' between client_id and client_secret"))?;
    by_secret(state, id, secret)
}

/// `Authorization: Signature <client_id>:<b64>` over the path, the `Date` header and the
/// sorted parameters.
fn signed<'s>(
    state: &'s JanrainState,
    headers: &HeaderMap,
    params: &Params,
    path: &str,
    now: i64,
    credentials: &str,
) -> Result<&'s CaptureClient, JanrainError> {
    let (id, signature) = credentials
        .trim()
        .split_once(':')
        .ok_or_else(|| bad("Signature credentials must be <client_id>:<base64 signature>"))?;
    let client = state
        .client(id)
        .ok_or_else(|| bad(format!("no API client {id} in this app")))?;
    let date = signed_date(headers, now)?;
    let given = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| bad("the signature is not base64"))?;
    let verifies = strings_to_sign(path, date.trim(), params.pairs())
        .iter()
        .any(|text| hmac_sha1_verifies(&client.client_secret, text, &given));
    if !verifies {
        return Err(bad(format!(
            "the signature does not verify with client {id}'s secret over \"{path}\\n{date}\\n\" + the sorted k=v lines"
        )));
    }
    Ok(client)
}

/// The `Date` header a Signature needs, within the window of the app clock.
fn signed_date(headers: &HeaderMap, now: i64) -> Result<&str, JanrainError> {
    let date = headers
        .get(header::DATE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| bad("a Signature needs a Date header (YYYY-MM-DD HH:MM:SS, UTC)"))?;
    check_signed_date(date.trim(), now).map_err(|problem| match problem {
        DateProblem::NotADate => bad(format!("Date {date:?} is not YYYY-MM-DD HH:MM:SS (UTC)")),
        DateProblem::Skewed(secs) => bad(format!(
            "Date {date} is {secs} s from the app clock; signed requests must be within {SKEW_SECS} s"
        )),
    })?;
    Ok(date)
}

/// The strings a valid signature may cover: one, or two with no parameters (the library signs
/// `path\ndate\n`, the documented snippet `path\ndate\n\n`; facts §1.1).
fn strings_to_sign(path: &str, date: &str, pairs: &[(String, String)]) -> Vec<String> {
    let head = format!("{path}\n{date}\n");
    if pairs.is_empty() {
        return vec![head.clone(), format!("{head}\n")];
    }
    let mut lines: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    lines.sort();
    vec![format!("{head}{}\n", lines.join("\n"))]
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::janrain::tenant::clients::hmac_sha1_base64 as sign;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_python_client_vector_verifies() {
        // janrain-python-api's test_signature (facts §1.1, E1/E34).
        let texts = strings_to_sign(
            "/entity",
            "2000-01-01 01:01:01",
            &pairs(&[
                ("param1", "this is a string"),
                ("param2", "10"),
                ("param3", "one=1\ntwo=2,three=3"),
            ]),
        );
        assert_eq!(texts.len(), 1);
        assert_eq!(sign("bar", &texts[0]), "G3N5RxCVc0d6rDLmBRGvcg2hCVY=");
    }

    #[test]
    fn zero_parameters_accept_both_documented_variants() {
        let texts = strings_to_sign("/entity.count", "2000-01-01 01:01:01", &[]);
        let signatures: Vec<String> = texts.iter().map(|t| sign("bar", t)).collect();
        // The library's and the doc snippet's values for secret `bar` (facts §1.1, E34).
        assert_eq!(
            signatures,
            vec!["H7DWUWHhrkdYPkdd4Nlwe2wB75s=", "ZfvzYf/0iUMmQlDJHBiZvh47ssc="]
        );
    }

    #[test]
    fn lines_sort_as_whole_strings_not_by_key() {
        let texts = strings_to_sign("/x", "d", &pairs(&[("a", "2"), ("a1", "1")]));
        assert_eq!(texts[0], "/x\nd\na1=1\na=2\n");
    }
}
