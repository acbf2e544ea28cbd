//! Organizations (facts `auth0-mfa-orgs.md` Part B, `auth0-users.md` §9): `/api/v2/organizations`
//! CRUD and `/organizations/name/{name}`, members and their roles, enabled connections,
//! invitations, and `/users/{id}/organizations`. The statuses are the recorded ones: create 201,
//! delete and the member writes 204, enabled connection 201, invitation 201 (the docs say 200).
//! Lists page by offset (`page`, `per_page`, `include_totals`) or by checkpoint (`from`, `take`,
//! answering `next`); `take` wins (obs: go-auth0 v1
//! TestOrganizationManager_ListCheckpointPagination.yaml).

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth0::management::extract::{BodySchema, MgmtBody, MgmtQuery, Scoped, scopes};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::organizations::{
    self as orgs, NewInvitation, NewOrganization, Organization, invitation_json, member_checkpoint, member_json,
    organization_checkpoint, read_json, write_json,
};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::organizations::{OrgError, checkpoint_parts, checkpoint_time, members_next_on_short_page};
use crate::auth0::wire::respond::{json_response, mgmt_no_content};

scopes!(ReadOrganizations, "read:organizations", "read:organizations_summary");
scopes!(CreateOrganizations, "create:organizations");
scopes!(UpdateOrganizations, "update:organizations");
scopes!(DeleteOrganizations, "delete:organizations");
scopes!(ReadMembers, "read:organization_members");
scopes!(CreateMembers, "create:organization_members");
scopes!(DeleteMembers, "delete:organization_members");
scopes!(ReadMemberRoles, "read:organization_member_roles");
scopes!(CreateMemberRoles, "create:organization_member_roles");
scopes!(DeleteMemberRoles, "delete:organization_member_roles");
scopes!(ReadConnections, "read:organization_connections");
scopes!(CreateConnections, "create:organization_connections");
scopes!(UpdateConnections, "update:organization_connections");
scopes!(DeleteConnections, "delete:organization_connections");
scopes!(ReadInvitations, "read:organization_invitations");
scopes!(CreateInvitations, "create:organization_invitations");
scopes!(DeleteInvitations, "delete:organization_invitations");
scopes!(ReadUserOrganizations, "read:users", "read:organizations");
scopes!(ReadClientGrants, "read:organization_client_grants");
scopes!(CreateClientGrants, "create:organization_client_grants");
scopes!(DeleteClientGrants, "delete:organization_client_grants");

macro_rules! schema {
    ($static:ident, $file:literal) => {
        static $static: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!(concat!("schemas/", $file))));
    };
}
schema!(CREATE, "organization_create.json");
schema!(UPDATE, "organization_update.json");
schema!(LIST, "organization_list_query.json");
schema!(MEMBERS, "organization_members.json");
schema!(MEMBERS_QUERY, "organization_members_query.json");
schema!(PAGE_QUERY, "organization_page_query.json");
schema!(ROLES, "user_roles.json");
schema!(CONNECTION_CREATE, "organization_connection_create.json");
schema!(CONNECTION_UPDATE, "organization_connection_update.json");
schema!(INVITATION, "organization_invitation_create.json");
schema!(LIST_QUERY, "list_query.json");
schema!(GRANT_CREATE, "organization_client_grant_create.json");
schema!(GRANTS_QUERY, "organization_client_grants_query.json");
schema!(GRANT_ORGANIZATIONS_QUERY, "client_grant_organizations_query.json");

/// Declares a body or query type that is a JSON object kept in its sent order.
macro_rules! object_body {
    ($name:ident, $schema:ident) => {
        pub(super) struct $name(Map<String, Value>);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Map::deserialize(d).map($name)
            }
        }
        impl BodySchema for $name {
            fn schema() -> &'static Schema {
                &$schema
            }
        }
    };
}
object_body!(CreateBody, CREATE);
object_body!(UpdateBody, UPDATE);
object_body!(ConnectionCreateBody, CONNECTION_CREATE);
object_body!(ConnectionUpdateBody, CONNECTION_UPDATE);
object_body!(InvitationBody, INVITATION);

