//! A user's factors as the Management API manages them (facts `auth0-mfa-orgs.md` A9):
//! `/users/{id}/authentication-methods`, `/users/{id}/enrollments`, `/guardian/enrollments/{id}`
//! and the remembered browsers. The same authenticators `/mfa/associate` makes and login asks for
//! (`mfa.rs`): one deleted here is gone for `/mfa/authenticators` and the next login. Each body
//! is built in its recorded key order. Depends on the tenant state, `wire/` and `core`.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth0::tenant::guardian::{AUTHENTICATORS_PER_USER, Authenticator, Factor};
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::mfa::enrolment;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::factor_error::FactorError;
use crate::auth0::wire::format::{mask_method_email, mask_phone, timestamp};

/// An authentication method the Management API creates (POST, or one item of PUT).
#[derive(Debug, Clone)]
pub struct NewMethod {
    pub name: Option<String>,
    pub kind: NewKind,
}

#[derive(Debug, Clone)]
pub enum NewKind {
    Email {
        email: String,
    },
    Phone {
        phone_number: String,
        preferred: Option<String>,
    },
    /// The base32 `totp_secret`, decoded.
    Totp {
        secret: Vec<u8>,
    },
}

/// How a method is printed.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// GET (one or the list): `id,type,confirmed,name,<address masked>,created_at[,phone extras]`.
    Read,
    /// POST and PATCH: `type,name,created_at,<address masked>[,phone extras],id` (obs: facts A9).
    Write,
    /// PUT: `id,type,name,<address in clear>,created_at[,phone extras]` (obs: facts A9).
    Replaced,
}

/// The method id the Management API shows: a phone is `phone|dev_…` (its SMS link keeps
/// `sms|dev_…`, the id `/mfa/authenticators` shows), the rest their own id (obs: facts A9).
fn method_id(a: &Authenticator) -> String {
    match a.factor {
        Factor::Sms { .. } | Factor::Voice { .. } => format!("phone|{}", dev_part(&a.id)),
        _ => a.id.clone(),
    }
}

fn dev_part(id: &str) -> &str {
    id.split_once('|').map_or(id, |(_, dev)| dev)
}

fn method_type(factor: &Factor) -> &'static str {
    match factor {
        Factor::Otp { .. } => "totp",
        Factor::Sms { .. } | Factor::Voice { .. } => "phone",
        Factor::Email { .. } => "email",
        // inf: the OAS type of a Guardian push method.
        Factor::Push => "push-notification",
        Factor::RecoveryCode { .. } => "recovery-code",
    }
}

/// The list order: email, totp, phone, then the recovery code (obs: facts A9 for the first
/// three, whatever the creation order; inf: the recovery code last).
fn list_rank(factor: &Factor) -> u8 {
    match factor {
        Factor::Email { .. } => 0,
        Factor::Otp { .. } => 1,
        Factor::Sms { .. } | Factor::Voice { .. } => 2,
        Factor::Push => 3,
        Factor::RecoveryCode { .. } => 4,
    }
}

