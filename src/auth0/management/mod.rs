//! The Management API v2 (`/api/v2/*`): users and their search, roles and permissions, tickets,
//! jobs, user blocks, and the configuration: applications, APIs, client grants, connections and
//! the tenant's settings. Answers in the hapi envelope (`wire::error`). Requests are checked by
//! the extractors of `extract.rs` (token, scope, body and query schemas) before a handler runs.
//! Imports `tenant/`, `wire/` and `core`; never another API folder.

mod actions;
mod client_grants;
mod clients;
mod config;
mod connections;
mod extract;
mod factors;
mod guardian;
mod imports;
mod jobs;
mod organizations;
mod payload;
mod resource_servers;
mod roles;
mod tenant_settings;
mod tickets;
mod user_blocks;
mod users;

use axum::Router;
use axum::routing::{delete, get, post, put};

use crate::auth0::tenant::Tenant;

/// The Management API's routes.
pub(super) fn routes() -> Router<Tenant> {
    Router::new()
        .route("/api/v2/tickets/password-change", post(tickets::create_password_change))
        .route("/api/v2/tickets/email-verification", post(jobs::create_ticket))
        .route("/api/v2/jobs/verification-email", post(jobs::create_job))
        .route("/api/v2/jobs/{id}", get(jobs::get_job))
        .route("/api/v2/jobs/users-imports", post(imports::create))
        .route("/api/v2/jobs/{id}/errors", get(imports::errors))
        .route(
            "/api/v2/user-blocks",
            get(user_blocks::get_by_identifier).delete(user_blocks::delete_by_identifier),
        )
        .route(
            "/api/v2/user-blocks/{id}",
            get(user_blocks::get_by_id).delete(user_blocks::delete_by_id),
        )
        .route("/api/v2/roles", get(roles::list).post(roles::create))
        .route(
            "/api/v2/roles/{id}",
            get(roles::get).patch(roles::update).delete(roles::delete),
        )
        .route(
            "/api/v2/roles/{id}/permissions",
            get(roles::role_permissions)
                .post(roles::add_role_permissions)
                .delete(roles::remove_role_permissions),
        )
        .route(
            "/api/v2/users/{id}/roles",
            get(roles::user_roles)
                .post(roles::assign_roles)
                .delete(roles::remove_roles),
        )
        .route(
            "/api/v2/users/{id}/permissions",
            get(roles::user_permissions)
                .post(roles::add_user_permissions)
                .delete(roles::remove_user_permissions),
        )
        .route("/api/v2/users", get(users::search::list).post(users::lifecycle::create))
        .route(
            "/api/v2/users/{id}",
            get(users::get).patch(users::update).delete(users::lifecycle::delete),
        )
        .route("/api/v2/users-by-email", get(users::by_email))
        .route("/api/v2/clients", get(clients::list).post(clients::create))
        .route(
            "/api/v2/clients/{id}",
            get(clients::get).patch(clients::update).delete(clients::delete),
        )
        .route("/api/v2/clients/{id}/rotate-secret", post(clients::rotate_secret))
        .route(
            "/api/v2/resource-servers",
            get(resource_servers::list).post(resource_servers::create),
        )
        .route(
            "/api/v2/resource-servers/{id}",
            get(resource_servers::get)
                .patch(resource_servers::update)
                .delete(resource_servers::delete),
        )
        .route(
            "/api/v2/client-grants",
            get(client_grants::list).post(client_grants::create),
        )
        .route(
            "/api/v2/client-grants/{id}",
            get(client_grants::get)
                .patch(client_grants::update)
                .delete(client_grants::delete),
        )
        .route("/api/v2/connections", get(connections::list).post(connections::create))
        .route(
            "/api/v2/connections/{id}",
            get(connections::get)
                .patch(connections::update)
                .delete(connections::delete),
        )
        .route(
            "/api/v2/connections/{id}/clients",
            get(connections::enabled_clients).patch(connections::update_enabled_clients),
        )
        .route(
            "/api/v2/connections/{id}/users",
            delete(connections::delete_user_by_email),
        )
        .route("/api/v2/actions/actions", get(actions::list))
        .route(
            "/api/v2/tenants/settings",
            get(tenant_settings::get).patch(tenant_settings::update),
        )
        .route("/api/v2/guardian/factors", get(guardian::list_factors))
        .route("/api/v2/guardian/factors/{name}", put(guardian::set_factor))
        .route(
            "/api/v2/guardian/policies",
            get(guardian::get_policies).put(guardian::set_policies),
        )
        .merge(organization_routes())
        .merge(factors::routes())
}

/// The organizations' routes (`organizations.rs`).
fn organization_routes() -> Router<Tenant> {
    use organizations as o;
    Router::new()
        .route("/api/v2/organizations", get(o::list).post(o::create))
        .route(
            "/api/v2/organizations/{id}",
            get(o::get).patch(o::update).delete(o::delete),
        )
        .route("/api/v2/organizations/name/{name}", get(o::get_by_name))
        .route(
            "/api/v2/organizations/{id}/members",
            get(o::members).post(o::add_members).delete(o::remove_members),
        )
        .route(
            "/api/v2/organizations/{id}/members/{user_id}/roles",
            get(o::member_roles)
                .post(o::assign_member_roles)
                .delete(o::remove_member_roles),
        )
        .route(
            "/api/v2/organizations/{id}/enabled_connections",
            get(o::connections).post(o::add_connection),
        )
        .route(
            "/api/v2/organizations/{id}/enabled_connections/{connection_id}",
            get(o::get_connection)
                .patch(o::update_connection)
                .delete(o::remove_connection),
        )
        .route(
            "/api/v2/organizations/{id}/invitations",
            get(o::invitations).post(o::invite),
        )
        .route(
            "/api/v2/organizations/{id}/invitations/{invitation_id}",
            get(o::get_invitation).delete(o::delete_invitation),
        )
        .route(
            "/api/v2/organizations/{id}/client-grants",
            get(o::client_grants).post(o::associate_grant),
        )
        .route(
            "/api/v2/organizations/{id}/client-grants/{grant_id}",
            delete(o::dissociate_grant),
        )
        .route("/api/v2/client-grants/{id}/organizations", get(o::grant_organizations))
        .route("/api/v2/users/{id}/organizations", get(o::user_organizations))
}
