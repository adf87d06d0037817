//! planbot's integration tests: one binary, one module per area.

mod helpers;

mod architecture;
mod backup;
mod bot;
mod busy;
mod calendar;
mod check;
mod cli;
mod cli_db;
mod cli_usage;
mod concurrency;
mod config;
mod crash;
mod demo_story;
mod deploy;
mod digest;
mod digest_render;
mod health;
mod holidays;
mod import_checks;
mod import_files;
mod import_reconcile;
mod jobs;
mod measures;
mod process;
mod quarter;
mod reminders;
mod run;
mod stale;
mod start_up;
mod status_rules;
mod stop;
mod store;
mod supervise;
mod upgrade;
