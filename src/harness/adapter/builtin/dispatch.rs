//! The reference client's one entry point: an operation looked up in the operations table
//! (`harness::operations`) and performed with the method its entry names.

use serde_json::Value;

use super::{Failure, ReferenceClient};
use crate::harness::operations::{self, Reference};
use crate::harness::protocol::{OpOutcome, Provider};

impl ReferenceClient {
    /// Performs `op` as its entry in the operations table (`harness::operations`) says; an
    /// operation the table does not hold, or one of the other provider, is unsupported.
    pub async fn run(&mut self, op: &str, provider: &Provider, args: &Value) -> Result<OpOutcome, String> {
        let reference = operations::find(op).map(|operation| &operation.reference);
        let outcome = match (reference, provider) {
            (Some(Reference::Auth0(call)), Provider::Auth0(provider)) => call(self, provider, args).await,
            (Some(Reference::Janrain(call)), Provider::Janrain(provider)) => call(self, provider, args).await,
            _ => return Ok(OpOutcome::Unsupported),
        };
        match outcome {
            Ok(result) => Ok(OpOutcome::Ok(result)),
            Err(Failure::Provider(error)) => Ok(OpOutcome::ProviderError(error)),
            Err(Failure::Transport(message)) => Err(message),
        }
    }
}
