//! The two bots as the separate processes they are in production: planbot's
//! own binary (`planbot run`) and the bare serenity + poise bot
//! (`crates/bare-bot`), each against a test server held by the bench.

use discord_testserver::TestServer;
use planbot_testkit::{CHANNEL, GUILD, WAIT, example};
use std::os::fd::AsRawFd;
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

/// Where a bot's binary is read from when it starts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// From the page cache, as just after a build or an earlier run. How
    /// much of it a process then maps depends on how the file came into the
    /// cache (written by the linker, copied, read), by up to 1-2 MB.
    Cached,
    /// From disk, as a service started after boot: the binary is dropped
    /// from the page cache first, and the kernel reads what the bot touches
    /// (and its read-ahead). The same for every run.
    FromDisk,
}

/// Drops `exe` from the page cache. Pages another process has mapped stay:
/// no other process may be running it.
fn drop_from_page_cache(exe: &Path) {
    let file = std::fs::File::open(exe).expect("open the bot's binary");
    // Pages not yet written back are not dropped.
    file.sync_all().expect("sync the bot's binary");
    // SAFETY: a plain system call on a descriptor `file` holds open.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    assert_eq!(rc, 0, "posix_fadvise(DONTNEED) on {}", exe.display());
}

impl Bot {
    /// Starts `command` and waits for READY and its commands in `server`.
    fn start(server: &TestServer, mut command: Command, start: Start) -> Bot {
        if start == Start::FromDisk {
            drop_from_page_cache(Path::new(command.get_program()));
        }
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
    pub fn bare(server: &TestServer, start: Start) -> Bot {
        let mut command = Command::new(bare_bot_exe());
        command
            .env("BARE_BOT_API", server.base_url())
            .env("BARE_BOT_GUILD", GUILD.to_string());
        Bot::start(server, command, start)
    }

    /// `planbot run` on the database at `db`, serving plan `plan`, its
    /// scheduler off so that nothing but the bench's load runs.
    pub fn planbot(server: &TestServer, db: &Path, plan: &str, log: &Path, start: Start) -> Bot {
        let config = db.with_extension("toml");
        std::fs::write(&config, config_text(server, db, plan)).expect("write the config");
        // scripts/startup-order runs the `dist` build too.
        let exe = std::env::var_os("PLANBOT_BENCH_BIN");
        let mut command = Command::new(
            exe.as_deref()
                .unwrap_or(env!("CARGO_BIN_EXE_planbot").as_ref()),
        );
        command
            .arg("run")
            .arg("--config")
            .arg(&config)
            .env_remove("PLANBOT_DB")
            .env_remove("DISCORD_API_BASE")
            .env("PLANBOT_LOG", "warn")
            .stderr(std::fs::File::create(log).expect("log file"));
        Bot::start(server, command, start)
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

    /// The offsets in its executable file of the pages the process has
    /// resident, for `scripts/startup-order`.
    pub fn resident_pages(&self) -> Vec<u64> {
        use std::io::{Read, Seek, SeekFrom};
        let pid = self.child.id();
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("/proc/PID/exe");
        let exe = exe.to_string_lossy();
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("/proc/PID/maps");
        let mut pagemap = std::fs::File::open(format!("/proc/{pid}/pagemap")).expect("pagemap");
        let mut pages = Vec::new();
        for line in maps.lines().filter(|l| l.ends_with(exe.as_ref())) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let hex = |w: &str| u64::from_str_radix(w, 16).expect("a hex number in maps");
            let (start, end) = words[0].split_once('-').expect("an address range");
            let (start, end, offset) = (hex(start), hex(end), hex(words[2]));
            for page in (start..end).step_by(4096) {
                // One 8-byte entry a page; bit 63 says it is present.
                let mut entry = [0u8; 8];
                pagemap
                    .seek(SeekFrom::Start(page / 4096 * 8))
                    .expect("seek");
                pagemap.read_exact(&mut entry).expect("a pagemap entry");
                if u64::from_le_bytes(entry) >> 63 == 1 {
                    pages.push(page - start + offset);
                }
            }
        }
        pages
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
