//! The register's pictures: a small chart per measure (its values, the
//! target and the baseline) and the 5x5 risk heat map with each risk's code
//! in its cell. As with the RAG chart, nothing relies on colour alone: the
//! lines are told apart by their style and their labels, each measure's RAG
//! and direction of travel are written out, and each heat-map cell names
//! its score and band.

use super::Digest;
use super::chart::{
    Area, ChartError, FONT, GRID, TEXT, colour, encode, ensure_font, fill, fit, font,
};
use super::register::{MeasureLine, rag_status};
use crate::plan::risk::{Band, Rating};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The most measures charted: a board reads a page of them, off target
/// first; the CSV and the tables hold the rest.
pub const MAX_PANELS: usize = 24;
const COLUMNS: usize = 3;
const PANEL: (u32, u32) = (400, 260);
const HEADER: u32 = 110;
/// Width and height of the heat map's PNG, in pixels.
pub const HEAT_MAP_SIZE: (u32, u32) = (1000, 940);

/// The measures' small multiples, off target first, as a PNG 1200 pixels
/// wide and as tall as the panels need.
pub fn render_measures_png(d: &Digest) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let measures = &d.register.measures;
    let shown = measures.len().min(MAX_PANELS);
    let rows = shown.div_ceil(COLUMNS).max(1) as u32;
    let size = (PANEL.0 * COLUMNS as u32, HEADER + rows * PANEL.1);
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(HEADER);
        let mut lines = vec![format!("As at {}", d.as_of_date.format("%-d %B %Y"))];
        lines.push(if shown < measures.len() {
            format!(
                "{shown} of {} measures, off target first; the rest are in the CSV",
                measures.len()
            )
        } else {
            "Off target first. Solid line: values; dashed: target; dotted: baseline".into()
        });
        title(
            &header,
            &format!("{}: measures, {}", d.plan, d.quarter),
            &lines,
        )?;
        let panels = body.split_evenly((rows as usize, COLUMNS));
        for (m, area) in measures.iter().zip(panels) {
            panel(&area, m)?;
        }
        root.present()?;
    }
    encode(&rgb, size.0, size.1)
}

fn title(area: &Area<'_>, text: &str, lines: &[String]) -> Result<(), ChartError> {
    let (w, _) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    let text = fit(area, text, &font(28), w - 40);
    area.draw(&Text::new(text, (w as i32 / 2, 14), font(28).pos(centre)))?;
    for (i, line) in lines.iter().enumerate() {
        let y = 52 + 26 * i as i32;
        area.draw(&Text::new(
            line.clone(),
            (w as i32 / 2, y),
            font(18).pos(centre),
        ))?;
    }
    Ok(())
}

/// One measure: its name, RAG and travel in words, then its chart.
fn panel(area: &Area<'_>, m: &MeasureLine) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let left = Pos::new(HPos::Left, VPos::Top);
    area.draw(&Rectangle::new(
        [(4, 4), (w as i32 - 4, h as i32 - 4)],
        GRID.stroke_width(1),
    ))?;
    let name = fit(area, &format!("{} {}", m.code, m.name), &font(17), w - 24);
    area.draw(&Text::new(name, (12, 10), font(17).pos(left)))?;
    let verdict = match &m.latest {
        Some(l) => {
            // The RAG in a swatch of its colour, and in words beside it.
            let fill = colour(fill(rag_status(l.rag)));
            area.draw(&Rectangle::new([(12, 34), (26, 48)], fill.filled()))?;
            area.draw(&Rectangle::new([(12, 34), (26, 48)], TEXT.stroke_width(1)))?;
            format!(
                "{}: {} ({}), {} {}",
                l.rag,
                m.show(l.value),
                l.period,
                l.travel.arrow(),
                l.travel.word()
            )
        }
        None => "No value yet".into(),
    };
    let verdict = fit(area, &verdict, &font(15), w - 50);
    area.draw(&Text::new(verdict, (32, 33), font(15).pos(left)))?;
    let (_, plot) = area.split_vertically(56);
    line_chart(&plot, m)
}

