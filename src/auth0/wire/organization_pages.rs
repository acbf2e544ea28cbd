//! The Universal Login prompts for an organization (facts auth0-mfa-orgs.md B6 "Prompts"): the
//! screen that asks for an organization's name before the login (`/u/organization`) and the
//! picker of the user's organizations after it (`/u/organization-picker`).
//!
//! Titles, field names and the error text are the documented ones (DOC-text screens
//! `organization-selection` / `organization-picker`, ACUL form handlers: `organizationName` with
//! `action=default`; `organization=org_…` or `organizationSkipped=true`); the rest of the markup
//! is authmock's own (inf), in the login form's frame.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::auth0::wire::login_text::frame;
use crate::auth0::wire::respond::encode;

/// Path of the prompt for an organization's name (facts B6, DOC-ul-paths).
pub const ORGANIZATION_PATH: &str = "/u/organization";
/// Path of the picker of the user's organizations (facts B6, DOC-ul-paths).
pub const ORGANIZATION_PICKER_PATH: &str = "/u/organization-picker";
/// doc (DOC-text, screen `organization-selection`): the title.
pub const ENTER_ORGANIZATION: &str = "Enter Organization";
/// doc (DOC-text, screen `organization-picker`): the title.
pub const CHOOSE_ORGANIZATION: &str = "Choose an Organization";
/// doc (DOC-text, screen `organization-selection`): a name no organization has.
pub const ORGANIZATION_INVALID: &str = "The organization you entered is invalid";
/// The picker shows the user's first 20 organizations (doc: DOC-org login-flows).
pub const PICKER_LIMIT: usize = 20;

/// The prompt for an organization's name, with its error under the field.
pub fn organization_prompt(tenant_name: &str, state: &str, entered: &str, error: Option<&str>) -> String {
    let action = format!("{ORGANIZATION_PATH}?state={}", encode(state));
    let error = error
        .map(|e| {
            format!(
                "<span id=\"error-element-organizationName\" class=\"ulp-input-error-message\" role=\"alert\">{}</span>\n",
                text(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{ENTER_ORGANIZATION}</h1>\n\
         <form method=\"POST\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\n\
         <label for=\"organizationName\">Organization Name</label>\n\
         <input id=\"organizationName\" name=\"organizationName\" type=\"text\" value=\"{entered}\">\n{error}\
         <button type=\"submit\" name=\"action\" value=\"default\" data-action-button-primary=\"true\">Continue</button>\n\
         </form>\n",
        action = attr(&action),
        state = attr(state),
        entered = attr(entered),
    );
    frame(tenant_name, &body)
}

/// The picker: one button per organization (`id`, display name), at most [`PICKER_LIMIT`].
pub fn organization_picker(tenant_name: &str, state: &str, organizations: &[(String, String)]) -> String {
    let action = format!("{ORGANIZATION_PICKER_PATH}?state={}", encode(state));
    let buttons: String = organizations
        .iter()
        .take(PICKER_LIMIT)
        .map(|(id, shown)| {
            format!(
                "<button type=\"submit\" name=\"organization\" value=\"{}\">{}</button>\n",
                attr(id),
                text(shown)
            )
        })
        .collect();
    let body = format!(
        "<h1>{CHOOSE_ORGANIZATION}</h1>\n\
         <form method=\"POST\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\n{buttons}</form>\n",
        action = attr(&action),
        state = attr(state),
    );
    frame(tenant_name, &body)
}
