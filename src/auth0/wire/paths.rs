//! The paths of the hosted pages that mailed links and ticket URLs point at; the login routes
//! serve them (`login/mod.rs`), the tenant writes them into links.

/// New Universal Login's password-reset page (facts §3.2).
pub const UNIVERSAL_RESET_PATH: &str = "/u/reset-password";
/// Classic Login's (facts §3.2).
pub const CLASSIC_RESET_PATH: &str = "/lo/reset";
/// New Universal Login's verification page (obs: REC-goauth0 `TestTicketManager_VerifyEmail`).
pub const UNIVERSAL_VERIFY_PATH: &str = "/u/email-verification";
/// Classic Login's (doc: the OAS example's `/lo/verify_email`).
pub const CLASSIC_VERIFY_PATH: &str = "/lo/verify_email";
/// The page an unblock link opens (inf: the path is not documented).
pub const UNBLOCK_PATH: &str = "/u/unblock";