fn line_chart(area: &Area<'_>, m: &MeasureLine) -> Result<(), ChartError> {
    let values: Vec<f64> = m.series.iter().map(|(_, v)| *v).collect();
    let (lo, hi) = values
        .iter()
        .chain(&[m.baseline, m.target])
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let pad = ((hi - lo) * 0.15).max(1.0);
    let n = values.len().max(2) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin_left(8)
        .margin_right(110)
        .margin_bottom(6)
        .x_label_area_size(24)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.3f64..n - 0.7, lo - pad..hi + pad)?;
    let first = m.series.first().map(|(d, _)| d.format("%b %y").to_string());
    let last = m.series.last().map(|(d, _)| d.format("%b %y").to_string());
    let count = values.len();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(count.clamp(2, 6))
        .x_label_formatter(&|x| {
            // Only the first and last periods are named: a small chart has
            // room for two dates.
            let i = x.round() as usize;
            match (i, &first, &last) {
                (0, Some(f), _) if (x - 0.0).abs() < 0.01 => f.clone(),
                (i, _, Some(l)) if i + 1 == count && (x - i as f64).abs() < 0.01 => l.clone(),
                _ => String::new(),
            }
        })
        .y_labels(4)
        .y_label_formatter(&|y| m.show(*y))
        .label_style(font(12))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .draw()?;
    let base = area.get_base_pixel();
    let local = |(x, y): (i32, i32)| (x - base.0, y - base.1);
    let ends = |y: f64| {
        let (x0, y0) = local(chart.backend_coord(&(-0.3, y)));
        let (x1, _) = local(chart.backend_coord(&(n - 0.7, y)));
        (x0, x1, y0)
    };
    dashes(area, ends(m.target), (10, 6), 2)?;
    dashes(area, ends(m.baseline), (2, 5), 1)?;
    let ink = RGBColor(0x1d, 0x70, 0xb8);
    let points: Vec<(i32, i32)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| local(chart.backend_coord(&(i as f64, *v))))
        .collect();
    area.draw(&PathElement::new(points.clone(), ink.stroke_width(3)))?;
    for p in points {
        area.draw(&Circle::new(p, 4, ink.filled()))?;
    }
    // Each horizontal line is named at its right-hand end; when they are
    // too close to both be read, the target's name wins.
    let at = |y: f64| {
        let (x, y) = local(chart.backend_coord(&(n - 0.7, y)));
        (x + 6, y)
    };
    let (t, b) = (at(m.target), at(m.baseline));
    let mid = Pos::new(HPos::Left, VPos::Center);
    area.draw(&Text::new(
        format!("target {}", m.show(m.target)),
        t,
        font(12).pos(mid),
    ))?;
    if (t.1 - b.1).abs() >= 14 {
        area.draw(&Text::new(
            format!("baseline {}", m.show(m.baseline)),
            b,
            font(12).pos(mid),
        ))?;
    }
    Ok(())
}

/// The 5x5 heat map of the risks as rated at the digest's moment.
pub fn render_heat_map_png(d: &Digest) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let (w, h) = HEAT_MAP_SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, HEAT_MAP_SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(HEADER);
        let unrated: Vec<&str> = d
            .register
            .risks
            .iter()
            .filter(|r| r.rating.is_none())
            .map(|r| r.code.as_str())
            .collect();
        let mut lines = vec![format!(
            "As at {}. Each cell: score (likelihood x impact) and band, then the codes of the risks rated there",
            d.as_of_date.format("%-d %B %Y")
        )];
        if !unrated.is_empty() {
            lines.push(format!("Not rated yet: {}", unrated.join(", ")));
        }
        title(
            &header,
            &format!("{}: risk heat map, {}", d.plan, d.quarter),
            &lines,
        )?;
        grid(&body, d)?;
        root.present()?;
    }
    encode(&rgb, w, h)
}

const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
const IMPACT: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"];

/// A light tint per band, so black text reads on every cell.
fn tint(b: Band) -> RGBColor {
    match b {
        Band::Low => RGBColor(0xcc, 0xe2, 0xd8),
        Band::Moderate => RGBColor(0xff, 0xf2, 0xa8),
        Band::High => RGBColor(0xfc, 0xc8, 0x9b),
        Band::Extreme => RGBColor(0xf2, 0x9a, 0x98),
    }
}

