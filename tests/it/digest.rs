//! The board digest from the example plan: contents, reproducibility, formats
//! (golden files), Discord limits and the /digest command.

use crate::helpers::*;
use chrono::{DateTime, Utc};
use planbot::digest::{self, Digest, Format};
use planbot::plan::{AsOf, Plan, Status, StatusRequest};
use planbot::store::Store;
use planbot_testkit::*;
use serde_json::json;
use std::path::PathBuf;

fn update(to: Status, by: &str, note: &str, at: DateTime<Utc>) -> StatusRequest {
    StatusRequest {
        to,
        note: Some(note.into()),
        evidence: None,
        by: by.into(),
        by_discord_id: None,
        at,
    }
}

/// The example plan as recorded on 1 March 2019, with a few updates in March
/// (inside Q4 18/19) and some in April (after it).
pub(crate) async fn example_with_history() -> (TestDb, Plan) {
    let db = TestDb::new().await;
    let recorded = AsOf {
        moment: utc(2019, 3, 1, 9, 0),
        today: date(2019, 3, 1),
    };
    planbot::demo::load_example_plan(&db.store, recorded)
        .await
        .unwrap();
    let plan = db.store.find_plan(Some("Kirklees")).await.unwrap();
    for (r, to, by, note, at) in [
        (
            "1.2",
            Status::Red,
            "Steve Comb",
            "Recruitment campaign delayed by the budget freeze",
            utc(2019, 3, 20, 10, 0),
        ),
        (
            "2.3",
            Status::Complete,
            "Julie Bragg",
            "Staying Put policy signed off",
            utc(2019, 3, 25, 15, 0),
        ),
        (
            "7.1",
            Status::Green,
            "Ophelia Rix",
            "Task group now meeting monthly",
            utc(2019, 3, 28, 9, 30),
        ),
    ] {
        db.store
            .record_status(&plan, r, &update(to, by, note, at))
            .await
            .unwrap();
    }
    (db, plan)
}

async fn april_updates(store: &Store, plan: &Plan) {
    store
        .record_status(
            plan,
            "1.2",
            &update(
                Status::Green,
                "Steve Comb",
                "Back on track",
                utc(2019, 4, 10, 9, 0),
            ),
        )
        .await
        .unwrap();
    store
        .record_status(
            plan,
            "4.3",
            &update(
                Status::Complete,
                "Christine Bennett",
                "Criteria agreed",
                utc(2019, 4, 11, 9, 0),
            ),
        )
        .await
        .unwrap();
}

