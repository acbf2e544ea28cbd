//! Router-level and black-box tests of the Auth0 surface, linked into one test binary.
//!
//! Router tests drive `server::app` with `oneshot` (no socket) on a tenant built from the
//! default fixture at `http://127.0.0.1:4010` with a manual clock, so tokens and ticket secrets are
//! identical run after run and wire snapshots need no redactions.

mod helpers;

mod actions;
mod admin_token;
mod attack_protection;
mod bad_input;
mod blackbox;
mod bounded;
mod cli;
mod clock;
mod configuration;
mod connections;
mod console;
mod cors;
mod discovery;
mod email_verification;
mod faults;
mod health;
mod import_jobs;
mod isolation;
mod janrain;
mod janrain_blackbox;
mod janrain_control;
mod janrain_entity;
mod janrain_native;
mod janrain_refresh;
mod journal;
mod lazy_migration;
mod login;
mod login_after_reset;
mod login_connection;
mod login_cors;
mod login_faults;
mod management_auth;
mod mfa;
mod mfa_login;
mod mfa_management;
mod migration_export;
mod named_faults;
mod oauth;
mod opaque_tokens;
mod openapi;
mod organizations;
mod organizations_login;
mod password_reset;
mod payload;
mod quota;
mod ratelimits;
mod reset;
mod roles;
mod search_budget;
mod serve_flags;
mod signup;
mod tenant_settings;
mod tenants;
mod tickets;
mod tls;
mod user_lifecycle;
mod user_search;
mod users;
