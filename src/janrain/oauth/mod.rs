//! Capture's OAuth and native-form API: `/oauth/*` and `/access/useVerificationCode`, one file
//! per call (recovery, token, sign-in, refresh, registration, verification, profile forms), over
//! the checks every native call shares (`extract`) and the form-field rules (`fields`).
//!
//! Answers in the Capture envelope, `/oauth/token` in the OAuth shape (`wire::error`). Imports
//! `tenant`, `wire` and `core`; never the Entity API.

mod extract;
mod fields;
mod forgot_password;
mod profile;
mod refresh;
mod register;
mod sign_in;
mod token;
mod verify_email;

use axum::Router;
use axum::routing::post;

use crate::janrain::tenant::JanrainApp;

/// The routes of the OAuth and native-form API.
pub(super) fn routes() -> Router<JanrainApp> {
    Router::new()
        .route("/oauth/forgot_password_native", post(forgot_password::forgot_password))
        .route("/oauth/token", post(token::token).get(token::token))
        .route("/oauth/auth_native_traditional", post(sign_in::sign_in))
        .route("/oauth/update_profile_native", post(profile::update_profile))
        .route("/oauth/refresh_access_token", post(refresh::refresh_access_token))
        .route("/oauth/register_native_traditional", post(register::register))
        .route("/oauth/verify_email_native", post(verify_email::send))
        .route("/access/useVerificationCode", post(verify_email::use_code))
}