fn time_text(secs: i64) -> String {
    timestamp(OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

fn render(a: &Authenticator, shape: Shape) -> Value {
    let mut out = Map::new();
    if shape != Shape::Write {
        out.insert("id".into(), method_id(a).into());
    }
    out.insert("type".into(), method_type(&a.factor).into());
    if shape == Shape::Read {
        out.insert("confirmed".into(), a.active.into());
    }
    if let Some(name) = &a.name {
        out.insert("name".into(), name.clone().into());
    }
    if shape == Shape::Write {
        out.insert("created_at".into(), time_text(a.created_at).into());
    }
    match &a.factor {
        Factor::Email { email } => {
            let shown = if shape == Shape::Replaced {
                email.clone()
            } else {
                mask_method_email(email)
            };
            out.insert("email".into(), shown.into());
        }
        Factor::Sms { phone } | Factor::Voice { phone } => {
            let shown = if shape == Shape::Replaced {
                phone.clone()
            } else {
                mask_phone(phone)
            };
            out.insert("phone_number".into(), shown.into());
        }
        _ => {}
    }
    if shape != Shape::Write {
        out.insert("created_at".into(), time_text(a.created_at).into());
    }
    if let Factor::Sms { .. } | Factor::Voice { .. } = a.factor {
        let kind = a.factor.kind();
        let preferred = a.preferred_method.clone().unwrap_or_else(|| kind.into());
        out.insert("preferred_authentication_method".into(), preferred.into());
        // inf: a voice enrolment links its `voice|dev_…` as a phone links its `sms|dev_…`.
        let link = serde_json::json!([{"id": a.id, "type": kind}]);
        out.insert("authentication_methods".into(), link);
    }
    if shape == Shape::Write {
        out.insert("id".into(), method_id(a).into());
    }
    Value::Object(out)
}

/// `GET /users/{id}/authentication-methods`: every method of the user, in the list order.
pub fn methods(state: &TenantState, user_id: &str) -> Vec<Value> {
    let mut all: Vec<&Authenticator> = state.mfa.authenticators(user_id).iter().collect();
    all.sort_by_key(|a| list_rank(&a.factor));
    all.into_iter().map(|a| render(a, Shape::Read)).collect()
}

fn find<'a>(state: &'a TenantState, user_id: &str, id: &str) -> Result<&'a Authenticator, FactorError> {
    state
        .mfa
        .authenticators(user_id)
        .iter()
        .find(|a| method_id(a) == id)
        .ok_or_else(|| FactorError::MethodNotFound {
            user_id: user_id.to_owned(),
            id: id.to_owned(),
        })
}

/// `GET /users/{id}/authentication-methods/{method_id}`.
pub fn method(state: &TenantState, user_id: &str, id: &str) -> Result<Value, FactorError> {
    find(state, user_id, id).map(|a| render(a, Shape::Read))
}

/// Why `new` conflicts with what the user holds: the same address, or a second confirmed TOTP
/// (inf: the facts name the 409 text, not its rule).
fn conflict<'a>(held: impl IntoIterator<Item = &'a Authenticator>, new: &NewKind) -> Option<String> {
    held.into_iter().find_map(|a| match (&a.factor, new) {
        (Factor::Email { email }, NewKind::Email { email: other }) if email.eq_ignore_ascii_case(other) => {
            Some(format!("an email method for {email}"))
        }
        (Factor::Sms { phone } | Factor::Voice { phone }, NewKind::Phone { phone_number, .. })
            if phone == phone_number =>
        {
            Some(format!("a phone method for {phone}"))
        }
        (Factor::Otp { .. }, NewKind::Totp { .. }) if a.active => Some(format!("a confirmed TOTP method ({})", a.id)),
        _ => None,
    })
}

/// A confirmed authenticator for `new` (obs: `"confirmed":true` right after the POST, facts A9).
fn build(state: &mut TenantState, new: NewMethod, now: i64) -> Authenticator {
    let dev = format!("dev_{}", random_alnum(&mut state.rng, 16));
    let (factor, preferred) = match new.kind {
        NewKind::Email { email } => (Factor::Email { email }, None),
        NewKind::Phone {
            phone_number,
            preferred,
        } => (Factor::Sms { phone: phone_number }, preferred),
        NewKind::Totp { secret } => (
            Factor::Otp {
                secret,
                last_step: None,
            },
            None,
        ),
    };
    let mut authenticator = Authenticator::new(format!("{}|{dev}", factor_kind(&factor)), factor, true, now);
    authenticator.name = new.name;
    authenticator.preferred_method = preferred;
    authenticator
}

fn factor_kind(factor: &Factor) -> &'static str {
    match factor {
        Factor::Otp { .. } => "totp",
        Factor::Sms { .. } => "sms",
        Factor::Voice { .. } => "voice",
        Factor::Email { .. } => "email",
        Factor::Push => "push",
        Factor::RecoveryCode { .. } => "recovery-code",
    }
}

