//! Every byte of Auth0 text and the helpers that write it: one error type per envelope
//! (`mgmt_error`, `oauth_error`, `signup_error`; `error` carries any of them, `named` the fault
//! names, `hint` the diagnoses both share), the hosted pages' errors (`reset_error`,
//! `login_error`), page copy (`text`, `login_text`, `mfa_text`), mail copy (`mail`), the hosted pages'
//! paths (`paths`), the discovery document (`discovery`), the era of the wire shapes (`era`), sealed connection configuration (`sealed`), response helpers (`respond`), body reading (`body`) and value formats
//! (`format`). The layer the fidelity audit against `shared/providers/` reads. Imports `core`
//! only.

pub(crate) mod body;
pub(crate) mod discovery;
pub mod era;
pub(crate) mod error;
pub(crate) mod factor_error;
pub(crate) mod format;
pub(crate) mod hint;
pub(crate) mod import_error;
pub(crate) mod login_error;
pub(crate) mod login_text;
pub(crate) mod mail;
pub(crate) mod mfa_error;
pub(crate) mod mfa_text;
pub(crate) mod mgmt_error;
pub(crate) mod named;
pub(crate) mod oauth_error;
pub(crate) mod organization_pages;
pub(crate) mod organizations;
pub(crate) mod paths;
pub(crate) mod reset_error;
pub(crate) mod respond;
pub(crate) mod sealed;
pub(crate) mod signup_error;
pub(crate) mod text;
