//! The recovery mail. Its template is flow-configured and NOT FOUND in the facts (§4), so the
//! text is authmock's own; what matters on the wire is the link, `<password_recover_url>?code=…`.

use crate::core::outbox::{Address, Draft};

pub fn recovery(app_name: &str, to: &str, display_name: &str, link: &str) -> Draft {
    let text = format!(
        "Hello {display_name},\n\nSomeone asked to reset the password of your account. Follow this link to \
         choose a new one:\n\n{link}\n\nIf you did not ask for this, ignore this message.\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>Someone asked to reset the password of your account. \
         <a href=\"{}\">Choose a new password</a>.</p>",
        html_escape::encode_text(display_name),
        html_escape::encode_double_quoted_attribute(link)
    );
    Draft {
        from: Address::new(app_name, "no-reply@janraincapture.test"),
        to: Address::new(display_name, to),
        subject: "Reset your password".into(),
        text,
        html,
        tags: vec!["password-recover".into()],
    }
}

/// The verification mail (`janrain-entity.md` §3.1): its template is flow-configured and NOT
/// FOUND, so the text is authmock's own; the link is `<verify_email_url>?verification_code=…`.
pub fn verification(app_name: &str, to: &str, display_name: &str, link: &str) -> Draft {
    let text = format!(
        "Hello {display_name},\n\nPlease confirm your email address by following this link:\n\n{link}\n\n\
         If you did not create an account, ignore this message.\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>Please <a href=\"{}\">confirm your email address</a>.</p>",
        html_escape::encode_text(display_name),
        html_escape::encode_double_quoted_attribute(link)
    );
    Draft {
        from: Address::new(app_name, "no-reply@janraincapture.test"),
        to: Address::new(display_name, to),
        subject: "Verify your email address".into(),
        text,
        html,
        tags: vec!["verify-email".into()],
    }
}
