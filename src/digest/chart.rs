//! The board pack's picture: one PNG with the RAG mix of each priority now,
//! and of the whole plan at the end of each quarter of its life.
//!
//! Colour never stands alone: a legend names each status in words, and every
//! bar segment wide enough to hold it carries its count.

use super::model::Digest;
use crate::plan::Status;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

/// Width and height of the PNG, in pixels: legible on A4 and on a phone.
pub const CHART_SIZE: (u32, u32) = (1200, 1400);

/// With `ab_glyph` plotters has no system fonts: it draws text only with
/// fonts registered at run time, so the binary carries its own.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(super) const FONT: &str = "sans-serif";
/// The font's licence travels with the font, so with the binary:
/// `planbot licences` prints it.
pub static FONT_LICENCE: &str = include_str!("../../assets/fonts/LICENSE-DejaVu.txt");

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled chart font could not be read")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

/// The fill of a status, shared with the board paper so the two match.
pub(super) const fn fill(s: Status) -> [u8; 3] {
    match s {
        Status::Red => [0xb1, 0x0e, 0x1e],
        Status::Amber => [0xff, 0xbf, 0x47],
        Status::Green => [0x00, 0x70, 0x3c],
        Status::NotStarted => [0xb1, 0xb4, 0xb6],
        Status::Complete => [0x1d, 0x70, 0xb8],
    }
}

/// Text on a status's fill: whichever of white or near-black contrasts
/// with it by at least 4.5:1 (WCAG AA).
pub(super) const fn ink(s: Status) -> [u8; 3] {
    match s {
        Status::Red | Status::Green | Status::Complete => [0xff, 0xff, 0xff],
        Status::Amber | Status::NotStarted => [0x0b, 0x0c, 0x0c],
    }
}

pub(super) fn colour([r, g, b]: [u8; 3]) -> RGBColor {
    RGBColor(r, g, b)
}

pub(super) const TEXT: RGBColor = RGBColor(0x0b, 0x0c, 0x0c);
pub(super) const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);

pub(super) fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&TEXT)
}

pub(super) fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// Renders the digest's chart as a PNG of `CHART_SIZE`.
pub fn render_png(d: &Digest) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let (w, h) = CHART_SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, CHART_SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(130);
        let (top, bottom) = body.split_vertically(640);
        draw_header(&header, d)?;
        draw_priorities(&top, d)?;
        draw_mix(&bottom, d)?;
        root.present()?;
    }
    encode(&rgb, w, h)
}