async fn q4_digest(store: &Store, plan: &Plan, now: DateTime<Utc>) -> Digest {
    let q = plan.year_start.parse_quarter("Q4 18/19").unwrap();
    digest::make(store, plan, q, digest::quarter_as_of(plan, q, now), now)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_q4_digest_shows_the_plan_as_it_stood_on_31_march() {
    let (db, plan) = example_with_history().await;
    let d = q4_digest(&db.store, &plan, utc(2019, 4, 2, 9, 0)).await;
    assert_eq!(d.quarter, "Q4 18/19");
    assert_eq!(d.as_of_date, date(2019, 3, 31));
    assert_eq!(d.total.total(), 58);
    // Reds first, with the lead's latest note.
    let red = d
        .reds
        .iter()
        .find(|i| i.reference == "1.2")
        .expect("1.2 went red in March");
    assert_eq!(
        red.latest_note.as_deref(),
        Some("Recruitment campaign delayed by the budget freeze")
    );
    assert!(
        d.completed.iter().any(|i| i.reference == "2.3"),
        "completed in the quarter"
    );
    assert!(
        d.improved
            .iter()
            .any(|m| m.item.reference == "7.1" && m.from == Status::Amber && m.to == Status::Green)
    );
    assert!(
        d.declined
            .iter()
            .any(|m| m.item.reference == "1.2" && m.to == Status::Red)
    );
    // 7.1 says green but was due in Q3: the chair should ask.
    assert!(
        d.questions.iter().any(|q| q.item.reference == "7.1"
            && q.reason.contains("reported Green but 90 days overdue")),
        "{:?}",
        d.questions
            .iter()
            .map(|q| (&q.item.reference, &q.reason))
            .collect::<Vec<_>>()
    );
    assert!(
        d.questions
            .iter()
            .any(|q| q.item.reference == "2.3" && q.reason.contains("no evidence"))
    );
    // Due next quarter: Q1 19/20 and still open.
    assert!(
        d.due_next
            .iter()
            .all(|i| i.due == Some(date(2019, 6, 30)) && i.status.is_open())
    );
    assert!(!d.due_next.is_empty());
}

#[tokio::test]
async fn a_past_quarter_reads_the_same_after_later_updates() {
    let (db, plan) = example_with_history().await;
    let before = q4_digest(&db.store, &plan, utc(2019, 4, 2, 9, 0)).await;
    april_updates(&db.store, &plan).await;
    let mut after = q4_digest(&db.store, &plan, utc(2020, 4, 2, 9, 0)).await;
    // Only the comparison with the earlier run and "status now" may differ.
    assert!(
        after.since_last_run.is_none(),
        "nothing was recorded in between"
    );
    for (a, b) in after.rows.iter_mut().zip(&before.rows) {
        a.status_now = b.status_now;
    }
    assert_eq!(after, before);
    assert_eq!(
        digest::render_markdown(&after),
        digest::render_markdown(&before)
    );
}

#[tokio::test]
async fn a_rerun_says_what_changed_since_the_digest_was_made() {
    let (db, plan) = example_with_history().await;
    let now = utc(2019, 3, 15, 9, 0);
    let q = plan.year_start.parse_quarter("Q4 18/19").unwrap();
    let first = digest::make(
        &db.store,
        &plan,
        q,
        digest::quarter_as_of(&plan, q, now),
        now,
    )
    .await
    .unwrap();
    digest::record(&db.store, &plan, &first, now).await.unwrap();
    let later = utc(2019, 3, 31, 12, 0);
    let second = digest::make(
        &db.store,
        &plan,
        q,
        digest::quarter_as_of(&plan, q, later),
        later,
    )
    .await
    .unwrap();
    let since = second
        .since_last_run
        .clone()
        .expect("compared with the first run");
    assert_eq!(since.made_at, now);
    let changed: Vec<&str> = since.changed.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(changed, ["1.2", "2.3", "7.1"]);
    assert!(digest::render_markdown(&second).contains("- 1.2: Amber → Red"));
}

#[tokio::test]
async fn recommendations_no_action_addresses_stand_out() {
    let (db, plan) = example_with_history().await;
    let d = q4_digest(&db.store, &plan, utc(2019, 4, 2, 9, 0)).await;
    let codes: Vec<&str> = d.unaddressed().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["O1", "O7", "O27"]);
    let md = digest::render_markdown(&d);
    assert!(
        md.contains("- **O1 (Keeping children safe): no action addresses this recommendation.**"),
        "{md}"
    );
    let o17 = d.coverage.iter().find(|c| c.code == "O17").unwrap();
    assert!(!o17.actions.is_empty());
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares with the file in tests/golden; `UPDATE_GOLDEN=1` rewrites it.
/// Text must match byte for byte; a PNG, pixel for pixel within
/// `same_picture`'s tolerance.
fn check_golden(name: &str, bytes: &[u8]) {
    let path = golden(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    if let Some(why) = golden_differs(name, bytes) {
        let out = std::env::temp_dir().join(name);
        std::fs::write(&out, bytes).unwrap();
        panic!(
            "{name} differs from the golden file ({why}); what was made is in {}",
            out.display()
        );
    }
}

/// Why `bytes` do not match the golden file `name`, if they do not.
fn golden_differs(name: &str, bytes: &[u8]) -> Option<String> {
    let path = golden(name);
    let want = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    if name.ends_with(".png") {
        same_picture(&want, bytes).err()
    } else {
        (want != bytes).then(|| "the bytes differ".to_string())
    }
}

/// A picture's size and its RGB pixels, row by row, however it was encoded.
fn pixels(png_bytes: &[u8]) -> ((u32, u32), Vec<[u8; 3]>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).expect("pixels");
    let buf = &buf[..frame.buffer_size()];
    let rgb = match frame.color_type {
        png::ColorType::Rgb => buf.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Rgba => buf.chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Grayscale => buf.iter().map(|&g| [g; 3]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks_exact(2).map(|p| [p[0]; 3]).collect(),
        png::ColorType::Indexed => unreachable!("expanded to RGB by the decoder"),
    };
    ((frame.width, frame.height), rgb)
}

/// How far a channel may move before a pixel counts as changed: smoothing
/// at the edges of text moves when the font renderer is updated.
const CHANNEL_TOLERANCE: u8 = 24;
/// The share of pixels that may change, in parts per million: 0.5%, where
/// the chart moved one pixel row changes 2.9% and the least-used status
/// colour covers 1.4%.
const CHANGED_PPM: usize = 5_000;

/// Whether two PNGs show the same picture: the same size, and few pixels
/// (see `CHANGED_PPM`) with any channel more than `CHANNEL_TOLERANCE` apart.
fn same_picture(want: &[u8], got: &[u8]) -> Result<(), String> {
    let (want_size, want) = pixels(want);
    let (got_size, got) = pixels(got);
    if want_size != got_size {
        return Err(format!("{got_size:?} pixels, not {want_size:?}"));
    }
    let changed = changed_pixels(&want, &got);
    let ppm = changed * 1_000_000 / want.len().max(1);
    if ppm > CHANGED_PPM {
        return Err(format!(
            "{changed} pixels changed ({ppm} per million, at most {CHANGED_PPM} allowed)"
        ));
    }
    Ok(())
}

fn changed_pixels(a: &[[u8; 3]], b: &[[u8; 3]]) -> usize {
    a.iter()
        .zip(b)
        .filter(|(p, q)| {
            p.iter()
                .zip(*q)
                .any(|(x, y)| x.abs_diff(*y) > CHANNEL_TOLERANCE)
        })
        .count()
}

#[tokio::test]
async fn every_format_matches_its_golden_file() {
    let (db, plan) = example_with_history().await;
    april_updates(&db.store, &plan).await;
    let d = q4_digest(&db.store, &plan, utc(2019, 4, 12, 9, 0)).await;
    for f in Format::All.expand() {
        let (name, bytes) = digest::render(&d, f).unwrap();
        check_golden(&name, &bytes);
    }
    let (_, csv) = digest::render(&d, Format::Csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with(
        "Priority,Ref,Action,Leads,Due,Status then,Status now,Days overdue,Latest note\r\n"
    ));
    assert_eq!(csv.lines().count(), 59);
    let row = csv.lines().find(|l| l.contains(",1.2,")).unwrap();
    assert!(row.contains(",Red,Green,"), "then red, now green: {row}");
}

#[tokio::test]
async fn a_500_action_plan_fits_discords_limits_and_says_what_is_in_the_files() {
    let db = TestDb::new().await;
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status\n");
    for i in 0..500 {
        let p = i % 10 + 1;
        let status = ["Red", "Amber", "Green"][i % 3];
        csv.push_str(&format!("{p}. Priority number {p} with a long title,{p}.{i},Deliver the improvement action numbered {i} across the partnership,Lead {},Q3 18/19,{status}\n", i % 40));
    }
    db.import_csv("Big", &csv, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(Some("Big")).await.unwrap();
    let q = plan.year_start.parse_quarter("Q4 18/19").unwrap();
    let now = utc(2019, 4, 2, 9, 0);
    let d = digest::make(
        &db.store,
        &plan,
        q,
        digest::quarter_as_of(&plan, q, now),
        now,
    )
    .await
    .unwrap();
    let e = digest::embed(&d);
    assert!(e.size() <= digest::message::MAX_TOTAL, "{}", e.size());
    assert!(e.description.chars().count() <= digest::message::MAX_DESCRIPTION);
    assert!(e.fields.len() <= digest::message::MAX_FIELDS);
    for (name, value) in &e.fields {
        assert!(
            value.chars().count() <= digest::message::MAX_FIELD_VALUE,
            "{name}"
        );
        assert!(name.chars().count() <= digest::message::MAX_FIELD_NAME);
    }
    let reds = &e.fields.iter().find(|(n, _)| n == "Red").unwrap().1;
    let shown = reds.lines().filter(|l| !l.starts_with('…')).count();
    let more: usize = reds
        .lines()
        .last()
        .unwrap()
        .trim_start_matches("… and ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(shown + more, d.reds.len(), "every red is shown or counted");
    for line in reds.lines() {
        assert!(!line.ends_with(' '), "cut at line ends only: {line:?}");
    }
    let md = digest::render_markdown(&d);
    for r in &d.reds {
        assert!(
            md.contains(&format!("| {} |", r.reference)),
            "{} is in the files",
            r.reference
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_is_for_secretaries_and_admins_with_the_files_attached() {
    let app = spawn_app().await;
    let refused = app.reply(STRANGER, "digest", json!([])).await;
    assert!(refused.is_ephemeral());
    assert!(
        refused
            .content()
            .contains("\"Board secretary\" or \"Plan admin\" role"),
        "{}",
        refused.content()
    );

    // On 15 May 2019, Q3 19/20 is still to come: no paper can be of it.
    let future = app
        .reply(
            SECRETARY,
            "digest",
            json!([{"type": 3, "name": "quarter", "value": "Q3 19/20"}]),
        )
        .await;
    assert!(future.is_ephemeral());
    assert!(
        future
            .content()
            .contains("Q3 19/20 has not begun: it starts on 1 Oct 2019"),
        "{}",
        future.content()
    );

    let answers = app
        .command(
            SECRETARY,
            "digest",
            json!([{"type": 3, "name": "quarter", "value": "Q1 19/20"}]),
            2,
        )
        .await;
    let with_files = answers.iter().find(|r| !r.files.is_empty()).expect("files");
    let names: Vec<&str> = with_files.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "kirklees-q1-19-20.md",
            "kirklees-q1-19-20.csv",
            "kirklees-q1-19-20.html",
            "kirklees-q1-19-20.png"
        ]
    );
    let embed = &with_files.data()["embeds"][0];
    assert_eq!(embed["title"], "Kirklees: digest for Q1 19/20");
    assert!(with_files.is_ephemeral());

    let bad = app
        .reply(
            SECRETARY,
            "digest",
            json!([{"type": 3, "name": "quarter", "value": "Q5 19/20"}]),
        )
        .await;
    assert!(bad.content().contains("Q1 to Q4"), "{}", bad.content());
}

/// A long action text gives way in the embed; the facts after it do not.
#[tokio::test]
async fn a_long_action_keeps_its_reason_leads_and_days_overdue_in_the_embed() {
    let db = TestDb::new().await;
    let long = format!(
        "Deliver {} across every locality",
        "the improvement of assessment timeliness and quality ".repeat(11)
    );
    assert!(long.chars().count() > 600, "{}", long.chars().count());
    let csv = format!(
        "Priority,Ref,Action,Leads,Due,Status\n1. Front Door,1.4,{long},Julie Bragg,Q3 18/19,Amber\n"
    );
    db.import_csv("Long", &csv, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(Some("Long")).await.unwrap();
    let d = q4_digest(&db.store, &plan, utc(2019, 4, 2, 9, 0)).await;
    let e = digest::embed(&d);
    let line = |field: &str| {
        let (_, value) = e
            .fields
            .iter()
            .find(|(n, _)| n == field)
            .unwrap_or_else(|| panic!("no {field} field: {e:#?}"));
        assert_eq!(value.lines().count(), 1, "{value}");
        value.clone()
    };
    let overdue = line("Overdue (not red)");
    assert!(
        overdue.starts_with("1.4 Deliver the improvement"),
        "{overdue}"
    );
    assert!(
        overdue.ends_with("… (Julie Bragg, 90 days overdue)"),
        "{overdue}"
    );
    let question = line("Questions for the board");
    assert!(
        question.starts_with("1.4 Deliver the improvement"),
        "{question}"
    );
    assert!(
        question.ends_with("…: reported Amber but 90 days overdue"),
        "{question}"
    );
    for l in [&overdue, &question] {
        assert!(l.chars().count() <= 200, "{}: {l}", l.chars().count());
        assert!(
            l.chars().count() > 180,
            "the action keeps the room left: {l}"
        );
    }
}

fn encode(size: (u32, u32), pixels: &[[u8; 3]], alpha: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size.0, size.1);
    encoder.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    encoder.set_compression(png::Compression::Best);
    encoder.set_filter(png::FilterType::Paeth);
    let data: Vec<u8> = pixels
        .iter()
        .flat_map(|p| {
            let a: &[u8] = if alpha { &[255] } else { &[] };
            p.iter().chain(a).copied().collect::<Vec<_>>()
        })
        .collect();
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

#[test]
fn the_chart_golden_compares_pixels_within_a_tolerance_not_bytes() {
    const NAME: &str = "kirklees-q4-18-19.png";
    let golden_png = std::fs::read(golden(NAME)).unwrap();
    let (size, px) = pixels(&golden_png);
    let width = size.0 as usize;

    // The same picture, encoded otherwise: other bytes, same pixels.
    for alpha in [false, true] {
        let reencoded = encode(size, &px, alpha);
        assert_ne!(reencoded, golden_png);
        assert_eq!(golden_differs(NAME, &reencoded), None, "alpha {alpha}");
    }

    // Text drawn a little softer or sharper, as after a font-renderer
    // update: every pixel that is neither background nor bar moves by 20.
    let bars = [
        [255, 255, 255],
        [0xb1, 0x0e, 0x1e],
        [0xff, 0xbf, 0x47],
        [0x00, 0x70, 0x3c],
        [0xb1, 0xb4, 0xb6],
        [0x1d, 0x70, 0xb8],
    ];
    let softened: Vec<[u8; 3]> = px
        .iter()
        .map(|p| {
            if bars.contains(p) {
                *p
            } else {
                p.map(|c| if c < 128 { c + 20 } else { c - 20 })
            }
        })
        .collect();
    assert!(changed_pixels(&px, &softened) == 0 && softened != px);
    assert_eq!(golden_differs(NAME, &encode(size, &softened, false)), None);

    // The whole chart one pixel row lower.
    let mut lower = px[..width].to_vec();
    lower.extend_from_slice(&px[..px.len() - width]);
    let why = golden_differs(NAME, &encode(size, &lower, false)).expect("a shifted chart fails");
    assert!(why.contains("pixels changed"), "{why}");

    // Red bars drawn in another red.
    let recoloured: Vec<[u8; 3]> = px
        .iter()
        .map(|p| match p {
            [0xb1, 0x0e, 0x1e] => [0xd4, 0x35, 0x1c],
            _ => *p,
        })
        .collect();
    assert!(golden_differs(NAME, &encode(size, &recoloured, false)).is_some());

    // A picture of another size.
    let cropped = encode((size.0, size.1 - 1), &px[width..], false);
    let why = golden_differs(NAME, &cropped).expect("another size fails");
    assert!(why.contains("pixels, not"), "{why}");
}
