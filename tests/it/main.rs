//! planbot's integration tests: one binary, one module per area.

mod app;
mod helpers;

mod bot;
mod calendar;
mod cli;
mod config;
mod crash;
mod digest;
mod digest_render;
mod import_checks;
mod import_files;
mod jobs;
mod quarter;
mod reminders;
mod run;
mod status_rules;
mod store;
mod testserver;
