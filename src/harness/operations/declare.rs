//! What an entry of the operations tables is: an operation's name, its When-phrases and the
//! reference client's call, and the `reference!` macro the tables write that call with.

use futures::future::BoxFuture;
use serde_json::Value;

use crate::harness::adapter::builtin::{Failure, ReferenceClient};
use crate::harness::protocol::{self, Auth0Provider, JanrainProvider};

/// One operation of the protocol.
pub struct Operation {
    /// `<provider>.<verb>`, as adapters declare and the harness asks for it.
    pub name: &'static str,
    /// A step whose text contains one of these needs the operation.
    pub phrases: &'static [&'static str],
    /// What the reference client does for it.
    pub(crate) reference: Reference,
}

/// The reference client's call for an operation, for the provider the operation is sent to.
pub(crate) enum Reference {
    Auth0(for<'a> fn(&'a mut ReferenceClient, &'a Auth0Provider, &'a Value) -> BoxFuture<'a, Result<Value, Failure>>),
    Janrain(
        for<'a> fn(&'a mut ReferenceClient, &'a JanrainProvider, &'a Value) -> BoxFuture<'a, Result<Value, Failure>>,
    ),
    /// Not the reference client's to do: a migration is a team's own program (the example is
    /// `adapters/migration-example/`), so the reference client does not declare it.
    None,
}

impl Operation {
    /// Where the shape of its `result` is declared (`docs/schemas/operation-results.json`).
    pub fn result_schema(&self) -> String {
        protocol::result_schema(self.name)
    }
}

/// A table entry's reference-client call: `reference!(auth0, |client, provider, args| body)`
/// (or `janrain`), the body an expression over the three that may `.await`.
macro_rules! reference {
    (auth0, |$client:ident, $provider:ident, $args:ident| $body:expr) => {
        reference!(@call Auth0, Auth0Provider, |$client, $provider, $args| $body)
    };
    (janrain, |$client:ident, $provider:ident, $args:ident| $body:expr) => {
        reference!(@call Janrain, JanrainProvider, |$client, $provider, $args| $body)
    };
    (@call $variant:ident, $provider_type:ident, |$client:ident, $provider:ident, $args:ident| $body:expr) => {
        $crate::harness::operations::declare::Reference::$variant({
            fn call<'a>(
                $client: &'a mut $crate::harness::adapter::builtin::ReferenceClient,
                $provider: &'a $crate::harness::protocol::$provider_type,
                $args: &'a ::serde_json::Value,
            ) -> ::futures::future::BoxFuture<
                'a,
                Result<::serde_json::Value, $crate::harness::adapter::builtin::Failure>,
            > {
                Box::pin(async move { $body })
            }
            call
        })
    };
}
