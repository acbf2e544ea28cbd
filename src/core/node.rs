//! Running a provider's customer JavaScript in Node.js, one process per call.
//!
//! Scripts are code execution, so they run only when the operator opts in (`serve
//! --allow-scripts`, [`ScriptSettings::allowed`]) and `node` is on `PATH`. Each call is a fresh
//! `node` process, started with Node's permission model (no file reads or writes, no child
//! processes, no workers), a heap cap (`--max-old-space-size`), an empty environment (the
//! server's own variables, an admin token among them, never reach a script) and a wall-clock cap
//! after which it is killed. The host program (the provider's, passed in) comes as `-e` text,
//! the request as one JSON line on stdin; the answer is the one stdout line that starts with
//! [`ANSWER_MARK`] (anything else a script prints is ignored). A script that hangs, throws,
//! loops or exhausts its heap ends its own process: the caller gets a [`RunFailure`] and nothing
//! else is touched. Depends on tokio's process support only.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The prefix of the host program's answer line on stdout.
pub const ANSWER_MARK: &str = "@@authmock-answer ";

/// Auth0's "execution limit of approximately 20 seconds" (doc: migration facts §3.3).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// The heap a script gets, in MiB (inf: the provider publishes no figure; enough for any login
/// script, small enough that a runaway one dies quickly).
pub const DEFAULT_HEAP_MB: u32 = 128;

/// The most script processes one listener runs at once (inf: enough for a test suite's parallel
/// logins; a flood of logins for unknown emails waits instead of starting a process each).
pub const MAX_CONCURRENT: usize = 4;

/// The most stdout or stderr bytes kept from one call.
const OUTPUT_CAP: u64 = 256 * 1024;

/// How scripts run on one listener.
#[derive(Debug, Clone)]
pub struct ScriptSettings {
    /// The operator's opt-in (`--allow-scripts`, `AUTHMOCK_ALLOW_SCRIPTS=1`).
    pub allowed: bool,
    /// The wall-clock cap of one call.
    pub timeout: Duration,
    /// `--max-old-space-size` of one call, MiB.
    pub heap_mb: u32,
}

impl Default for ScriptSettings {
    fn default() -> Self {
        Self {
            allowed: false,
            timeout: DEFAULT_TIMEOUT,
            heap_mb: DEFAULT_HEAP_MB,
        }
    }
}

/// Why scripts cannot run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The operator did not opt in.
    NotAllowed,
    /// No `node` on `PATH`.
    NoNode,
}

/// One listener's script settings and its process slots; cloning shares them.
#[derive(Debug, Clone)]
pub struct Scripts {
    settings: Arc<RwLock<ScriptSettings>>,
    slots: Arc<tokio::sync::Semaphore>,
}

impl Default for Scripts {
    fn default() -> Self {
        Self {
            settings: Arc::default(),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT)),
        }
    }
}

impl Scripts {
    pub fn configure(&self, settings: ScriptSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }

    pub fn settings(&self) -> ScriptSettings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether a script can run now: opted in and `node` found.
    pub fn available(&self) -> Result<(), Unavailable> {
        if !self.settings().allowed {
            return Err(Unavailable::NotAllowed);
        }
        node().map(|_| ()).ok_or(Unavailable::NoNode)
    }