/// `{"members":["auth0|…"]}`.
#[derive(Debug, Deserialize)]
pub(super) struct MembersBody {
    members: Vec<String>,
}
impl BodySchema for MembersBody {
    fn schema() -> &'static Schema {
        &MEMBERS
    }
}

/// `{"roles":["rol_…"]}`.
#[derive(Debug, Deserialize)]
pub(super) struct RolesBody {
    roles: Vec<String>,
}
impl BodySchema for RolesBody {
    fn schema() -> &'static Schema {
        &ROLES
    }
}

/// `{"grant_id":"cgr_…"}`.
#[derive(Debug, Deserialize)]
pub(super) struct GrantBody {
    grant_id: String,
}
impl BodySchema for GrantBody {
    fn schema() -> &'static Schema {
        &GRANT_CREATE
    }
}

/// The organization client grants list's query: the paging, and the filters.
#[derive(Debug, Deserialize)]
pub(super) struct GrantsQuery {
    #[serde(flatten)]
    paging: Paging,
    audience: Option<String>,
    client_id: Option<String>,
    grant_ids: Option<String>,
}
impl BodySchema for GrantsQuery {
    fn schema() -> &'static Schema {
        &GRANTS_QUERY
    }
}

/// The paging parameters of every list here (each list's schema says which it takes).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Paging {
    page: Option<u64>,
    per_page: Option<u64>,
    include_totals: Option<bool>,
    from: Option<String>,
    take: Option<u64>,
    fields: Option<String>,
    include_fields: Option<bool>,
}

/// `GET /organizations`'s query.
pub(super) struct ListQuery(Paging);
/// The members list's query.
pub(super) struct MembersQuery(Paging);
/// The member roles', enabled connections' and invitations' query.
pub(super) struct PageQuery(Paging);
/// `/users/{id}/organizations`'s query.
pub(super) struct UserListQuery(Paging);
/// `/client-grants/{id}/organizations`'s query.
pub(super) struct GrantOrganizationsQuery(Paging);

macro_rules! paging_query {
    ($name:ident, $schema:ident) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Paging::deserialize(d).map($name)
            }
        }
        impl BodySchema for $name {
            fn schema() -> &'static Schema {
                &$schema
            }
        }
    };
}
paging_query!(ListQuery, LIST);
paging_query!(MembersQuery, MEMBERS_QUERY);
paging_query!(PageQuery, PAGE_QUERY);
paging_query!(UserListQuery, LIST_QUERY);
paging_query!(GrantOrganizationsQuery, GRANT_ORGANIZATIONS_QUERY);

const JSON: &str = "application/json; charset=utf-8";

fn ok(status: StatusCode, body: &Value) -> Response {
    json_response(status, body, JSON)
}

fn path_id(path: Result<Path<String>, PathRejection>) -> String {
    path.map(|Path(id)| id).unwrap_or_default()
}

fn path_pair(path: Result<Path<(String, String)>, PathRejection>) -> (String, String) {
    path.map(|Path(pair)| pair).unwrap_or_default()
}

/// What an offset page's `limit` says: the page size asked for, or the items on the page (the
/// enabled connections and invitations lists; obs: go-auth0 v1 `_Connections`, `_Invitations`).
#[derive(Clone, Copy)]
enum Limit {
    PerPage,
    Count,
}

