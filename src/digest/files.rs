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

/// Renders one format to its files: the digest's own, then, for a plan
/// with a register, the measures' and the risks' (a CSV each, and the
/// measure charts and the heat map as PNGs), named after the digest's.
/// Every file of `formats`, each format drawn on a thread of its own: the
/// charts' PNG encoding and the HTML take most of the time, and a digest
/// is asked for while a secretary waits.
pub fn render_formats(
    d: &Digest,
    formats: &[Format],
) -> Result<Vec<(String, Vec<u8>)>, super::RenderError> {
    let rendered: Vec<_> = std::thread::scope(|scope| {
        let drawing: Vec<_> = formats
            .iter()
            .map(|&f| scope.spawn(move || render_all(d, f)))
            .collect();
        drawing
            .into_iter()
            .map(|t| t.join().expect("a digest format panicked"))
            .collect()
    });
    let mut files = Vec::new();
    for r in rendered {
        files.extend(r?);
    }
    Ok(files)
}

pub fn render_all(
    d: &Digest,
    format: Format,
) -> Result<Vec<(String, Vec<u8>)>, super::RenderError> {
    let mut files = vec![render(d, format)?];
    let stem = file_stem(d);
    let (measures, risks) = (
        !d.register.measures.is_empty(),
        !d.register.risks.is_empty(),
    );
    match format {
        Format::Csv => {
            if measures {
                let csv = super::csv_file::render_measures_csv(d);
                files.push((format!("{stem}-measures.csv"), csv.into_bytes()));
            }
            if risks {
                let csv = super::csv_file::render_risks_csv(d);
                files.push((format!("{stem}-risks.csv"), csv.into_bytes()));
            }
        }
        Format::Png => {
            if measures {
                let png = super::register_chart::render_measures_png(d)?;
                files.push((format!("{stem}-measures.png"), png));
            }
            if risks {
                let png = super::register_chart::render_heat_map_png(d)?;
                files.push((format!("{stem}-risks.png"), png));
            }
        }
        _ => {}
    }
    Ok(files)
}
