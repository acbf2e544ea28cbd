//! Step definitions, one file per concept: `setup` (the tenant and its conditions),
//! `operations` (what the client is asked to do), `observations` (what the client reported
//! and what the provider saw); `janrain` is the Janrain password-recovery journey's own, `entity` the Entity API's,
//! `registration` registration, email verification, token refresh and the signed-in profile.

pub mod entity;
pub mod janrain;
pub mod login;
pub mod observations;
pub mod operations;
pub mod registration;
pub mod setup;
pub mod users;

/// The phrase of each When-step and the operation it needs: scenarios that need an operation
/// the client did not declare are skipped rather than failed (see `harness::parser`).
pub const OPERATION_PHRASES: &[(&str, &str)] = &[
    // Login steps first: a browser login needs begin_login and complete_login, declared together.
    ("signs in on the login page", "auth0.complete_login"),
    ("starts a silent login", "auth0.complete_login"),
    ("handed to the client again", "auth0.complete_login"),
    ("starts a login with the callback", "auth0.begin_login"),
    ("refreshes its tokens", "auth0.refresh_tokens"),
    ("reads the user's profile", "auth0.get_userinfo"),
    ("logs out back to", "auth0.logout"),
    ("password-change ticket", "auth0.create_password_change_ticket"),
    ("asks for a password reset email", "auth0.send_password_reset_email"),
    ("sets the password of", "auth0.set_user_password"),
    ("logs in as", "auth0.login_with_password"),
    ("looks up the users with email", "auth0.find_users_by_email"),
    ("fetches a management token", "auth0.get_management_token"),
    ("creates the user", "auth0.create_user"),
    ("searches the users with", "auth0.search_users"),
    ("deletes the user", "auth0.delete_user"),
    ("a verification email", "auth0.send_verification_email"),
    ("the client gives", "auth0.assign_roles"),
    ("the client unblocks", "auth0.unblock_user"),
    (
        "asks Janrain to send a password recovery email",
        "janrain.send_password_recovery_email",
    ),
    ("exchanges the recovery code", "janrain.exchange_code"),
    ("sets the new password", "janrain.update_password"),
    ("signs in to Janrain", "janrain.sign_in"),
    ("finds the Janrain records matching", "janrain.entity_find"),
    ("creates a Janrain record", "janrain.entity_create"),
    ("changes the given name of the Janrain record", "janrain.entity_update"),
    ("deletes the Janrain record", "janrain.entity_delete"),
    ("registers a Janrain account", "janrain.register"),
    (
        "asks Janrain to resend the verification link",
        "janrain.resend_verification_email",
    ),
    (
        "confirms the email address with the mailed code",
        "janrain.verify_email",
    ),
    ("refreshes its Janrain access token", "janrain.refresh_access_token"),
    ("edits the Janrain profile", "janrain.update_profile"),
    ("changes the Janrain password", "janrain.change_password"),
];
