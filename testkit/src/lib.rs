//! What the app's and the firmware's tests share, written once: the real peers they run
//! (found on PATH, or a loud failure naming the command that installs them), a PKI that
//! openssl makes at test time, and mosquitto 2 with client certificates.
//!
//! Test support: it panics with what went wrong, as a failing test should.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod broker;
pub mod fleet;
mod pki;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use broker::Broker;
pub use pki::{EMULATOR_BROKER, Pki, sign_request};

/// Find a peer on PATH (or in /usr/sbin, where Debian puts mosquitto), or fail loudly
/// with what to run.
pub fn peer(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("peer `{name}` is not installed: run scripts/test, which installs every peer")
        })
}

/// Run a command that must succeed; its stdout.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// openssl with `args` in `dir`; its stdout.
pub fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    run(Command::new(peer("openssl")).current_dir(dir).args(args))
}

/// A TCP port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Timings of one measured thing, for a benchmark to print (never to assert on).
pub struct Samples(Vec<std::time::Duration>);

impl Samples {
    /// Run `f` `n` times (after one run to warm up) and keep each run's time.
    pub fn of(n: usize, mut f: impl FnMut()) -> Self {
        f();
        Self(
            (0..n)
                .map(|_| {
                    let t = std::time::Instant::now();
                    f();
                    t.elapsed()
                })
                .collect(),
        )
    }

    /// The times taken elsewhere (a run that measures part of itself).
    pub fn from(v: Vec<std::time::Duration>) -> Self {
        Self(v)
    }

    fn sorted(&self) -> Vec<std::time::Duration> {
        let mut v = self.0.clone();
        v.sort();
        v
    }

    /// The middle time (zero with no samples).
    pub fn median(&self) -> std::time::Duration {
        self.quantile(50)
    }

    /// The time `percent` of the runs stayed within.
    pub fn quantile(&self, percent: usize) -> std::time::Duration {
        let v = self.sorted();
        v.get((v.len() * percent / 100).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    /// The slowest run.
    pub fn max(&self) -> std::time::Duration {
        self.0.iter().max().copied().unwrap_or_default()
    }

    /// How many runs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No runs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A duration in milliseconds with two decimals.
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}
