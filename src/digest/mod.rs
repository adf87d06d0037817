//! The board pack: a digest of the plan for one quarter, as it stood then,
//! rendered as a Discord message, Markdown, CSV, an HTML board paper and a chart.

mod build;
mod chart;
mod csv_file;
mod files;
mod gather;
mod html;
mod markdown;
mod markdown_register;
pub mod message;
mod model;
mod register;
mod register_chart;
mod trend;

pub use build::{DigestInput, build, last_quarter, quarter_as_of};
pub use chart::{CHART_SIZE, ChartError, FONT_LICENCE, render_png};
pub use csv_file::{DIGEST_CSV_HEADER, render_csv, render_measures_csv, render_risks_csv};
pub use files::{Format, file_stem, render, render_all, render_formats};
pub use gather::{make, record};
pub use html::render_html;
pub use markdown::render_markdown;
pub use message::{EmbedText, embed};
pub use model::*;
pub use register::{Latest, MeasureLine, OutcomeGroup, RegisterView, RiskLine};
pub use register_chart::{HEAT_MAP_SIZE, render_heat_map_png, render_measures_png};
pub use trend::{TREND_SIZE, render_trend_png};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("choose one format at a time")]
    NotOneFormat,
}