pub(super) fn encode(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Flat colours on white compress well even at the fastest setting, and
    // the default takes several times as long for a few per cent.
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

pub(super) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

fn draw_header(area: &Area<'_>, d: &Digest) -> Result<(), ChartError> {
    let (w, _) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    let title = fit(
        area,
        &format!("{}: RAG status, {}", d.plan, d.quarter),
        &font(30),
        w - 40,
    );
    area.draw(&Text::new(title, (w as i32 / 2, 16), font(30).pos(centre)))?;
    let subtitle = format!("As at {}", d.as_of_date.format("%-d %B %Y"));
    area.draw(&Text::new(
        subtitle,
        (w as i32 / 2, 54),
        font(20).pos(centre),
    ))?;
    draw_legend(area, 96)
}

/// One row of swatches, each followed by its status in words.
fn draw_legend(area: &Area<'_>, y: i32) -> Result<(), ChartError> {
    const SWATCH: i32 = 22;
    const GAP: i32 = 28;
    let style = font(18);
    let entries: Vec<(Status, String, i32)> = Status::ALL
        .iter()
        .map(|&s| {
            let text = if s.label().eq_ignore_ascii_case(s.meaning()) {
                s.label().to_string()
            } else {
                format!("{} ({})", s.label(), s.meaning())
            };
            let width = text_width(area, &text, &style);
            (s, text, width)
        })
        .collect();
    let total: i32 = entries
        .iter()
        .map(|(_, _, tw)| SWATCH + 8 + tw)
        .sum::<i32>()
        + GAP * (entries.len() as i32 - 1);
    let (w, _) = area.dim_in_pixel();
    let mut x = (w as i32 - total) / 2;
    for (s, text, width) in entries {
        swatch(area, (x, y - SWATCH / 2), SWATCH, s)?;
        let at = (x + SWATCH + 8, y);
        area.draw(&Text::new(
            text,
            at,
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += SWATCH + 8 + width + GAP;
    }
    Ok(())
}

fn swatch(area: &Area<'_>, (x, y): (i32, i32), size: i32, s: Status) -> Result<(), ChartError> {
    let corners = [(x, y), (x + size, y + size)];
    area.draw(&Rectangle::new(corners, colour(fill(s)).filled()))?;
    area.draw(&Rectangle::new(corners, TEXT.stroke_width(1)))?;
    Ok(())
}

/// (a) A horizontal bar per priority, stacked by status, priority 1 at the top.
fn draw_priorities(area: &Area<'_>, d: &Digest) -> Result<(), ChartError> {
    const LABELS: u32 = 340;
    let title = format!("Actions by priority and status, {}", d.quarter);
    if d.priorities.is_empty() {
        return draw_nothing(area, &title, "The plan has no actions.");
    }
    let n = d.priorities.len();
    let most = d
        .priorities
        .iter()
        .map(|p| p.now.counts.total())
        .max()
        .unwrap_or(0);
    // Room to the right of the longest bar for its total.
    let x_max = axis_max(most, 1.12);
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(24))
        .margin_left(20)
        .margin_right(30)
        .margin_top(10)
        .x_label_area_size(56)
        .y_label_area_size(LABELS)
        .build_cartesian_2d(0u32..x_max, 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(10)
        .x_desc("Number of actions")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .draw()?;

    let base = area.get_base_pixel();
    let local = |(x, y): (i32, i32)| (x - base.0, y - base.1);
    let band = if n > 12 { 0.1 } else { 0.18 };
    let label_size = if n > 16 { 14 } else { 18 };
    for (i, p) in d.priorities.iter().enumerate() {
        let top = (n - i) as f64 - band;
        let bottom = (n - i - 1) as f64 + band;
        let mut x0 = 0u32;
        for s in Status::ALL {
            let count = p.now.counts.get(s) as u32;
            if count == 0 {
                continue;
            }
            let x1 = x0 + count;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, top), (x1, bottom)],
                colour(fill(s)).filled(),
            )))?;
            let (left, upper) = chart.backend_coord(&(x0, top));
            let (right, lower) = chart.backend_coord(&(x1, bottom));
            count_label(area, local((left, upper)), local((right, lower)), count, s)?;
            x0 = x1;
        }
        let (end, middle) = chart.backend_coord(&(x0, (n - i) as f64 - 0.5));
        area.draw(&Text::new(
            x0.to_string(),
            local((end + 8, middle)),
            font(16).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let name = format!("{}. {}", p.now.number, p.now.title);
        let name = fit(area, &name, &font(label_size), LABELS - 30);
        let (axis, _) = chart.backend_coord(&(0, 0.0));
        area.draw(&Text::new(
            name,
            local((axis - 12, middle)),
            font(label_size).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// (b) The whole plan's RAG mix at the end of each quarter, oldest first.
fn draw_mix(area: &Area<'_>, d: &Digest) -> Result<(), ChartError> {
    let title = "The plan's RAG mix at the end of each quarter";
    if d.mix.is_empty() {
        return draw_nothing(area, title, "The plan has no history yet.");
    }
    // A young plan's few bars stay bar-width, centred, rather than
    // stretching across the page.
    let slots = d.mix.len().max(8) as f64;
    let offset = (slots - d.mix.len() as f64) / 2.0;
    let most = d.mix.iter().map(|q| q.counts.total()).max().unwrap_or(0);
    let y_max = axis_max(most, 1.08);
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(24))
        .margin_left(20)
        .margin_right(30)
        .margin_top(20)
        .margin_bottom(10)
        .x_label_area_size(70)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..slots, 0u32..y_max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(8)
        .y_desc("Number of actions")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .draw()?;

    let base = area.get_base_pixel();
    let local = |(x, y): (i32, i32)| (x - base.0, y - base.1);
    let band = 0.15;
    for (i, q) in d.mix.iter().enumerate() {
        let left = offset + i as f64 + band;
        let right = offset + (i + 1) as f64 - band;
        let mut y0 = 0u32;
        for s in Status::ALL {
            let count = q.counts.get(s) as u32;
            if count == 0 {
                continue;
            }
            let y1 = y0 + count;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(left, y1), (right, y0)],
                colour(fill(s)).filled(),
            )))?;
            let upper_left = chart.backend_coord(&(left, y1));
            let lower_right = chart.backend_coord(&(right, y0));
            count_label(area, local(upper_left), local(lower_right), count, s)?;
            y0 = y1;
        }
        // "Q3" over "18/19": a whole label per bar would collide at 16 quarters.
        let (centre, axis) = local(chart.backend_coord(&(offset + i as f64 + 0.5, 0)));
        let (first, second) = q.quarter.split_once(' ').unwrap_or((&q.quarter, ""));
        let style = font(16).pos(Pos::new(HPos::Center, VPos::Top));
        area.draw(&Text::new(
            first.to_string(),
            (centre, axis + 8),
            style.clone(),
        ))?;
        area.draw(&Text::new(second.to_string(), (centre, axis + 28), style))?;
    }
    Ok(())
}

/// A segment's count, centred in it, when it fits.
fn count_label(
    area: &Area<'_>,
    (left, top): (i32, i32),
    (right, bottom): (i32, i32),
    count: u32,
    s: Status,
) -> Result<(), ChartError> {
    let text = count.to_string();
    let style = (FONT, 15).into_font().color(&colour(ink(s)));
    let width = text_width(area, &text, &style);
    if right - left < width + 6 || bottom - top < 18 {
        return Ok(());
    }
    let centre = ((left + right) / 2, (top + bottom) / 2);
    area.draw(&Text::new(
        text,
        centre,
        style.pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

fn draw_nothing(area: &Area<'_>, title: &str, sentence: &str) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Center);
    area.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 30),
        font(24).pos(centre),
    ))?;
    area.draw(&Text::new(
        sentence.to_string(),
        (w as i32 / 2, h as i32 / 2),
        font(20).pos(centre),
    ))?;
    Ok(())
}

/// The top of a count axis: the largest bar plus headroom, and never zero
/// so an empty plan still has an axis.
fn axis_max(most: usize, headroom: f64) -> u32 {
    ((most as f64 * headroom).ceil() as u32)
        .max(most as u32 + 1)
        .max(5)
}

pub(super) fn text_width(area: &Area<'_>, text: &str, style: &TextStyle<'_>) -> i32 {
    area.estimate_text_size(text, style)
        .map_or(0, |(w, _)| w as i32)
}

/// `text` cut short with an ellipsis so it fits `max` pixels.
pub(super) fn fit(area: &Area<'_>, text: &str, style: &TextStyle<'_>, max: u32) -> String {
    let max = max as i32;
    if text_width(area, text, style) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let shorter: String = chars.iter().collect::<String>().trim_end().to_string() + "\u{2026}";
        if text_width(area, &shorter, style) <= max {
            return shorter;
        }
    }
    String::new()
}
