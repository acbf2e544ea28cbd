//! The emails an Auth0 tenant sends, composed for the outbox.
//!
//! The provider's default templates are customisable and their exact wording is not among the
//! wire facts, so the texts here are authmock's own; what a client relies on is the link, which
//! has the documented ticket URL shape (facts §3.2, §7). Sender and subject are inferred: the
//! provider's default sender domain and a plain "Reset your password" subject.

use crate::auth0::wire::text::unblock::UNBLOCK_TITLE;
use crate::core::outbox::{Address, Draft};

/// Whom a mail goes to: a user's name and email address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recipient<'a> {
    pub(crate) name: &'a str,
    pub(crate) email: &'a str,
}

/// inf: the sender address of a tenant without a custom email provider.
pub const DEFAULT_SENDER: &str = "no-reply@auth0user.net";

/// The change-password email with its reset link.
pub fn password_reset(tenant_name: &str, user: &Recipient<'_>, link: &str) -> Draft {
    let text = format!(
        "Hello {name},\n\n\
         Someone asked to reset the password of your {tenant_name} account ({email}).\n\
         Choose a new password here:\n\n\
         {link}\n\n\
         If you did not ask for this, ignore this email: your password stays as it is.\n",
        name = user.name,
        email = user.email,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n\
         <p>Hello {name},</p>\n\
         <p>Someone asked to reset the password of your {tenant} account ({email}).</p>\n\
         <p><a href=\"{href}\">Choose a new password</a></p>\n\
         <p>If you did not ask for this, ignore this email: your password stays as it is.</p>\n\
         </body></html>\n",
        name = html_escape::encode_text(user.name),
        tenant = html_escape::encode_text(tenant_name),
        email = html_escape::encode_text(user.email),
        href = html_escape::encode_double_quoted_attribute(link),
    );
    draft(tenant_name, user, "Reset your password", text, html, "password-reset")
}

/// The verification email with its ticket link (texts authmock's own, as above; subject inf).
pub fn email_verification(tenant_name: &str, user: &Recipient<'_>, link: &str) -> Draft {
    let text = format!(
        "Hello {name},\n\n\
         Please verify the email address of your {tenant_name} account ({email}) by opening this link:\n\n\
         {link}\n\n\
         If you did not create an account, ignore this email.\n",
        name = user.name,
        email = user.email,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n\
         <p>Hello {name},</p>\n\
         <p>Please verify the email address of your {tenant} account ({email}).</p>\n\
         <p><a href=\"{href}\">Verify your email</a></p>\n\
         <p>If you did not create an account, ignore this email.</p>\n\
         </body></html>\n",
        name = html_escape::encode_text(user.name),
        tenant = html_escape::encode_text(tenant_name),
        email = html_escape::encode_text(user.email),
        href = html_escape::encode_double_quoted_attribute(link),
    );
    draft(tenant_name, user, "Verify your email", text, html, "email-verification")
}

/// The notification mail (texts authmock's own; the template variables are the documented ones).
pub fn unblock(tenant_name: &str, user: &Recipient<'_>, ip: &str, link: &str) -> Draft {
    let text = format!(
        "Hello {name},\n\nYour {tenant_name} account ({email}) was blocked after multiple consecutive login \
         attempts from {ip}.\nUnblock it here:\n\n{link}\n",
        name = user.name,
        email = user.email,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>Hello {name},</p>\n<p>Your {tenant} account ({email}) was blocked after \
         multiple consecutive login attempts from {ip}.</p>\n<p><a href=\"{href}\">{UNBLOCK_TITLE}</a></p>\n\
         </body></html>\n",
        name = html_escape::encode_text(user.name),
        tenant = html_escape::encode_text(tenant_name),
        email = html_escape::encode_text(user.email),
        ip = html_escape::encode_text(ip),
        href = html_escape::encode_double_quoted_attribute(link),
    );
    draft(
        tenant_name,
        user,
        "Your account has been blocked",
        text,
        html,
        "unblock",
    )
}

/// The one-time code of an email or SMS authenticator (`/mfa/associate`, `/mfa/challenge`). The
/// SMS goes to the outbox too, addressed to the phone number, so a test reads it the same way
/// (texts authmock's own; the facts give only the six digits and the 5 minute life, A4, A5).
pub fn mfa_code(tenant_name: &str, to: &str, code: &str, channel: &str) -> Draft {
    let text = format!(
        "{code} is your verification code for {tenant_name}. It expires in 5 minutes.\n\n         If you did not ask for it, ignore this message.\n"
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p><strong>{code}</strong> is your verification code for {tenant}.          It expires in 5 minutes.</p>\n<p>If you did not ask for it, ignore this message.</p>\n</body></html>\n",
        tenant = html_escape::encode_text(tenant_name),
    );
    let recipient = Recipient { name: to, email: to };
    // A voice call's code lands in the outbox too, tagged with its channel.
    let tag = match channel {
        "sms" => "mfa-sms",
        "voice" => "mfa-voice",
        _ => "mfa-email",
    };
    draft(tenant_name, &recipient, "Your verification code", text, html, tag)
}

/// A mail from the tenant's default sender to `user`.
fn draft(tenant_name: &str, user: &Recipient<'_>, subject: &str, text: String, html: String, tag: &str) -> Draft {
    Draft {
        from: Address::new(tenant_name, DEFAULT_SENDER),
        to: Address::new(user.name, user.email),
        subject: subject.into(),
        text,
        html,
        tags: vec![tag.into()],
    }
}