/// `POST /users/{id}/authentication-methods`: 201 with the new method, confirmed. A user at
/// [`AUTHENTICATORS_PER_USER`] gets the documented 403.
pub fn create_method(state: &mut TenantState, user_id: &str, new: NewMethod, now: i64) -> Result<Value, FactorError> {
    let held = state.mfa.authenticators(user_id);
    if let Some(what) = conflict(held, &new.kind) {
        return Err(FactorError::MethodExists { what });
    }
    if held.len() >= AUTHENTICATORS_PER_USER {
        return Err(FactorError::TooMany {
            limit: AUTHENTICATORS_PER_USER,
        });
    }
    let authenticator = build(state, new, now);
    let body = render(&authenticator, Shape::Write);
    enrolment(&mut state.mfa, user_id, now)
        .authenticators
        .push(authenticator);
    Ok(body)
}

/// `PUT /users/{id}/authentication-methods`: the user's methods become exactly `list` (the
/// recovery code and unconfirmed enrolments go too, inf: "replacing them with the given ones"),
/// answered in request order with the addresses in clear (obs: facts A9).
pub fn replace_methods(
    state: &mut TenantState,
    user_id: &str,
    list: Vec<NewMethod>,
    now: i64,
) -> Result<Value, FactorError> {
    if list.len() > AUTHENTICATORS_PER_USER {
        return Err(FactorError::TooMany {
            limit: AUTHENTICATORS_PER_USER,
        });
    }
    let mut made: Vec<Authenticator> = Vec::with_capacity(list.len());
    for new in list {
        if let Some(what) = conflict(&made, &new.kind) {
            return Err(FactorError::MethodExists { what });
        }
        made.push(build(state, new, now));
    }
    let body = made.iter().map(|a| render(a, Shape::Replaced)).collect();
    forget_codes_of(state, user_id, |_| true);
    enrolment(&mut state.mfa, user_id, now).authenticators = made;
    Ok(Value::Array(body))
}

/// `PATCH /users/{id}/authentication-methods/{method_id}` `{name?, preferred_authentication_method?}`:
/// the method in the POST order (obs: facts A9).
pub fn update_method(
    state: &mut TenantState,
    user_id: &str,
    id: &str,
    name: Option<String>,
    preferred: Option<String>,
) -> Result<Value, FactorError> {
    find(state, user_id, id)?;
    let enrolment = state.mfa.enrolments.get_mut(user_id).expect("found above");
    let authenticator = enrolment
        .authenticators
        .iter_mut()
        .find(|a| method_id(a) == id)
        .expect("found above");
    if let Some(name) = name {
        authenticator.name = Some(name);
    }
    if let (Some(preferred), Factor::Sms { .. } | Factor::Voice { .. }) = (preferred, &authenticator.factor) {
        authenticator.preferred_method = Some(preferred);
    }
    Ok(render(authenticator, Shape::Write))
}

/// Drops the user's authenticators `gone` picks, with their pending out-of-band codes.
fn forget_codes_of(state: &mut TenantState, user_id: &str, gone: impl Fn(&Authenticator) -> bool) -> usize {
    let Some(enrolment) = state.mfa.enrolments.get_mut(user_id) else {
        return 0;
    };
    let ids: Vec<String> = enrolment
        .authenticators
        .iter()
        .filter(|a| gone(a))
        .map(|a| a.id.clone())
        .collect();
    enrolment.authenticators.retain(|a| !gone(a));
    state.mfa.oob_codes.retain(|_, c| !ids.contains(&c.authenticator_id));
    ids.len()
}

/// `DELETE /users/{id}/authentication-methods/{method_id}`.
pub fn delete_method(state: &mut TenantState, user_id: &str, id: &str) -> Result<(), FactorError> {
    find(state, user_id, id)?;
    forget_codes_of(state, user_id, |a| method_id(a) == id);
    Ok(())
}

/// `DELETE /users/{id}/authentication-methods`: every method of the user.
pub fn delete_methods(state: &mut TenantState, user_id: &str) {
    forget_codes_of(state, user_id, |_| true);
}

/// Whether `a` is a Guardian enrollment: an OTP, SMS or push authenticator (inf: the documented
/// `auth_method`s are `authenticator`, `guardian`, `sms`, `webauthn-*`; email and the recovery
/// code are authentication methods only).
fn enrollment_method(a: &Authenticator) -> Option<&'static str> {
    match a.factor {
        Factor::Otp { .. } => Some("authenticator"),
        // inf: the documented `auth_method`s have no `voice`; a call is the phone factor's.
        Factor::Sms { .. } | Factor::Voice { .. } => Some("sms"),
        Factor::Push => Some("guardian"),
        _ => None,
    }
}

