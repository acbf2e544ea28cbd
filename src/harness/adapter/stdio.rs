//! A client under test as a separate program speaking adapter protocol v1 on stdin/stdout.
//! Its stderr is collected so a failed scenario can show what the adapter said.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::harness::protocol::{self, Hello, OpOutcome, Provider};

/// How the adapter failed the protocol (as opposed to reporting a provider error).
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("cannot start the adapter `{command}`: {source}")]
    Spawn { command: String, source: std::io::Error },
    #[error("the adapter did not answer `{what}` within {secs} s (is it flushing stdout after each line?)")]
    Silent { what: String, secs: u64 },
    #[error("the adapter exited while the harness waited for `{what}`{status}")]
    Crashed { what: String, status: String },
    #[error("{0}")]
    Protocol(String),
    #[error("talking to the adapter: {0}")]
    Io(#[from] std::io::Error),
}

/// One running adapter process.
pub struct StdioAdapter {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<String>>,
    timeout: Duration,
    seq: u64,
    pub hello: Hello,
}

impl StdioAdapter {
    /// Starts `command` (split on whitespace; a shell is not involved) and performs `start`.
    pub async fn spawn(command: &str, timeout: Duration) -> Result<Self, AdapterError> {
        let mut words = command.split_whitespace();
        let program = words
            .next()
            .ok_or_else(|| AdapterError::Protocol("empty --client command".into()))?;
        let mut child = Command::new(program)
            .args(words)
            .envs(crate::harness::transport::adapter_env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| AdapterError::Spawn {
                command: command.to_owned(),
                source,
            })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_lines = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
        let sink = stderr.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = err_lines.next_line().await {
                if let Ok(mut text) = sink.lock() {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        });
        let mut adapter = Self {
            child,
            stdin,
            stdout,
            stderr,
            timeout,
            seq: 0,
            hello: Hello {
                name: String::new(),
                version: String::new(),
                operations: Vec::new(),
            },
        };
        let line = adapter
            .exchange(&json!({"cmd": "start", "protocol": protocol::VERSION}), "start")
            .await?;
        adapter.hello = protocol::parse_hello(&line).map_err(AdapterError::Protocol)?;
        Ok(adapter)
    }

    /// Runs one operation.
    pub async fn run(&mut self, op: &str, provider: &Provider, args: &Value) -> Result<OpOutcome, AdapterError> {
        self.seq += 1;
        let seq = self.seq;
        let message = json!({"cmd": "run", "seq": seq, "op": op, "provider": provider, "args": args});
        let line = self.exchange(&message, op).await?;
        protocol::parse_run_answer(&line, seq, op).map_err(AdapterError::Protocol)
    }

    /// Asks the adapter to exit, and kills it if it does not within the timeout.
    pub async fn stop(mut self) {
        let _ = self.send(&json!({"cmd": "stop"})).await;
        if tokio::time::timeout(self.timeout, self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }

    /// What the adapter wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    async fn send(&mut self, message: &Value) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.stdin.write_all(&line).await?;
        self.stdin.flush().await
    }

    async fn exchange(&mut self, message: &Value, what: &str) -> Result<String, AdapterError> {
        if self.send(message).await.is_err() {
            return Err(self.crashed(what).await);
        }
        match tokio::time::timeout(self.timeout, self.stdout.next_line()).await {
            Err(_) => Err(AdapterError::Silent {
                what: what.to_owned(),
                secs: self.timeout.as_secs(),
            }),
            Ok(Ok(Some(line))) => Ok(line),
            Ok(Ok(None)) | Ok(Err(_)) => Err(self.crashed(what).await),
        }
    }

    async fn crashed(&mut self, what: &str) -> AdapterError {
        let status = match tokio::time::timeout(Duration::from_secs(1), self.child.wait()).await {
            Ok(Ok(status)) => format!(" ({status})"),
            _ => String::new(),
        };
        AdapterError::Crashed {
            what: what.to_owned(),
            status,
        }
    }
}
