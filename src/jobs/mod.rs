//! Scheduled work: when jobs fire and when reminders may go out. (The jobs
//! themselves and the outbox come with the reminders issue.)

mod calendar;

pub use calendar::{ScheduleError, WorkingTime, next_fire, parse_schedule};
