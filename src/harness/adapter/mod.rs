//! The client under test: the built-in reference client, or a program speaking adapter
//! protocol v1 over stdin/stdout.

pub mod builtin;
pub mod stdio;

use std::time::Duration;

use serde_json::Value;

use crate::harness::protocol::{OpOutcome, Provider};

/// How many of the adapter's last stderr lines a failure shows.
const STDERR_TAIL: usize = 20;

/// How the harness starts the client for each scenario.
#[derive(Debug, Clone)]
pub enum ClientSpec {
    /// The reference client, in-process.
    Builtin,
    /// A command to start, with the per-operation timeout.
    Command { command: String, timeout: Duration },
}

/// A started client.
pub enum Client {
    Builtin(Box<builtin::ReferenceClient>),
    Stdio(Box<stdio::StdioAdapter>),
}

impl Client {
    pub async fn start(spec: &ClientSpec) -> Result<Self, String> {
        match spec {
            ClientSpec::Builtin => Ok(Self::Builtin(Box::default())),
            ClientSpec::Command { command, timeout } => stdio::StdioAdapter::spawn(command, *timeout)
                .await
                .map(|adapter| Self::Stdio(Box::new(adapter)))
                .map_err(|e| e.to_string()),
        }
    }

    /// The operations the client declared.
    pub fn operations(&self) -> Vec<String> {
        match self {
            Self::Builtin(_) => crate::harness::operations::all()
                .filter(|o| !matches!(o.reference, crate::harness::operations::Reference::None))
                .map(|o| o.name.to_owned())
                .collect(),
            Self::Stdio(adapter) => adapter.hello.operations.clone(),
        }
    }

    /// Runs one operation; `Err` is a client failure (crash, silence, protocol violation).
    pub async fn run(&mut self, op: &str, provider: &Provider, args: &Value) -> Result<OpOutcome, String> {
        match self {
            Self::Builtin(client) => client.run(op, provider, args).await,
            Self::Stdio(adapter) => adapter.run(op, provider, args).await.map_err(|e| {
                let stderr = adapter.stderr();
                let lines: Vec<&str> = stderr.lines().collect();
                let tail = lines[lines.len().saturating_sub(STDERR_TAIL)..].join("\n");
                match lines.len() {
                    0 => e.to_string(),
                    n if n > STDERR_TAIL => format!("{e}\nadapter stderr (last {STDERR_TAIL} of {n} lines):\n{tail}"),
                    _ => format!("{e}\nadapter stderr:\n{tail}"),
                }
            }),
        }
    }

    pub async fn stop(self) {
        if let Self::Stdio(adapter) = self {
            adapter.stop().await;
        }
    }
}
