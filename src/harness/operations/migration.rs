//! The migration operations (`migration.*`): a team's Janrain → Auth0 migration, sent both
//! providers at once. The reference client does not declare them (a migration is the team's own
//! program); `adapters/migration-example/` is the example that passes `features/migration/`.

use super::declare::{Operation, Reference};

pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "migration.create_connection",
        phrases: &["sets up the migration connection"],
        reference: Reference::None,
    },
    Operation {
        name: "migration.import_users",
        phrases: &["imports the Janrain users into"],
        reference: Reference::None,
    },
];