/// One enrollment: `id,status,type,phone_number,auth_method,enrolled_at,last_auth` (inf: the
/// documented field order; no non-empty body was recorded, facts E).
fn render_enrollment(a: &Authenticator, auth_method: &str) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), a.id.clone().into());
    out.insert("status".into(), if a.active { "confirmed" } else { "pending" }.into());
    out.insert("type".into(), factor_kind(&a.factor).into());
    if let Some(name) = &a.name {
        out.insert("name".into(), name.clone().into());
    }
    if let Factor::Sms { phone } | Factor::Voice { phone } = &a.factor {
        out.insert("phone_number".into(), phone.clone().into());
    }
    out.insert("auth_method".into(), auth_method.into());
    out.insert("enrolled_at".into(), time_text(a.created_at).into());
    if let Some(last) = a.last_auth {
        out.insert("last_auth".into(), time_text(last).into());
    }
    Value::Object(out)
}

/// `GET /users/{id}/enrollments`: the user's Guardian enrollments in enrolment order (obs: `[]`
/// for a user without one, facts A9).
pub fn enrollments(state: &TenantState, user_id: &str) -> Vec<Value> {
    state
        .mfa
        .authenticators(user_id)
        .iter()
        .filter_map(|a| enrollment_method(a).map(|m| render_enrollment(a, m)))
        .collect()
}

/// The user and authenticator an enrollment id names: `totp|dev_…`, `sms|dev_…` or the bare
/// `dev_…` (doc: the OAS id pattern, facts A9).
fn locate(state: &TenantState, id: &str) -> Result<(String, String), FactorError> {
    state
        .mfa
        .enrolments
        .iter()
        .find_map(|(user_id, e)| {
            e.authenticators
                .iter()
                .find(|a| enrollment_method(a).is_some() && (a.id == id || dev_part(&a.id) == id))
                .map(|a| (user_id.clone(), a.id.clone()))
        })
        .ok_or_else(|| FactorError::EnrollmentNotFound { id: id.to_owned() })
}

/// `GET /guardian/enrollments/{id}`.
pub fn enrollment(state: &TenantState, id: &str) -> Result<Value, FactorError> {
    let (user_id, found) = locate(state, id)?;
    let a = state
        .mfa
        .authenticators(&user_id)
        .iter()
        .find(|a| a.id == found)
        .expect("located above");
    Ok(render_enrollment(a, enrollment_method(a).expect("an enrollment")))
}

/// `DELETE /guardian/enrollments/{id}` (obs: 204).
pub fn delete_enrollment(state: &mut TenantState, id: &str) -> Result<(), FactorError> {
    let (user_id, found) = locate(state, id)?;
    forget_codes_of(state, &user_id, |a| a.id == found);
    Ok(())
}

/// `POST /guardian/enrollments/ticket`: a ticket id of 32 alphanumerics (obs: facts A9, 2025-08).
/// Nothing is kept: the ticket's page is not served.
pub fn enrollment_ticket(state: &mut TenantState) -> String {
    random_alnum(&mut state.rng, 32)
}

/// `POST /users/{id}/multifactor/actions/invalidate-remember-browser`: every browser that
/// ticked "Remember this device" for the user asks for a code again.
pub fn invalidate_remembered(state: &mut TenantState, user_id: &str) {
    state.mfa.forget_remembered(user_id);
}

/// A `totp_secret` as sent (base32, padding and case ignored): its bytes, leftover bits dropped
/// as authenticator apps do. `None` when a character is outside the base32 alphabet.
pub fn decode_totp_secret(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').chars() {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_totp_secret_decodes() {
        let secret = decode_totp_secret("5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ").expect("base32");
        assert_eq!(secret.len(), 24);
        assert_eq!(
            decode_totp_secret("JBSWY3DPEHPK3PXP"),
            Some(b"Hello!\xde\xad\xbe\xef".to_vec())
        );
        assert_eq!(decode_totp_secret("not base32!"), None);
    }
}
