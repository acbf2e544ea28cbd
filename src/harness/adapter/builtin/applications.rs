//! The reference client as a backend that configures the tenant through the Management API: it
//! registers applications (`POST /api/v2/clients`), changes their callbacks
//! (`PATCH /api/v2/clients/{id}`), and grants them an API's scopes or takes a
//! grant back (`POST`/`DELETE /api/v2/client-grants`), and sets up organizations (`POST
//! /api/v2/organizations`, `POST /api/v2/organizations/{id}/members`), with the cached token and
//! the same retry rules as every other Management API call. Ids are percent-encoded in paths.

// The reference client's `Failure` carries the provider's error whole, as every operation does.
#![allow(clippy::result_large_err)]

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use super::{Failure, ReferenceClient};
use crate::harness::protocol::Auth0Provider;

impl ReferenceClient {
    /// `auth0.create_client`: `POST /api/v2/clients` with the fields the scenario gives; the new
    /// application's credentials.
    pub(crate) async fn create_client(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let body: Map<String, Value> = ["name", "app_type", "grant_types", "callbacks"]
            .into_iter()
            .filter_map(|key| Some((key.to_owned(), args.get(key)?.clone())))
            .collect();
        let url = format!("{}/api/v2/clients", p.base_url);
        let created = self
            .management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await?;
        Ok(json!({ "client_id": created["client_id"], "client_secret": created["client_secret"] }))
    }

    /// `auth0.update_client`: `PATCH /api/v2/clients/{id}` with the fields the scenario gives
    /// (the callbacks, replaced whole); the application's id and callbacks as the provider
    /// answered them.
    pub(crate) async fn update_client(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let body: Map<String, Value> = ["callbacks"]
            .into_iter()
            .filter_map(|key| Some((key.to_owned(), args.get(key)?.clone())))
            .collect();
        let id = args["client_id"].as_str().unwrap_or_default();
        let url = format!(
            "{}/api/v2/clients/{}",
            p.base_url,
            utf8_percent_encode(id, NON_ALPHANUMERIC)
        );
        let updated = self
            .management(p, token, |http, token| http.patch(&url).bearer_auth(token).json(&body))
            .await?;
        Ok(json!({ "client_id": updated["client_id"], "callbacks": updated["callbacks"] }))
    }

    /// `auth0.create_client_grant`: `POST /api/v2/client-grants` (`client_id`, `audience`,
    /// `scope`); the grant's id.
    pub(crate) async fn create_client_grant(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let body = json!({ "client_id": args["client_id"], "audience": args["audience"], "scope": args["scope"] });
        let url = format!("{}/api/v2/client-grants", p.base_url);
        let grant = self
            .management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await?;
        Ok(json!({ "id": grant["id"] }))
    }

    /// `auth0.delete_client_grant`: `DELETE /api/v2/client-grants/{id}` (204).
    pub(crate) async fn delete_client_grant(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let id = args["id"].as_str().unwrap_or_default();
        let url = format!(
            "{}/api/v2/client-grants/{}",
            p.base_url,
            utf8_percent_encode(id, NON_ALPHANUMERIC)
        );
        self.management(p, token, |http, token| http.delete(&url).bearer_auth(token))
            .await
            .map(|_| json!({}))
    }

    /// `auth0.create_organization`: `POST /api/v2/organizations` with its name and the
    /// connections enabled for it (`enabled_connections`, as the scenario gives them); the new
    /// organization's id.
    pub(crate) async fn create_organization(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let body: Map<String, Value> = ["name", "enabled_connections"]
            .into_iter()
            .filter_map(|key| Some((key.to_owned(), args.get(key)?.clone())))
            .collect();
        let url = format!("{}/api/v2/organizations", p.base_url);
        let created = self
            .management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await?;
        Ok(json!({ "id": created["id"] }))
    }

    /// `auth0.add_organization_members`: `POST /api/v2/organizations/{id}/members` with the
    /// users' ids (204).
    pub(crate) async fn add_organization_members(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let id = args["organization_id"].as_str().unwrap_or_default();
        let url = format!(
            "{}/api/v2/organizations/{}/members",
            p.base_url,
            utf8_percent_encode(id, NON_ALPHANUMERIC)
        );
        let body = json!({ "members": args["members"] });
        self.management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await
            .map(|_| json!({}))
    }
}