/// An offset page: `{"<key>":[…],"start","limit"[,"total"]}` with `include_totals`, else the
/// bare array (inf: as the other lists). Past the first 1000 records: the provider's 400.
fn offset_page(key: &str, items: Vec<Value>, paging: &Paging, limit: Limit, total: bool) -> Result<Value, MgmtError> {
    let per_page = paging.per_page.unwrap_or(50);
    let page = paging.page.unwrap_or(0);
    if paging.page.is_some() && page.saturating_add(1).saturating_mul(per_page) > 1000 {
        return Err(OrgError::PageTooFar.into());
    }
    let start = page.saturating_mul(per_page);
    let count = items.len();
    let slice: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .collect();
    if paging.include_totals != Some(true) {
        return Ok(Value::Array(slice));
    }
    let mut body = Map::new();
    let shown = slice.len();
    body.insert(key.into(), Value::Array(slice));
    body.insert("start".into(), json!(start));
    body.insert(
        "limit".into(),
        match limit {
            Limit::PerPage => json!(per_page),
            Limit::Count => json!(shown),
        },
    );
    if total {
        body.insert("total".into(), json!(count));
    }
    Ok(Value::Object(body))
}

/// A checkpoint page: the `take` items after the one `from` names (from the first without it),
/// `next` naming the page's last item (see `wire/organizations.rs`). `keep_next_on_short`:
/// whether a page shorter than `take` still carries `next` (the members list does, obs: go-auth0
/// v1 TestOrganizationManager_MembersCheckpointPagination.yaml; the organizations list does not,
/// obs: `_ListCheckpointPagination`).
fn checkpoint_page<T>(
    key: &str,
    items: &[&T],
    place: impl Fn(&T) -> (String, &str),
    render: impl Fn(&T) -> Value,
    token: impl Fn(&T) -> String,
    paging: &Paging,
    keep_next_on_short: bool,
) -> Value {
    let take = usize::try_from(paging.take.unwrap_or(50)).unwrap_or(usize::MAX);
    // The items after the one the token names; if it is gone, after its place in the order.
    let start = match paging.from.as_deref().and_then(checkpoint_parts) {
        Some((time, id)) => match items.iter().position(|i| place(i).1 == id) {
            Some(at) => at + 1,
            None => items
                .iter()
                .position(|i| {
                    let (t, i) = place(i);
                    (t.as_str(), i) > (time.as_str(), id.as_str())
                })
                .unwrap_or(items.len()),
        },
        None => 0,
    };
    let page: Vec<&T> = items.iter().skip(start).take(take).copied().collect();
    let more = start + page.len() < items.len();
    let mut body = Map::new();
    body.insert(key.into(), Value::Array(page.iter().map(|i| render(i)).collect()));
    if let Some(last) = page.last()
        && (more || keep_next_on_short)
    {
        body.insert("next".into(), json!(token(last)));
    }
    Value::Object(body)
}

fn organization<'a>(state: &'a TenantState, id: &str) -> Result<&'a Organization, MgmtError> {
    let index = orgs::index_of(state, id)?;
    Ok(&state.organizations().all()[index])
}

// ---- organizations ----

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateOrganizations>,
    MgmtBody(CreateBody(body)): MgmtBody<CreateBody>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    let answer = orgs::create(&mut state, NewOrganization { body }, now)?;
    Ok(ok(StatusCode::CREATED, &answer))
}

#[tracing::instrument(skip_all)]
pub(super) async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadOrganizations>,
    MgmtQuery(ListQuery(paging)): MgmtQuery<ListQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let all: Vec<&Organization> = state.organizations().all().iter().collect();
    Ok(ok(StatusCode::OK, &organizations_page(&all, &paging, state.era())?))
}

