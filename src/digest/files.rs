//! The digest's files: what each format is called and holds.

use super::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Csv,
    Html,
    Png,
    All,
}

impl Format {
    /// The single formats this one stands for.
    pub fn expand(self) -> Vec<Format> {
        match self {
            Format::All => vec![Format::Md, Format::Csv, Format::Html, Format::Png],
            one => vec![one],
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Png => "png",
            Format::All => "",
        }
    }
}

/// "kirklees-q4-18-19": safe in any file system.
pub fn file_stem(d: &Digest) -> String {
    let raw = format!("{}-{}", d.plan, d.quarter).to_lowercase();
    let mut stem = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    stem.trim_matches('-').to_string()
}

/// Renders one format to a file name and bytes.
pub fn render(d: &Digest, format: Format) -> Result<(String, Vec<u8>), super::RenderError> {
    let bytes = match format {
        Format::Md => super::render_markdown(d).into_bytes(),
        Format::Csv => super::render_csv(d).into_bytes(),
        Format::Html => super::render_html(d).into_bytes(),
        Format::Png => super::render_png(d)?,
        Format::All => return Err(super::RenderError::NotOneFormat),
    };
    Ok((format!("{}.{}", file_stem(d), format.extension()), bytes))
}
