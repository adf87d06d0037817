//! The two bots as the separate processes they are in production: planbot's
//! own binary (`planbot run`) and the bare serenity + poise bot
//! (`crates/bare-bot`), each against a test server held by the bench.

use discord_testserver::TestServer;
use planbot_testkit::{CHANNEL, GUILD, WAIT, example};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A bot process, stopped when dropped.
pub struct Bot {
    child: Child,
    /// From spawning the process to its commands being registered.
    pub started_in: Duration,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `/proc/PID/status` says of a process, in kB.
pub struct Memory {
    pub rss: u64,
    /// Memory of its own: heap, stacks, what was written to.
    pub anon: u64,
    /// Pages of the binary and libraries mapped in (shared with any other
    /// process running them).
    pub file: u64,
    /// Of `file`: the bot's own executable, the rest being shared libraries.
    pub own_binary: u64,
}

impl Bot {
    /// Starts `command` and waits for READY and its commands in `server`.
    fn start(server: &TestServer, mut command: Command) -> Bot {
        let started = Instant::now();
        let child = command
            .env("DISCORD_TOKEN", "bench-token")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the bot process starts");
        let mut bot = Bot {
            child,
            started_in: Duration::ZERO,
        };
        let rt = tokio::runtime::Handle::current();
        let registered = tokio::task::block_in_place(|| {
            rt.block_on(async {
                server.wait_for_ready(WAIT).await
                    && !server.wait_for_commands(Some(GUILD), WAIT).await.is_empty()
            })
        });
        bot.started_in = started.elapsed();
        assert!(registered, "the bot never registered its commands");
        bot
    }

    /// The bare bot: `/ping`, nothing else.
    pub fn bare(server: &TestServer) -> Bot {
        let mut command = Command::new(bare_bot_exe());
        command
            .env("BARE_BOT_API", server.base_url())
            .env("BARE_BOT_GUILD", GUILD.to_string());
        Bot::start(server, command)
    }

    /// `planbot run` on the database at `db`, serving plan `plan`, its
    /// scheduler off so that nothing but the bench's load runs.
    pub fn planbot(server: &TestServer, db: &Path, plan: &str, log: &Path) -> Bot {
        let config = db.with_extension("toml");
        std::fs::write(&config, config_text(server, db, plan)).expect("write the config");
        let mut command = Command::new(env!("CARGO_BIN_EXE_planbot"));
        command
            .arg("run")
            .arg("--config")
            .arg(&config)
            .env_remove("PLANBOT_DB")
            .env_remove("DISCORD_API_BASE")
            .env("RUST_LOG", "warn")
            .stderr(std::fs::File::create(log).expect("log file"));
        Bot::start(server, command)
    }

    pub fn memory(&self) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        Memory {
            rss: field("VmRSS:"),
            anon: field("RssAnon:"),
            file: field("RssFile:"),
            own_binary: self.own_binary_kb(),
        }
    }

    /// The CPU time all the process's threads have had so far, as the
    /// scheduler counts it (a thread that has ended no longer counts).
    pub fn cpu(&self) -> Duration {
        let tasks = format!("/proc/{}/task", self.child.id());
        let ns: u64 = std::fs::read_dir(tasks)
            .expect("/proc/PID/task")
            .filter_map(|task| {
                let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
                stat.split_whitespace().next()?.parse::<u64>().ok()
            })
            .sum();
        Duration::from_nanos(ns)
    }

    /// Resident kB of the mappings of the process's own executable.
    fn own_binary_kb(&self) -> u64 {
        let pid = self.child.id();
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("/proc/PID/exe");
        let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).expect("/proc/PID/smaps");
        let mut ours = false;
        let mut kb = 0;
        for line in smaps.lines() {
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or("");
            // A mapping's header line starts with its address range.
            if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                ours = line.ends_with(exe.to_string_lossy().as_ref());
            } else if ours && first == "Rss:" {
                kb += words
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        kb
    }
}

fn config_text(server: &TestServer, db: &Path, plan: &str) -> String {
    format!(
        "[database]\npath = {db:?}\n\n\
         [discord]\napi_base = \"{api}\"\n\n\
         [[guilds]]\nid = {GUILD}\nplans = [\"{plan}\"]\n\
         admin_role = \"Plan admin\"\nsecretary_role = \"Board secretary\"\n\
         plan_channel = {CHANNEL}\nboard_channel = {board}\n\n\
         [jobs]\nenabled = false\n",
        api = server.base_url(),
        board = example::BOARD,
    )
}

/// `cargo bench` builds only this package's binaries; the bare bot is
/// another package's, built here into the same folder with the same
/// profile as planbot's.
fn bare_bot_exe() -> PathBuf {
    let planbot = Path::new(env!("CARGO_BIN_EXE_planbot"));
    // Only what cargo needs to find the toolchain: with the variables
    // `cargo bench` sets for a bench, the build scripts' fingerprints
    // changed and the next `cargo bench` rebuilt half the dependencies.
    let keep = [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
    ];
    let status = Command::new(env!("CARGO"))
        .env_clear()
        .envs(std::env::vars().filter(|(k, _)| keep.contains(&k.as_str())))
        .args([
            "build",
            "--profile",
            "bench",
            "--locked",
            "--quiet",
            "-p",
            "bare-bot",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo could not build the bare bot");
    planbot.with_file_name("bare-bot")
}
