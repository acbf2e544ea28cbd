//! The wire texts and shapes of organizations (facts `auth0-mfa-orgs.md` Part B,
//! `auth0-users.md` §9): their Management API errors, each with its hint, the key orders of an
//! organization body per era, the checkpoint-paging token, and the invitation link. Imports
//! `core` and its siblings only.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::auth0::wire::era::WireEra;

/// A new or changed organization is printed `branding,id,display_name,name,…` instead of echoing
/// the request's keys then `id`. obs: go-auth0 v1 TestOrganizationManager_Create.yaml (2024-06)
/// is the first create in that order; TestOrganizationManager_AddConnection.yaml (2024-04) the
/// last create in request order. PATCH answers in it in every recording before 2025-06
/// (terraform-provider-auth0 TestAccOrganization.yaml 2022-10, go-auth0 `_Update` 2023-01).
const STORED_WRITE_ORDER: WireEra = WireEra::at(2024, 6);

/// Writes answer `id,display_name,name,…`. obs: terraform-provider-auth0
/// TestAccOrganizationTokenQuota.yaml (2025-06) is the first; go-auth0 v1
/// TestClient_CreateWithDefaultOrg.yaml (2024-08) the last in the older order.
const ID_FIRST_WRITE_ORDER: WireEra = WireEra::at(2025, 6);

/// Every organization carries `"third_party_client_access":"block"`. obs: terraform-provider-auth0
/// TestAccOrganizationThirdPartyClientAccess.yaml (2026-07) is the first recording with it, also
/// on organizations created without it; TestAccOrganizationMember.yaml (2026-04) the last without.
const THIRD_PARTY_CLIENT_ACCESS: WireEra = WireEra::at(2026, 7);

/// Every organization carries `"is_app_entitlement_active":false`. obs: terraform-provider-auth0
/// TestAccOrganizationIsAppEntitlementActive.yaml and TestAccDataSourceOrganizations.yaml (2026-08)
/// are the first; TestAccOrganizationThirdPartyClientAccess.yaml (2026-07) the last without.
const APP_ENTITLEMENT: WireEra = WireEra::at(2026, 8);

/// A members page shorter than `take` carries no `next` (before, it did, and the next call
/// answered `{"members":[]}`). obs: terraform-provider-auth0 TestAccDataSourceUserOrganizations.yaml
/// (2026-08) is the first recording of a lone short page without it; TestAccOrganizationMember.yaml
/// (2026-04) and go-auth0 v1 TestOrganizationManager_MembersCheckpointPagination.yaml (2023-03)
/// have it.
const MEMBERS_NO_NEXT_ON_SHORT_PAGE: WireEra = WireEra::at(2026, 8);

/// From when an organization's client grant association (`POST …/client-grants`, 201) prints the
/// grant's `organization_usage` and `allow_any_organization` after its `scope` (obs: go-auth0 v1
/// TestOrganizationManager_ClientGrantsWithOrg.yaml, 2026-01; TestOrganizationManager_ClientGrants.yaml,
/// 2023-12, prints `grant_id,client_id,audience,scope` only). inf: the change is dated at the
/// first recording that shows it.
const GRANT_ASSOCIATION_WITH_USAGE: WireEra = WireEra::at(2026, 1);

/// The keys, in order, of an association's answer in `era` (after `grant_id`).
pub fn grant_association_keys(era: WireEra) -> &'static [&'static str] {
    if era >= GRANT_ASSOCIATION_WITH_USAGE {
        &[
            "client_id",
            "audience",
            "scope",
            "organization_usage",
            "allow_any_organization",
        ]
    } else {
        &["client_id", "audience", "scope"]
    }
}

/// Whether a members page shorter than `take` still carries `next`.
pub fn members_next_on_short_page(era: WireEra) -> bool {
    era < MEMBERS_NO_NEXT_ON_SHORT_PAGE
}

/// The order a read prints an organization in, in every era (obs: REC-goauth0, REC-tf).
pub const READ_ORDER: &[&str] = &[
    "id",
    "name",
    "display_name",
    "branding",
    "metadata",
    "token_quota",
    "third_party_client_access",
    "is_app_entitlement_active",
];

/// The order a create (from 2024-06), an update and `/users/{id}/organizations` print an
/// organization in, by era (obs: see the constants above). inf: `metadata` and `token_quota`
/// after `branding` in the id-first order (no recording sends all three).
pub fn write_order(era: WireEra) -> &'static [&'static str] {
    if era >= ID_FIRST_WRITE_ORDER {
        &[
            "id",
            "display_name",
            "name",
            "branding",
            "metadata",
            "token_quota",
            "third_party_client_access",
            "is_app_entitlement_active",
        ]
    } else {
        &["branding", "id", "display_name", "name", "metadata", "token_quota"]
    }
}

