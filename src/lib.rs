//! planbot keeps public-service improvement plans on track: a plan's actions,
//! their leads, quarters and RAG statuses, kept in SQLite and worked on from
//! Discord or the command line.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod digest;
pub mod discord;
pub mod import;
pub mod jobs;
pub mod plan;
pub mod runtime;
pub mod schedule;
pub mod store;
pub mod text;
