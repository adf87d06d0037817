//! A measure's trend as a small PNG for `/measure show`: its values, the
//! line from baseline to target, and the baseline and target levels.
//!
//! Lines differ by style and are named in words beside them (solid with
//! dots: the values; dashed: the trajectory; dotted: baseline and target),
//! so the chart reads the same printed in greyscale.

use super::chart::{ChartError, FONT, TEXT, encode, ensure_font, font};
use crate::plan::YearStart;
use crate::plan::measure::{Better, Measure, Period};
use chrono::NaiveDate;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width and height in pixels: readable in a Discord embed on a phone.
pub const TREND_SIZE: (u32, u32) = (800, 450);

const GREY: RGBColor = RGBColor(0x50, 0x5a, 0x5f);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
/// The plot's edges inside the picture: room for the title, the axis
/// labels and the names of the lines on the right.
const LEFT: i32 = 80;
const RIGHT: i32 = 640;
const TOP: i32 = 80;
const BOTTOM: i32 = 390;

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// Renders the trend of `measure` with `series` (each period's value,
/// oldest first).
pub fn render_trend_png(
    measure: &Measure,
    series: &[(Period, f64)],
    year: YearStart,
) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let (w, h) = TREND_SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, TREND_SIZE).into_drawing_area();
        area.fill(&WHITE)?;
        draw(&area, measure, series, year)?;
        area.present()?;
    }
    encode(&rgb, w, h)
}

/// Maps dates and values to pixels.
struct Scale {
    first: NaiveDate,
    days: f64,
    low: f64,
    high: f64,
}

impl Scale {
    fn new(measure: &Measure, series: &[(Period, f64)]) -> Scale {
        let last = series
            .iter()
            .map(|(p, _)| p.end())
            .chain([measure.target_date])
            .max()
            .unwrap_or(measure.target_date);
        let values = series
            .iter()
            .map(|&(_, v)| v)
            .chain([measure.baseline, measure.target]);
        let (low, high) = values.fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
        // Room above and below, so no line runs along the frame.
        let pad = ((high - low) * 0.15).max(1.0);
        Scale {
            first: measure.baseline_date,
            days: (last - measure.baseline_date).num_days().max(1) as f64,
            low: low - pad,
            high: high + pad,
        }
    }

    fn x(&self, d: NaiveDate) -> i32 {
        let gone = (d - self.first).num_days() as f64 / self.days;
        LEFT + (gone.clamp(0.0, 1.0) * f64::from(RIGHT - LEFT)) as i32
    }

    fn y(&self, v: f64) -> i32 {
        let up = (v - self.low) / (self.high - self.low);
        BOTTOM - (up * f64::from(BOTTOM - TOP)) as i32
    }
}

fn draw(
    area: &Area<'_>,
    m: &Measure,
    series: &[(Period, f64)],
    year: YearStart,
) -> Result<(), ChartError> {
    let s = Scale::new(m, series);
    let top_left = Pos::new(HPos::Left, VPos::Top);
    area.draw(&Text::new(
        format!("{} {}", m.code, crate::text::shorten(&m.name, 60)),
        (20, 14),
        font(24).pos(top_left),
    ))?;
    area.draw(&Text::new(
        format!(
            "{} is better · target {} by {}",
            match m.better {
                Better::Higher => "Higher",
                Better::Lower => "Lower",
            },
            m.unit.show(m.target),
            m.target_date.format("%b %Y")
        ),
        (20, 46),
        font(16).pos(top_left),
    ))?;
    draw_axes(area, m, &s, year)?;
    let (b, t) = (
        (s.x(m.baseline_date), s.y(m.baseline)),
        (s.x(m.target_date), s.y(m.target)),
    );
    dashed(area, (LEFT, b.1), (RIGHT, b.1), 3, 5)?;
    label(area, b.1, &format!("baseline {}", m.unit.show(m.baseline)))?;
    dashed(area, (LEFT, t.1), (RIGHT, t.1), 3, 5)?;
    label(area, t.1, &format!("target {}", m.unit.show(m.target)))?;
    dashed(area, b, t, 12, 8)?;
    let points: Vec<(i32, i32)> = series
        .iter()
        .map(|&(p, v)| (s.x(p.end()), s.y(v)))
        .collect();
    area.draw(&PathElement::new(points.clone(), TEXT.stroke_width(3)))?;
    for &(x, y) in &points {
        area.draw(&Circle::new((x, y), 5, TEXT.filled()))?;
    }
    if let (Some(&(x, y)), Some(&(_, v))) = (points.last(), series.last()) {
        area.draw(&Text::new(
            m.unit.show(v),
            (x + 8, y - 22),
            font(16).pos(top_left),
        ))?;
    }
    let key = "solid with dots: values · long dashes: trajectory to target";
    area.draw(&Text::new(key, (LEFT, 420), font(14).pos(top_left)))?;
    Ok(())
}

/// The frame, value ticks on the left, and the first and last periods below.
fn draw_axes(area: &Area<'_>, m: &Measure, s: &Scale, year: YearStart) -> Result<(), ChartError> {
    let right = Pos::new(HPos::Right, VPos::Center);
    for i in 0..=4 {
        let v = s.low + (s.high - s.low) * f64::from(i) / 4.0;
        let y = s.y(v);
        area.draw(&PathElement::new(vec![(LEFT, y), (RIGHT, y)], GRID))?;
        area.draw(&Text::new(
            m.unit.show((v * 10.0).round() / 10.0),
            (LEFT - 8, y),
            font(14).pos(right),
        ))?;
    }
    area.draw(&Rectangle::new([(LEFT, TOP), (RIGHT, BOTTOM)], GREY))?;
    let below = |h| Pos::new(h, VPos::Top);
    let first = Period::containing(m.baseline_date, m.frequency, year);
    area.draw(&Text::new(
        m.baseline_date.format("%b %Y").to_string(),
        (LEFT, BOTTOM + 6),
        (FONT, 14).into_font().color(&TEXT).pos(below(HPos::Left)),
    ))?;
    let end = Period::containing(m.target_date, m.frequency, year);
    let last = if end > first { end } else { first };
    area.draw(&Text::new(
        last.label(year),
        (s.x(m.target_date), BOTTOM + 6),
        font(14).pos(below(HPos::Center)),
    ))?;
    Ok(())
}

/// The name of a level, right of the plot.
fn label(area: &Area<'_>, y: i32, text: &str) -> Result<(), ChartError> {
    let left = Pos::new(HPos::Left, VPos::Center);
    area.draw(&Text::new(
        text.to_string(),
        (RIGHT + 8, y),
        font(14).pos(left),
    ))?;
    Ok(())
}

/// A dashed line: `on` pixels drawn, `off` left out, in grey.
fn dashed(
    area: &Area<'_>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    on: i32,
    off: i32,
) -> Result<(), ChartError> {
    let (dx, dy) = (f64::from(x1 - x0), f64::from(y1 - y0));
    let length = dx.hypot(dy);
    let mut at = 0.0;
    while at < length {
        let end = (at + f64::from(on)).min(length);
        let point = |t: f64| (x0 + (dx * t / length) as i32, y0 + (dy * t / length) as i32);
        area.draw(&PathElement::new(
            vec![point(at), point(end)],
            GREY.stroke_width(2),
        ))?;
        at += f64::from(on + off);
    }
    Ok(())
}
