//! The reference client as a mobile application on Capture's native flows (facts
//! `janrain-entity.md` §2, §3): registration with `registrationForm` and a refresh secret,
//! the verification code from the mailed link, the signed refresh of its access token, and the
//! signed-in `editProfileForm` / `changePasswordForm`. Form and field names are the standard
//! flow's (docs/adapter-protocol.md).

// The reference client's `Failure` carries the provider's error whole, as every operation does.
#![allow(clippy::result_large_err)]

use aws_lc_rs::hmac;
use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::{Failure, ReferenceClient, flow_params, text};
use crate::harness::protocol::JanrainProvider;

impl ReferenceClient {
    /// `janrain.register`: the registration form, with the refresh secret when the run gives one.
    pub(crate) async fn register(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = flow_params(p, "registrationForm");
        params.push(pair("redirect_uri", p.redirect_uri.clone()));
        params.push(pair("response_type", "token".into()));
        params.push(pair("emailAddress", text(args, "email")));
        params.push(pair("newPassword", text(args, "password")));
        params.push(pair("newPasswordConfirm", text(args, "password_confirm")));
        params.push(pair("displayName", text(args, "display_name")));
        for (arg, field) in [("given_name", "firstName"), ("family_name", "lastName")] {
            if let Some(value) = args[arg].as_str() {
                params.push(pair(field, value.to_owned()));
            }
        }
        if let Some(secret) = args["refresh_secret"].as_str() {
            params.push(pair("refresh_secret", secret.to_owned()));
        }
        self.capture(p, "/oauth/register_native_traditional", &params, false)
            .await
            .map(|body| json!({"access_token": body["access_token"], "uuid": body["capture_user"]["uuid"]}))
    }

    /// `janrain.resend_verification_email`: the resend-verification form.
    pub(crate) async fn resend_verification_email(
        &mut self,
        p: &JanrainProvider,
        args: &Value,
    ) -> Result<Value, Failure> {
        let mut params = flow_params(p, "resendVerificationForm");
        params.push(pair("redirect_uri", p.redirect_uri.clone()));
        params.push(pair("response_type", "token".into()));
        params.push(pair("signInEmailAddress", text(args, "email")));
        self.capture(p, "/oauth/verify_email_native", &params, false)
            .await
            .map(|_| json!({}))
    }

    /// `janrain.verify_email`: the mailed code, with no authentication (the code is the proof,
    /// facts §3.1).
    pub(crate) async fn verify_email(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let params = vec![pair("verification_code", text(args, "verification_code"))];
        self.capture_unauthenticated(p, "/access/useVerificationCode", &params)
            .await
            .map(|body| json!({"uuid": body["uuid"]}))
    }

    /// `janrain.refresh_access_token`: the refresh request signed with the refresh secret.
    pub(crate) async fn refresh_access_token(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let token = text(args, "access_token");
        let date = OffsetDateTime::now_utc()
            .format(format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"))
            .unwrap_or_default();
        let key = hmac::Key::new(
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            text(args, "refresh_secret").as_bytes(),
        );
        let signed = hmac::sign(&key, format!("refresh_access_token\n{date}\n{token}\n").as_bytes());
        let mut params = flow_params(p, "");
        params.retain(|(k, _)| k != "form");
        params.push(pair("access_token", token));
        params.push(pair("date", date));
        params.push(pair(
            "signature",
            base64::engine::general_purpose::STANDARD.encode(signed.as_ref()),
        ));
        self.capture(p, "/oauth/refresh_access_token", &params, false)
            .await
            .map(|body| json!({"access_token": body["access_token"]}))
    }

    /// `janrain.update_profile`: the edit-profile form with the run's fields.
    pub(crate) async fn update_profile(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = flow_params(p, "editProfileForm");
        params.push(pair("access_token", text(args, "access_token")));
        for (field, value) in args["fields"].as_object().into_iter().flatten() {
            params.push(pair(field, value.as_str().unwrap_or_default().to_owned()));
        }
        self.capture(p, "/oauth/update_profile_native", &params, false)
            .await
            .map(|_| json!({}))
    }

    /// `janrain.change_password`: the signed-in change-password form.
    pub(crate) async fn change_password(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let mut params = flow_params(p, "changePasswordForm");
        params.push(pair("access_token", text(args, "access_token")));
        params.push(pair("currentPassword", text(args, "current_password")));
        params.push(pair("newPassword", text(args, "new_password")));
        params.push(pair("newPasswordConfirm", text(args, "new_password_confirm")));
        self.capture(p, "/oauth/update_profile_native", &params, false)
            .await
            .map(|_| json!({}))
    }
}

fn pair(key: &str, value: String) -> (String, String) {
    (key.to_owned(), value)
}