/// A page of `organizations` as `GET /organizations` answers it: by checkpoint with `take`, else
/// by offset.
fn organizations_page(organizations: &[&Organization], paging: &Paging, era: WireEra) -> Result<Value, MgmtError> {
    if paging.take.is_some() {
        return Ok(checkpoint_page(
            "organizations",
            organizations,
            |o| (checkpoint_time(o.created_at), o.id.as_str()),
            |o| read_json(o, era),
            organization_checkpoint,
            paging,
            false,
        ));
    }
    let items = organizations.iter().map(|o| read_json(o, era)).collect();
    offset_page("organizations", items, paging, Limit::PerPage, true)
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadOrganizations>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let org = organization(&state, &path_id(path))?;
    Ok(ok(StatusCode::OK, &read_json(org, state.era())))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get_by_name(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadOrganizations>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let name = path_id(path);
    // inf: the shared text of the id lookup (facts B1).
    let org = state
        .organizations()
        .by_name(&name)
        .ok_or(OrgError::NotFound { id: name.clone() })?;
    Ok(ok(StatusCode::OK, &read_json(org, state.era())))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateOrganizations>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(UpdateBody(patch)): MgmtBody<UpdateBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let answer = orgs::update(&mut state, &path_id(path), patch)?;
    Ok(ok(StatusCode::OK, &answer))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteOrganizations>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let id = path_id(path);
    // obs: a second DELETE is the 404 (go-auth0 v1 TestOrganizationManager_Delete.yaml).
    if !orgs::delete(&mut state, &id) {
        return Err(OrgError::NotFound { id }.into());
    }
    Ok(mgmt_no_content())
}

// ---- members ----

#[tracing::instrument(skip_all)]
pub(super) async fn add_members(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateMembers>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(body): MgmtBody<MembersBody>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    orgs::add_members(&mut state, &path_id(path), &body.members, now)?;
    Ok(mgmt_no_content())
}

#[tracing::instrument(skip_all)]
pub(super) async fn remove_members(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteMembers>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(body): MgmtBody<MembersBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    orgs::remove_members(&mut state, &path_id(path), &body.members)?;
    Ok(mgmt_no_content())
}

/// The member fields a `fields`/`include_fields` pair keeps.
fn member_fields(paging: &Paging) -> impl Fn(&str) -> bool + '_ {
    move |field: &str| match paging.fields.as_deref().filter(|f| !f.is_empty()) {
        None => field != "roles",
        Some(list) => list.split(',').any(|f| f == field) == paging.include_fields.unwrap_or(true),
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn members(
    State(tenant): State<Tenant>,
    caller: Scoped<ReadMembers>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(MembersQuery(paging)): MgmtQuery<MembersQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let org = organization(&state, &path_id(path))?;
    let keep = member_fields(&paging);
    // doc: `roles` only with `read:organization_member_roles`.
    let with_roles = keep("roles") && caller.0.has_scope("read:organization_member_roles");
    let render = |m: &orgs::Member| {
        let mut item = member_json(&state, org, m, with_roles);
        if let Value::Object(fields) = &mut item {
            fields.retain(|k, _| keep(k) || (k == "roles" && with_roles));
        }
        item
    };
    let members = orgs::members_in_order(org);
    let body = if paging.take.is_some() {
        checkpoint_page(
            "members",
            &members,
            |m| (checkpoint_time(m.since), m.user_id.as_str()),
            render,
            member_checkpoint,
            &paging,
            members_next_on_short_page(state.era()),
        )
    } else {
        let items = members.into_iter().map(render).collect();
        offset_page("members", items, &paging, Limit::PerPage, true)?
    };
    Ok(ok(StatusCode::OK, &body))
}

// ---- member roles ----

#[tracing::instrument(skip_all)]
pub(super) async fn member_roles(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadMemberRoles>,
    path: Result<Path<(String, String)>, PathRejection>,
    MgmtQuery(PageQuery(paging)): MgmtQuery<PageQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let (id, user_id) = path_pair(path);
    let items = orgs::member_roles(&state, &id, &user_id)?;
    Ok(ok(
        StatusCode::OK,
        &offset_page("roles", items, &paging, Limit::PerPage, true)?,
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn assign_member_roles(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateMemberRoles>,
    path: Result<Path<(String, String)>, PathRejection>,
    MgmtBody(body): MgmtBody<RolesBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let (id, user_id) = path_pair(path);
    orgs::assign_member_roles(&mut state, &id, &user_id, &body.roles)?;
    Ok(mgmt_no_content())
}

#[tracing::instrument(skip_all)]
pub(super) async fn remove_member_roles(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteMemberRoles>,
    path: Result<Path<(String, String)>, PathRejection>,
    MgmtBody(body): MgmtBody<RolesBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let (id, user_id) = path_pair(path);
    orgs::remove_member_roles(&mut state, &id, &user_id, &body.roles)?;
    Ok(mgmt_no_content())
}

// ---- enabled connections ----

#[tracing::instrument(skip_all)]
pub(super) async fn add_connection(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateConnections>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(ConnectionCreateBody(body)): MgmtBody<ConnectionCreateBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let answer = orgs::add_connection(&mut state, &path_id(path), &Value::Object(body))?;
    Ok(ok(StatusCode::CREATED, &answer))
}

#[tracing::instrument(skip_all)]
pub(super) async fn connections(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadConnections>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(PageQuery(paging)): MgmtQuery<PageQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let org = organization(&state, &path_id(path))?;
    let items = org
        .connections
        .iter()
        .map(|c| orgs::connection_json(&state, c))
        .collect();
    Ok(ok(
        StatusCode::OK,
        &offset_page("enabled_connections", items, &paging, Limit::Count, true)?,
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get_connection(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadConnections>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let (id, connection_id) = path_pair(path);
    Ok(ok(StatusCode::OK, &orgs::get_connection(&state, &id, &connection_id)?))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update_connection(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateConnections>,
    path: Result<Path<(String, String)>, PathRejection>,
    MgmtBody(ConnectionUpdateBody(body)): MgmtBody<ConnectionUpdateBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let (id, connection_id) = path_pair(path);
    let answer = orgs::update_connection(&mut state, &id, &connection_id, &Value::Object(body))?;
    Ok(ok(StatusCode::OK, &answer))
}

#[tracing::instrument(skip_all)]
pub(super) async fn remove_connection(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteConnections>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let (id, connection_id) = path_pair(path);
    orgs::remove_connection(&mut state, &id, &connection_id)?;
    Ok(mgmt_no_content())
}

// ---- invitations ----

#[tracing::instrument(skip_all)]
pub(super) async fn invite(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateInvitations>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(InvitationBody(mut body)): MgmtBody<InvitationBody>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    let text = |body: &mut Map<String, Value>, key: &str| match body.shift_remove(key) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let client_id = text(&mut body, "client_id");
    let inviter = body.shift_remove("inviter").unwrap_or(Value::Null);
    let invitee_email = body
        .shift_remove("invitee")
        .and_then(|i| i.get("email").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let ttl_sec = body.shift_remove("ttl_sec").and_then(|t| t.as_i64());
    // inf: the flag is not printed back; authmock sends no invitation mail either way.
    body.shift_remove("send_invitation_email");
    let request = NewInvitation {
        client_id,
        inviter,
        invitee_email,
        ttl_sec,
        extra: body,
    };
    let answer = orgs::invite(&mut state, &path_id(path), request, now)?;
    // obs: 201 (go-auth0 v1 TestOrganizationManager_CreateInvitation.yaml; OAS says 200).
    Ok(ok(StatusCode::CREATED, &answer))
}

#[tracing::instrument(skip_all)]
pub(super) async fn invitations(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadInvitations>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(PageQuery(paging)): MgmtQuery<PageQuery>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let state = tenant.state();
    let org = organization(&state, &path_id(path))?;
    // doc: newest first by default (`sort` `created_at:-1`).
    let mut items: Vec<Value> = state
        .organizations()
        .invitations_of(&org.id, now)
        .map(invitation_json)
        .collect();
    items.reverse();
    // obs: no `total` despite `include_totals=true`, `limit` the count (go-auth0 v1 `_Invitations`).
    Ok(ok(
        StatusCode::OK,
        &offset_page("invitations", items, &paging, Limit::Count, false)?,
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get_invitation(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadInvitations>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let state = tenant.state();
    let (id, invitation_id) = path_pair(path);
    Ok(ok(StatusCode::OK, &orgs::invitation(&state, &id, &invitation_id, now)?))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete_invitation(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteInvitations>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    let (id, invitation_id) = path_pair(path);
    orgs::delete_invitation(&mut state, &id, &invitation_id, now)?;
    Ok(mgmt_no_content())
}

// ---- a user's organizations ----

#[tracing::instrument(skip_all)]
pub(super) async fn user_organizations(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadUserOrganizations>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(UserListQuery(paging)): MgmtQuery<UserListQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let user_id = path_id(path);
    if state.user(&user_id).is_none() {
        // doc: 404 `User not found` (DOC-org); inf: the users API's own 404 answers.
        return Err(MgmtError::UserNotFound {
            user_id: Some(user_id),
            email: None,
        });
    }
    let era = state.era();
    let items = state
        .organizations()
        .of_user(&user_id)
        .map(|o| Value::Object(write_json(o, era)))
        .collect();
    Ok(ok(
        StatusCode::OK,
        &offset_page("organizations", items, &paging, Limit::PerPage, true)?,
    ))
}

// ---- client grants ----

#[tracing::instrument(skip_all)]
pub(super) async fn associate_grant(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateClientGrants>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(body): MgmtBody<GrantBody>,
) -> Result<Response, MgmtError> {
    let audience = tenant.management_audience();
    let mut state = tenant.state();
    let answer = orgs::associate_grant(&mut state, &path_id(path), &body.grant_id, &audience)?;
    // obs (go-auth0 v1 TestOrganizationManager_ClientGrants.yaml): 201.
    Ok(ok(StatusCode::CREATED, &answer))
}

/// The organization's client grants in association order, filtered by `audience`, `client_id`
/// and `grant_ids` (comma-separated), each as `GET /client-grants` prints it; the offset page's
/// `limit` is `per_page` (obs: `{"client_grants":[],"start":0,"limit":50,"total":0}`).
#[tracing::instrument(skip_all)]
pub(super) async fn client_grants(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadClientGrants>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(query): MgmtQuery<GrantsQuery>,
) -> Result<Response, MgmtError> {
    let management = tenant.management_audience();
    let state = tenant.state();
    let audience = query.audience.as_deref().map(|a| {
        if tenant.is_management_audience(a) {
            crate::auth0::tenant::model::MANAGEMENT_API
        } else {
            a
        }
    });
    let wanted: Option<Vec<&str>> = query
        .grant_ids
        .as_deref()
        .map(|ids| ids.split(',').map(str::trim).collect());
    let items = orgs::organization_grants(&state, &path_id(path))?
        .into_iter()
        .filter(|g| audience.is_none_or(|a| g.audience == a))
        .filter(|g| query.client_id.as_deref().is_none_or(|c| g.client_id == c))
        .filter(|g| wanted.as_ref().is_none_or(|ids| ids.contains(&g.id.as_str())))
        .map(|g| Value::Object(crate::auth0::tenant::apis::grant_json(g, &management)))
        .collect();
    Ok(ok(
        StatusCode::OK,
        &offset_page("client_grants", items, &query.paging, Limit::PerPage, true)?,
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn dissociate_grant(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteClientGrants>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let (id, grant_id) = path_pair(path);
    orgs::dissociate_grant(&mut tenant.state(), &id, &grant_id)?;
    // obs (go-auth0 v1 TestOrganizationManager_ClientGrantsWithOrg.yaml): 204.
    Ok(mgmt_no_content())
}

/// The organizations the client grant `id` is associated with, oldest first, paged as
/// `GET /organizations` (obs: go-auth0 v1 TestClientGrantManager_Organizations.yaml,
/// `{"organizations":[…],"start":0,"limit":50,"total":1}`). inf: the scope is the organization
/// client grants' read scope.
#[tracing::instrument(skip_all)]
pub(super) async fn grant_organizations(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadClientGrants>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(GrantOrganizationsQuery(paging)): MgmtQuery<GrantOrganizationsQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let organizations = orgs::grant_organizations(&state, &path_id(path))?;
    Ok(ok(
        StatusCode::OK,
        &organizations_page(&organizations, &paging, state.era())?,
    ))
}