/// Whether a create answers in the stored order (else the request's keys, then `id`).
pub fn create_in_stored_order(era: WireEra) -> bool {
    era >= STORED_WRITE_ORDER
}

/// The defaults every organization prints in `era` when none was set.
pub fn era_defaults(era: WireEra) -> Vec<(&'static str, serde_json::Value)> {
    let mut defaults = Vec::new();
    if era >= THIRD_PARTY_CLIENT_ACCESS {
        defaults.push(("third_party_client_access", serde_json::json!("block")));
    }
    if era >= APP_ENTITLEMENT {
        defaults.push(("is_app_entitlement_active", serde_json::json!(false)));
    }
    defaults
}

/// The checkpoint token of a list page: base64url without padding of
/// `<YYYY-MM-DD HH:MM:SS.ffffff>UTC,<id>` of the page's last item (obs: go-auth0 v1
/// TestOrganizationManager_ListCheckpointPagination.yaml decodes to
/// `2023-03-14 11:17:19.466000UTC,org_Wz2uMwAVQmfRb03I`; `_MembersCheckpointPagination` the same
/// with the membership's time and the user id).
pub fn checkpoint(at: OffsetDateTime, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}UTC,{id}", checkpoint_time(at)))
}

/// The time (as [`checkpoint`] prints it, so two compare as text) and the id a checkpoint token
/// names, if it is one.
pub fn checkpoint_parts(token: &str) -> Option<(String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (time, id) = text.split_once("UTC,")?;
    (time.len() == 26 && !id.is_empty()).then(|| (time.to_owned(), id.to_owned()))
}

/// The time part of [`checkpoint`] for `at`.
pub fn checkpoint_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]");
    at.format(&format).unwrap_or_default()
}

/// `<login URI>?invitation=<ticket>&organization=<org id>&organization_name=<name>` (obs:
/// go-auth0 v1 TestOrganizationManager_CreateInvitation.yaml; SUP-inv). The name is lower-case
/// letters, digits, `_` and `-`, so it needs no escaping.
pub fn invitation_url(login_uri: &str, ticket: &str, organization_id: &str, name: &str) -> String {
    let separator = if login_uri.contains('?') { '&' } else { '?' };
    format!("{login_uri}{separator}invitation={ticket}&organization={organization_id}&organization_name={name}")
}

/// An organization error of the Management API, in its hapi envelope (`mgmt_error.rs` renders
/// it through [`OrgError::status`], [`OrgError::message`], [`OrgError::error_code`]).
#[derive(Debug, Clone, PartialEq)]
pub enum OrgError {
    /// 404 `No organization found by that id or name`, no period, no errorCode (obs: go-auth0 v1
    /// TestOrganizationManager_Delete.yaml, GET and DELETE; terraform-provider-auth0 2026). The
    /// docs' `No organization found by that id.` of the invitations endpoints is not recorded;
    /// the recorded text answers everywhere (facts §D).
    NotFound { id: String },
    /// 409 `An organization with this name already exists.`, errorCode `organization_conflict`
    /// (doc: OAS-mgmt; the body was never captured, facts §D).
    NameExists { name: String },
    /// 404 `No connection found by that id`, no errorCode (obs: go-auth0 v1
    /// TestOrganizationManager_DeleteConnection.yaml, a read after the delete).
    ConnectionNotEnabled { connection_id: String },
    /// A connection id the tenant does not have, in `enabled_connections`. inf: the same text as
    /// [`OrgError::ConnectionNotEnabled`] (no recording sends an unknown connection).
    ConnectionNotFound { connection_id: String },
    /// 409 when the connection is already enabled. inf: text in the style of the client grants'
    /// `The client grant has already been added to this organization.` (OAS-mgmt).
    ConnectionAlreadyEnabled { connection_id: String },
    /// 400 `invalid_body` (obs: go-auth0 v1
    /// TestOrganizationManager_UpdateDBConnection/When_signup_enabled_with_assign_membership_false_should_fail.yaml).
    SignupNeedsMembership,
    /// 404 `The invitation does not exist.` / `inexistent_invitation` (obs: go-auth0 v1
    /// TestOrganizationManager_DeleteInvitation.yaml).
    InvitationNotFound { id: String },
    /// 400 `invalid_body` `The specified client_id does not exist.` (doc: DOC-org
    /// send-membership-invitations).
    InvitationClientNotFound { client_id: String },
    /// 400 `invalid_body` `The specified connection does not exist.` (doc).
    InvitationConnectionNotFound { connection_id: String },
    /// 400 `invalid_body`: the application has no login URI and the tenant no default login
    /// route (doc: DOC-org send-membership-invitations).
    InvitationNoLoginRoute { client_id: String },
    /// 400 `invalid_body` `The specified client_id (<id>) does not allow organizations.` for an
    /// application whose `organization_usage` is `deny` (doc / inf: agent-skills PR#180).
    InvitationClientDeniesOrganizations { client_id: String },
    /// 400 `invalid_body` `One or more of the specified roles do not exist: <ids>'.`, the stray
    /// quote as documented (doc: DOC-org send-membership-invitations).
    RolesNotFound { ids: Vec<String> },
    /// 400 `invalid_body` for users the tenant does not have in `members`. inf: no recording or
    /// document has the text (facts §B2); worded after [`OrgError::RolesNotFound`].
    UsersNotFound { ids: Vec<String> },
    /// 409 `No more roles can be assigned to this organization member.` (doc: OAS-mgmt; limit 50).
    TooManyMemberRoles { user_id: String },
    /// 400 `invalid_paging` `Requesting page exceeds the allowed maximum of 1000 records.` (doc:
    /// DOC-org retrieve-organizations; the body was not seen).
    PageTooFar,
    /// 409 `The client grant has already been added to this organization.` (doc: OAS-mgmt; the
    /// body was not seen: no errorCode, as the other organization conflicts here, inf).
    GrantAlreadyAdded { grant_id: String },
}

