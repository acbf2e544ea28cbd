//! The shipped suite (`features/`), embedded in the binary so that an installed `authmock`
//! (`cargo install`) runs it from any directory, with no checkout of this repository.

use std::path::{Path, PathBuf};

/// Every feature file of `features/`, by its path under that folder.
pub const FEATURES: &[(&str, &str)] = &[
    (
        "auth0/configuration.feature",
        include_str!("../../features/auth0/configuration.feature"),
    ),
    (
        "auth0/errors.feature",
        include_str!("../../features/auth0/errors.feature"),
    ),
    (
        "auth0/login.feature",
        include_str!("../../features/auth0/login.feature"),
    ),
    ("auth0/mfa.feature", include_str!("../../features/auth0/mfa.feature")),
    (
        "auth0/password_change_ticket.feature",
        include_str!("../../features/auth0/password_change_ticket.feature"),
    ),
    (
        "auth0/password_reset.feature",
        include_str!("../../features/auth0/password_reset.feature"),
    ),
    (
        "auth0/users.feature",
        include_str!("../../features/auth0/users.feature"),
    ),
    (
        "janrain/entity.feature",
        include_str!("../../features/janrain/entity.feature"),
    ),
    (
        "janrain/errors.feature",
        include_str!("../../features/janrain/errors.feature"),
    ),
    (
        "janrain/password_recovery.feature",
        include_str!("../../features/janrain/password_recovery.feature"),
    ),
    (
        "migration/bulk_import.feature",
        include_str!("../../features/migration/bulk_import.feature"),
    ),
    (
        "migration/lazy_migration.feature",
        include_str!("../../features/migration/lazy_migration.feature"),
    ),
    (
        "janrain/registration.feature",
        include_str!("../../features/janrain/registration.feature"),
    ),
];

/// The embedded suite written out to a private temporary folder, removed on drop. The files go
/// to its `features/` subfolder, so reports name them as in this repository
/// (`features/auth0/login.feature`).
pub struct EmbeddedSuite {
    dir: PathBuf,
    features: PathBuf,
}

impl EmbeddedSuite {
    pub fn write() -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("authmock-features-{}", std::process::id()));
        let features = dir.join("features");
        for (path, text) in FEATURES {
            let file = features.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(file, text)?;
        }
        Ok(Self { dir, features })
    }

    pub fn path(&self) -> &Path {
        &self.features
    }
}

impl Drop for EmbeddedSuite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_feature_file_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("features");
        let mut on_disk = Vec::new();
        for provider in std::fs::read_dir(&root).unwrap() {
            let provider = provider.unwrap().path();
            for file in std::fs::read_dir(&provider).unwrap() {
                let file = file.unwrap().path();
                let relative = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                on_disk.push(relative);
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = FEATURES.iter().map(|(p, _)| (*p).to_owned()).collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "list every file of features/ in harness::suite::FEATURES"
        );
    }
}
