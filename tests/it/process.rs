//! The real binary as `planbot run`, against the test server, on a
//! rehearsal clock: shared by the crash tests and the start-up tests.
#![allow(dead_code)]

use planbot_testkit::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const TOKEN: &str = "crash-test-token-4f1d";

/// A config for the app's database and test server, with a quick poll;
/// `jobs` adds lines to the `[jobs]` table (e.g. a schedule).
pub fn write_config(app: &TestApp, jobs: &str) -> PathBuf {
    let path = app.dir.path().join("planbot.toml");
    let text = format!(
        r#"
[database]
path = "{db}"

[discord]
api_base = "{base}"

[[guilds]]
id = {GUILD}
plans = ["Kirklees"]
plan_channel = {CHANNEL}
board_channel = {board}

[jobs]
poll_seconds = 0.05
lease_seconds = 2
{jobs}
"#,
        db = app.dir.path().join("bot.db").display(),
        base = app.server.base_url(),
        board = example::BOARD,
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A child process killed (SIGKILL) when dropped, so a failing test leaves
/// no bot running.
pub struct Planbot(Child);

impl Planbot {
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Sends SIGTERM, as a service manager's stop does, and waits up to
    /// `limit` for the process to end: its exit status and how long it took.
    pub fn terminate(
        &mut self,
        limit: std::time::Duration,
    ) -> (std::process::ExitStatus, std::time::Duration) {
        unsafe extern "C" {
            fn kill(pid: i32, sig: i32) -> i32;
        }
        let asked = std::time::Instant::now();
        assert_eq!(unsafe { kill(self.0.id() as i32, 15) }, 0, "SIGTERM sent");
        loop {
            if let Some(status) = self.0.try_wait().expect("wait") {
                return (status, asked.elapsed());
            }
            assert!(
                asked.elapsed() < limit,
                "still running {limit:?} after SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        self.0.kill().expect("kill -9");
        self.0.wait().expect("reap");
    }
}

impl Drop for Planbot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `planbot run` as a child process, its clock starting at `now` (RFC 3339)
/// and running on in real time; its log goes to `log`.
pub fn spawn_planbot(config: &Path, log: &Path, now: &str) -> Planbot {
    Planbot(
        Command::new(env!("CARGO_BIN_EXE_planbot"))
            .args(["run", "--config"])
            .arg(config)
            .env("DISCORD_TOKEN", TOKEN)
            .env("PLANBOT_FAKE_NOW", now)
            .env("PLANBOT_LOG", "planbot=debug,info")
            .env_remove("PLANBOT_DB")
            .env_remove("DISCORD_API_BASE")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("start planbot run"),
    )
}
