//! Auth0's page copy: the texts and markup of the hosted pages (facts §7, DOC-text), in one
//! place to audit against `shared/providers/auth0.md`. Wire errors are in the envelope files
//! (`mgmt_error.rs`, `oauth_error.rs`, `signup_error.rs`).

/// facts §4: the success text of `POST /dbconnections/change_password`, the same for known and
/// unknown emails.
pub const RESET_EMAIL_SENT: &str = "We've just sent you an email to reset your password.";

// facts §7 (DOC-text), screen `reset-password`.
pub(crate) const FORM_TITLE: &str = "Change Your Password";
pub(crate) const FORM_DESCRIPTION: &str = "Enter a new password below to change your password.";
pub(crate) const FORM_BUTTON: &str = "Reset password";
pub(crate) const PASSWORD_MISSING: &str = "Enter a new password.";
pub(crate) const CONFIRMATION_MISSING: &str = "New password confirmation is missing";
pub(crate) const PASSWORDS_DIFFER: &str = "Passwords don't match";
pub(crate) const SUCCESS_TITLE: &str = "Password Changed!";
pub(crate) const SUCCESS_DESCRIPTION: &str = "Your password has been changed successfully.";
// facts §7 (DOC-text), screen `reset-password-error`.
pub(crate) const EXPIRED_TITLE: &str = "Link Expired";
pub(crate) const INVALID_TITLE: &str = "Invalid Link";
pub(crate) const EXPIRED_DESCRIPTION: &str =
    "To reset your password, return to the login page and select \"Forgot Your Password\" to send a new email.";
pub(crate) const USED_DESCRIPTION: &str = "This link has already been used. To reset your password, return to the login page \
                                and select \"Forgot Your Password\" to send a new email.";
pub(crate) const GENERIC_DESCRIPTION: &str =
    "Something went wrong. Please return to the login page and select \"Forgot Your Password\" to try again.";
/// inf: the policy screen text; the rules that failed follow it.
pub(crate) const TOO_WEAK: &str = "Password is too weak";
/// inf: what Classic Login appends to `result_url` after a reset (facts §7 documents
/// `success`/`message` and `Access expired.` for failures).
pub(crate) const CLASSIC_SUCCESS_MESSAGE: &str = "You can now login to the application with the new password.";
pub(crate) const CLASSIC_EXPIRED_MESSAGE: &str = "Access expired.";

/// The generic hosted error page (facts §7: `Oops!, something went wrong`, the error, and a
/// tracking id, the request id of the router's middleware).
pub(crate) fn generic_error_body(detail: &str, tracking: &str) -> String {
    format!(
        "<h1>Oops!, something went wrong</h1>\n<p><strong>invalid_request</strong>: {}</p>\n\
         <p class=\"tracking\">TRACKING ID: {tracking}</p>\n",
        html_escape::encode_text(detail)
    )
}

/// An error screen of the reset page (`reset-password-error`).
pub(crate) fn screen_body(title: &str, description: &str) -> String {
    format!(
        "<h1>{title}</h1>\n<p class=\"error\">{}</p>\n",
        html_escape::encode_text(description)
    )
}

/// The reset page once the password changed.
pub(crate) fn success_body() -> String {
    format!("<h1>{SUCCESS_TITLE}</h1>\n<p>{SUCCESS_DESCRIPTION}</p>\n")
}

/// The form, with an error line when a submission was refused.
pub(crate) fn form_page(
    tenant_name: &str,
    path: &str,
    secret: &str,
    csrf: &str,
    email: &str,
    error: Option<&str>,
) -> String {
    let action = format!("{path}?ticket={}", percent_encoding::utf8_percent_encode(secret, QUERY));
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>\n",
                html_escape::encode_text(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{FORM_TITLE}</h1>\n<p>{FORM_DESCRIPTION}</p>\n<p class=\"account\">{email}</p>\n{error}\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\n\
         <label for=\"password\">New password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\">\n\
         <label for=\"confirm_password\">Re-enter new password</label>\n\
         <input id=\"confirm_password\" name=\"confirm_password\" type=\"password\" autocomplete=\"new-password\">\n\
         <button type=\"submit\" name=\"action\" value=\"reset-password\">{FORM_BUTTON}</button>\n\
         </form>\n",
        email = html_escape::encode_text(email),
        action = html_escape::encode_double_quoted_attribute(&action),
        csrf = html_escape::encode_double_quoted_attribute(csrf),
    );
    page(tenant_name, &body)
}

/// The page frame: the tenant name as title (facts §7, generic error page).
pub(crate) fn page(tenant_name: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:24rem;margin:4rem auto}}label,input,button{{display:block;\
         width:100%;margin:.4rem 0}}.error{{color:#b00020}}</style>\n</head>\n<body>\n<main>\n{body}</main>\n\
         </body>\n</html>\n",
        title = html_escape::encode_text(tenant_name),
    )
}

/// Characters escaped in a query value.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The email-verification result screen (facts `auth0-users.md` §4, DOC-text, screen
/// `email-verification-result`).
pub(crate) mod verify {
    pub(crate) const VERIFIED_TITLE: &str = "Email Verified";
    pub(crate) const ERROR_TITLE: &str = "Error";
    pub(crate) const VERIFIED: &str = "Your email address was successfully verified.";
    pub(crate) const ALREADY_VERIFIED: &str = "This account is already verified.";
    pub(crate) const INVALID: &str = "User account does not exist or the verification code is invalid.";
    pub(crate) const EXPIRED: &str = "This ticket was expired.";
    pub(crate) const USED: &str = "This ticket was already used.";
    /// obs (classic redirect, facts §4): what `result_url` receives on success.
    pub(crate) const REDIRECT_SUCCESS: &str = "Your email was verified. You can continue using the application.";
}

/// The unblock page and mail (facts `auth0-users.md` §5.2, DOC-text, DOC-old-tpl).
pub(crate) mod unblock {
    pub(crate) const UNBLOCK_TITLE: &str = "Unblock My Account";
    pub(crate) const UNBLOCKED: &str = "Your account has been unblocked.";
    pub(crate) const LINK_USED: &str = "This URL can be used only once";
    pub(crate) const LINK_EXPIRED: &str = "Access expired.";
}