fn grid(area: &Area<'_>, d: &Digest) -> Result<(), ChartError> {
    const LEFT: i32 = 190;
    const BOTTOM: i32 = 90;
    let (w, h) = area.dim_in_pixel();
    let cell_w = (w as i32 - LEFT - 30) / 5;
    let cell_h = (h as i32 - BOTTOM - 10) / 5;
    let right = Pos::new(HPos::Right, VPos::Center);
    let centre_top = Pos::new(HPos::Center, VPos::Top);
    for likelihood in 1..=5u8 {
        let y = (5 - i32::from(likelihood)) * cell_h;
        let label = format!("{likelihood} {}", LIKELIHOOD[usize::from(likelihood) - 1]);
        area.draw(&Text::new(
            label,
            (LEFT - 10, y + cell_h / 2),
            font(16).pos(right),
        ))?;
        for impact in 1..=5u8 {
            let x = LEFT + (i32::from(impact) - 1) * cell_w;
            let rating = Rating { likelihood, impact };
            let corners = [(x, y), (x + cell_w, y + cell_h)];
            area.draw(&Rectangle::new(corners, tint(rating.band()).filled()))?;
            area.draw(&Rectangle::new(corners, TEXT.stroke_width(1)))?;
            let head = format!("{} {}", rating.score(), rating.band().word());
            area.draw(&Text::new(
                head,
                (x + 6, y + 5),
                font(13).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
            let codes: Vec<&str> = d
                .register
                .risks
                .iter()
                .filter(|r| r.rating == Some(rating))
                .map(|r| r.code.as_str())
                .collect();
            codes_in_cell(area, &codes, (x, y + 26), (cell_w, cell_h - 30))?;
        }
    }
    for impact in 1..=5usize {
        let x = LEFT + (impact as i32 - 1) * cell_w + cell_w / 2;
        let y = 5 * cell_h + 8;
        area.draw(&Text::new(
            format!("{impact}"),
            (x, y),
            font(16).pos(centre_top),
        ))?;
        area.draw(&Text::new(
            IMPACT[impact - 1],
            (x, y + 22),
            font(15).pos(centre_top),
        ))?;
    }
    let axis = font(18).pos(centre_top);
    area.draw(&Text::new(
        "Impact",
        (LEFT + 5 * cell_w / 2, 5 * cell_h + 58),
        axis,
    ))?;
    area.draw(&Text::new(
        "Likelihood",
        (14, 5 * cell_h / 2),
        font(18)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    Ok(())
}

/// The codes in a cell, wrapped to its width; what does not fit is
/// counted ("+12 more") so no risk silently disappears.
fn codes_in_cell(
    area: &Area<'_>,
    codes: &[&str],
    (x, y): (i32, i32),
    (w, h): (i32, i32),
) -> Result<(), ChartError> {
    let style = (FONT, 17, FontStyle::Bold).into_font().color(&TEXT);
    let line_h = 21;
    let max_lines = (h / line_h).max(1) as usize;
    let width = |t: &str| {
        area.estimate_text_size(t, &style)
            .map_or(0, |(w, _)| w as i32)
    };
    let mut lines: Vec<String> = vec![String::new()];
    let mut placed = 0;
    for code in codes {
        let current = lines.last().expect("one line");
        let joined = if current.is_empty() {
            code.to_string()
        } else {
            format!("{current}, {code}")
        };
        if width(&joined) <= w - 12 {
            *lines.last_mut().expect("one line") = joined;
        } else if lines.len() < max_lines {
            lines.push(code.to_string());
        } else {
            break;
        }
        placed += 1;
    }
    if placed < codes.len() {
        // Make room for the count on the last line.
        let more = format!("+{} more", codes.len() - placed);
        let last = lines.last_mut().expect("one line");
        *last = if width(&format!("{last}, {more}")) <= w - 12 {
            format!("{last}, {more}")
        } else {
            more
        };
    }
    for (i, line) in lines.into_iter().enumerate() {
        let at = (x + 6, y + i as i32 * line_h);
        area.draw(&Text::new(
            line,
            at,
            style.clone().pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// A horizontal line of dashes (`on` pixels drawn, `off` skipped): the
/// target dashed, the baseline dotted, so they differ without colour.
fn dashes(
    area: &Area<'_>,
    (x0, x1, y): (i32, i32, i32),
    (on, off): (i32, i32),
    width: u32,
) -> Result<(), ChartError> {
    let mut x = x0;
    while x < x1 {
        let end = (x + on).min(x1);
        area.draw(&PathElement::new(
            [(x, y), (end, y)],
            TEXT.stroke_width(width),
        ))?;
        x += on + off;
    }
    Ok(())
}