    /// Runs `host` (a Node program) with `request` on its stdin and answers its answer line;
    /// waits for a free slot first (at most the call's time cap).
    pub async fn run(&self, host: &str, request: &Value) -> Result<Value, RunFailure> {
        self.available().map_err(RunFailure::Unavailable)?;
        let node = node().ok_or(RunFailure::Unavailable(Unavailable::NoNode))?;
        let settings = self.settings();
        let Ok(Ok(_slot)) = tokio::time::timeout(settings.timeout, self.slots.acquire()).await else {
            return Err(RunFailure::Busy);
        };
        run_node(&node.path, node.permission_flag, &settings, host, request).await
    }
}

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunFailure {
    Unavailable(Unavailable),
    /// Every slot stayed taken for the whole time cap.
    Busy,
    /// The process could not be started.
    Spawn(String),
    /// Killed at the time cap.
    TimedOut(Duration),
    /// The process ended without an answer line (a crash, the heap cap): its exit status and
    /// the end of its stderr.
    NoAnswer {
        status: String,
        stderr: String,
    },
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(Unavailable::NotAllowed) => {
                f.write_str("scripts are off: start authmock with --allow-scripts (or AUTHMOCK_ALLOW_SCRIPTS=1)")
            }
            Self::Unavailable(Unavailable::NoNode) => f.write_str("no `node` on PATH: install Node.js 20 or later"),
            Self::Busy => write!(
                f,
                "{MAX_CONCURRENT} scripts were already running for the whole time limit"
            ),
            Self::Spawn(why) => write!(f, "node did not start: {why}"),
            Self::TimedOut(limit) => write!(
                f,
                "the script ran past its {} ms limit and was stopped",
                limit.as_millis()
            ),
            Self::NoAnswer { status, stderr } => {
                let heap = stderr.contains("heap out of memory") || stderr.contains("Allocation failed");
                write!(
                    f,
                    "the script's process ended ({status}) without calling back{}: {}",
                    if heap { ", out of memory" } else { "" },
                    last_lines(stderr, 3)
                )
            }
        }
    }
}

/// The `node` found on `PATH` once per process.
struct Node {
    path: PathBuf,
    /// `--permission` from Node 22 on, `--experimental-permission` on Node 20 and 21.
    permission_flag: &'static str,
}

fn node() -> Option<&'static Node> {
    static NODE: OnceLock<Option<Node>> = OnceLock::new();
    NODE.get_or_init(|| {
        let path = std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("node"))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .find(|candidate| candidate.is_file())?;
        let version = std::process::Command::new(&path).arg("--version").output().ok()?;
        let major: u32 = String::from_utf8_lossy(&version.stdout)
            .trim()
            .trim_start_matches('v')
            .split('.')
            .next()?
            .parse()
            .ok()?;
        // The permission model exists from Node 20 on; older ones cannot be confined.
        (major >= 20).then_some(Node {
            path,
            permission_flag: if major >= 22 {
                "--permission"
            } else {
                "--experimental-permission"
            },
        })
    })
    .as_ref()
}

async fn run_node(
    node: &Path,
    permission_flag: &str,
    settings: &ScriptSettings,
    host: &str,
    request: &Value,
) -> Result<Value, RunFailure> {
    let mut child = tokio::process::Command::new(node)
        .arg(permission_flag)
        .arg("--no-warnings")
        .arg(format!("--max-old-space-size={}", settings.heap_mb))
        .arg("-e")
        .arg(host)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| RunFailure::Spawn(e.to_string()))?;
    let mut line = request.to_string();
    line.push('\n');
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = child.stdout.take().expect("piped").take(OUTPUT_CAP);
    let mut stderr = child.stderr.take().expect("piped").take(OUTPUT_CAP);
    let exchange = async {
        // A script that never reads stdin cannot block the write: the host reads it first.
        let _ = stdin.write_all(line.as_bytes()).await;
        drop(stdin);
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (_, _, status) = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err), child.wait());
        (out, err, status)
    };
    let Ok((out, err, status)) = tokio::time::timeout(settings.timeout, exchange).await else {
        // `kill_on_drop`: the child dies with the future.
        return Err(RunFailure::TimedOut(settings.timeout));
    };
    let out = String::from_utf8_lossy(&out);
    if let Some(answer) = out
        .lines()
        .filter_map(|l| l.strip_prefix(ANSWER_MARK))
        .next_back()
        .and_then(|l| serde_json::from_str(l).ok())
    {
        return Ok(answer);
    }
    Err(RunFailure::NoAnswer {
        status: status.map_or_else(|e| e.to_string(), |s| s.to_string()),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    })
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}