/// The most roles one member holds in one organization (doc: OAS-mgmt, DOC-org).
pub const MEMBER_ROLE_LIMIT: usize = 50;

impl OrgError {
    pub fn status(&self) -> StatusCode {
        use OrgError::*;
        match self {
            NotFound { .. } | ConnectionNotEnabled { .. } | ConnectionNotFound { .. } => StatusCode::NOT_FOUND,
            InvitationNotFound { .. } => StatusCode::NOT_FOUND,
            NameExists { .. }
            | ConnectionAlreadyEnabled { .. }
            | TooManyMemberRoles { .. }
            | GrantAlreadyAdded { .. } => StatusCode::CONFLICT,
            SignupNeedsMembership
            | InvitationClientNotFound { .. }
            | InvitationConnectionNotFound { .. }
            | InvitationNoLoginRoute { .. }
            | InvitationClientDeniesOrganizations { .. }
            | RolesNotFound { .. }
            | UsersNotFound { .. }
            | PageTooFar => StatusCode::BAD_REQUEST,
        }
    }

    pub fn message(&self) -> String {
        use OrgError::*;
        match self {
            NotFound { .. } => "No organization found by that id or name".into(),
            NameExists { .. } => "An organization with this name already exists.".into(),
            ConnectionNotEnabled { .. } | ConnectionNotFound { .. } => "No connection found by that id".into(),
            // inf: see the variant.
            ConnectionAlreadyEnabled { .. } => "The connection has already been added to this organization.".into(),
            SignupNeedsMembership => {
                "Only database connections with assign_membership_on_login = true support is_signup_enabled = true."
                    .into()
            }
            InvitationNotFound { .. } => "The invitation does not exist.".into(),
            InvitationClientNotFound { .. } => "The specified client_id does not exist.".into(),
            InvitationConnectionNotFound { .. } => "The specified connection does not exist.".into(),
            InvitationNoLoginRoute { .. } => "A default login route is required to generate the invitation url. \
                                              To learn more, see Configure default login routes."
                .into(),
            InvitationClientDeniesOrganizations { client_id } => {
                format!("The specified client_id ({client_id}) does not allow organizations.")
            }
            RolesNotFound { ids } => format!("One or more of the specified roles do not exist: {}'.", ids.join(", ")),
            // inf: see the variant.
            UsersNotFound { ids } => format!("One or more of the specified users do not exist: {}.", ids.join(", ")),
            TooManyMemberRoles { .. } => "No more roles can be assigned to this organization member.".into(),
            PageTooFar => "Requesting page exceeds the allowed maximum of 1000 records.".into(),
            GrantAlreadyAdded { .. } => "The client grant has already been added to this organization.".into(),
        }
    }

