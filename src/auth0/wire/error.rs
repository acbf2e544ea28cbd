//! The Auth0 error any handler may answer, whatever its envelope: the Management API's hapi
//! envelope ([`MgmtError`], `mgmt_error.rs`), the Authentication API's OAuth envelope
//! ([`OAuthError`], `oauth_error.rs`), and `/dbconnections/signup`'s own ([`SignupError`],
//! `signup_error.rs`). Each envelope file writes its variants' wire text and hints; this one
//! only carries them to the response. Paths that answer in one envelope return its type; the
//! Authentication API, whose endpoints mix the OAuth and signup envelopes, and the fault rules'
//! named errors return this one.

use axum::response::{IntoResponse, Response};

use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::auth0::wire::signup_error::SignupError;

/// An error in one of Auth0's envelopes.
#[derive(Debug, Clone)]
pub enum Auth0Error {
    Mgmt(MgmtError),
    OAuth(OAuthError),
    Signup(SignupError),
}

impl From<MgmtError> for Auth0Error {
    fn from(error: MgmtError) -> Self {
        Auth0Error::Mgmt(error)
    }
}

impl From<OAuthError> for Auth0Error {
    fn from(error: OAuthError) -> Self {
        Auth0Error::OAuth(error)
    }
}

impl From<SignupError> for Auth0Error {
    fn from(error: SignupError) -> Self {
        Auth0Error::Signup(error)
    }
}

impl Auth0Error {
    /// A rate-limit answer (429 with `x-ratelimit-*` headers when it comes from a bucket).
    pub fn is_rate_limit(&self) -> bool {
        match self {
            Auth0Error::Mgmt(error) => error.is_rate_limit(),
            Auth0Error::OAuth(error) => error.is_rate_limit(),
            Auth0Error::Signup(_) => false,
        }
    }
}

impl IntoResponse for Auth0Error {
    fn into_response(self) -> Response {
        match self {
            Auth0Error::Mgmt(error) => error.into_response(),
            Auth0Error::OAuth(error) => error.into_response(),
            Auth0Error::Signup(error) => error.into_response(),
        }
    }
}
