//! What a migration scenario remembers between its steps (`steps/migration.rs`).

use serde_json::Value;

/// What a migration scenario remembers between its steps.
#[derive(Debug, Default)]
pub struct MigrationScenario {
    /// The connection the client set up.
    pub connection: Option<String>,
    /// What the client reported for `migration.import_users`.
    pub imported: Option<Value>,
    /// The import jobs the tenant created while the client imported (`job_…`).
    pub provider_jobs: Vec<String>,
    /// The user's last login: status, body, and the Capture app's requests meanwhile.
    pub login: Option<Login>,
}

#[derive(Debug)]
pub struct Login {
    pub email: String,
    pub status: u16,
    pub body: Value,
    pub janrain_calls: Vec<String>,
}