    pub fn error_code(&self) -> Option<&'static str> {
        use OrgError::*;
        match self {
            NotFound { .. } | ConnectionNotEnabled { .. } | ConnectionNotFound { .. } | TooManyMemberRoles { .. } => {
                None
            }
            NameExists { .. } => Some("organization_conflict"),
            ConnectionAlreadyEnabled { .. } | GrantAlreadyAdded { .. } => None,
            InvitationNotFound { .. } => Some("inexistent_invitation"),
            SignupNeedsMembership
            | InvitationClientNotFound { .. }
            | InvitationConnectionNotFound { .. }
            | InvitationNoLoginRoute { .. }
            | InvitationClientDeniesOrganizations { .. }
            | RolesNotFound { .. }
            | UsersNotFound { .. } => Some("invalid_body"),
            PageTooFar => Some("invalid_paging"),
        }
    }

    /// authmock's diagnosis.
    pub fn hint(&self) -> String {
        use OrgError::*;
        match self {
            NotFound { id } => format!(
                "no organization has the id or name {id:?} (deleted, or never created on this tenant): \
                 GET /api/v2/organizations lists them"
            ),
            NameExists { name } => {
                format!("an organization named {name:?} exists already; names are unique per tenant")
            }
            ConnectionNotEnabled { connection_id } => {
                format!(
                    "connection {connection_id} is not enabled for this organization (POST .../enabled_connections)"
                )
            }
            ConnectionNotFound { connection_id } => {
                format!("the tenant has no connection {connection_id}: GET /api/v2/connections lists them")
            }
            ConnectionAlreadyEnabled { connection_id } => {
                format!(
                    "connection {connection_id} is enabled already: PATCH .../enabled_connections/{connection_id} changes it"
                )
            }
            SignupNeedsMembership => {
                "is_signup_enabled:true needs a database connection with assign_membership_on_login:true".into()
            }
            InvitationNotFound { id } => {
                format!("no invitation {id} in this organization (deleted, expired or never made)")
            }
            InvitationClientNotFound { client_id } => format!("no application has client_id {client_id}"),
            InvitationConnectionNotFound { connection_id } => format!("no connection has id {connection_id}"),
            InvitationNoLoginRoute { client_id } => format!(
                "application {client_id} has no initiate_login_uri and the tenant no default_redirection_uri: the \
                 invitation link is built from one of them (PATCH /api/v2/clients/{client_id})"
            ),
            InvitationClientDeniesOrganizations { client_id } => {
                format!("application {client_id} has organization_usage deny: set it to allow or require first")
            }
            RolesNotFound { ids } => format!("no role has the id(s) {}", ids.join(", ")),
            UsersNotFound { ids } => format!("no user has the id(s) {}", ids.join(", ")),
            TooManyMemberRoles { user_id } => {
                format!("{user_id} holds {MEMBER_ROLE_LIMIT} roles in this organization, the most one member may")
            }
            PageTooFar => {
                "(page+1)*per_page must stay within the first 1000 records: page with from/take instead".into()
            }
            GrantAlreadyAdded { grant_id } => format!(
                "client grant {grant_id} is associated with this organization already \
                 (GET .../client-grants lists them)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn checkpoints_encode_as_recorded() {
        assert_eq!(
            checkpoint(datetime!(2023-03-14 11:17:19.466 UTC), "org_Wz2uMwAVQmfRb03I"),
            "MjAyMy0wMy0xNCAxMToxNzoxOS40NjYwMDBVVEMsb3JnX1d6MnVNd0FWUW1mUmIwM0k"
        );
        assert_eq!(
            checkpoint_parts("MjAyMy0wMy0xNCAxMToxNzoxOS40NjYwMDBVVEMsb3JnX1d6MnVNd0FWUW1mUmIwM0k"),
            Some((
                "2023-03-14 11:17:19.466000".to_owned(),
                "org_Wz2uMwAVQmfRb03I".to_owned()
            ))
        );
        assert_eq!(
            checkpoint(datetime!(2026-04-23 07:39:15.574 UTC), "auth0|69e9cca1b07f831922312599"),
            "MjAyNi0wNC0yMyAwNzozOToxNS41NzQwMDBVVEMsYXV0aDB8NjllOWNjYTFiMDdmODMxOTIyMzEyNTk5"
        );
        for bad in ["", "x", "!!!", "b3JnX3g"] {
            assert_eq!(checkpoint_parts(bad), None, "{bad}");
        }
    }

    #[test]
    fn write_orders_follow_the_eras() {
        let era = |t: &str| WireEra::try_from(t.to_owned()).expect("era");
        assert!(!create_in_stored_order(era("2024-04")));
        assert!(create_in_stored_order(era("2024-06")));
        assert_eq!(write_order(era("2024-08"))[0], "branding");
        assert_eq!(write_order(era("2025-06"))[0], "id");
        assert!(era_defaults(era("2026-04")).is_empty());
        assert_eq!(era_defaults(era("2026-07")).len(), 1);
        assert_eq!(era_defaults(WireEra::NEWEST).len(), 2);
    }
}
