//! The board paper's style sheet: A4 print, tables that survive page
//! breaks, and a colour for each status.

use super::super::chart::{fill, ink};
use crate::plan::Status;
use maud::{Markup, PreEscaped, html};

const BASE_CSS: &str = "\
@page { size: A4; margin: 18mm 15mm 20mm; }
html { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.35; color: #0b0c0c; background: #fff; }
body { margin: 0; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.7rem; margin: 0 0 0.5rem; }
h1 .subtitle { display: block; font-size: 1.1rem; font-weight: normal; color: #383f43; }
h2 { font-size: 1.3rem; margin: 1.8rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 2px solid #0b0c0c; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 0.4rem 0 1rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.2rem 0; break-after: avoid; page-break-after: avoid; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #505a5f; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
thead th { background: #f3f2f1; }
tbody th { font-weight: bold; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.change { color: #383f43; font-size: 0.9em; white-space: nowrap; }
.total th, .total td { border-top: 2px solid #0b0c0c; font-weight: bold; }
.note { white-space: pre-line; }
.rag { font-weight: bold; }
span.rag { display: inline-block; padding: 0 0.3rem; border: 1px solid #0b0c0c; white-space: nowrap; }
.empty { font-style: italic; }
.alert { border-left: 6px solid #b10e1e; padding: 0.4rem 0.6rem; background: #fbe9ea; font-weight: bold; }
tr.unaddressed th, tr.unaddressed td { background: #fbe9ea; }
tr.unaddressed th { border-left: 6px solid #b10e1e; }
.flag { font-weight: bold; color: #8a0a16; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); border: 0; white-space: nowrap; }
@media print {
  html { font-size: 10pt; }
  main { max-width: none; padding: 0; }
}
";

/// The register's bands, as light tints that black text reads on; the
/// band's word is always printed in the cell too.
const REGISTER_CSS: &str = "\
.band-low { background: #cce2d8; }
.band-moderate { background: #fff2a8; }
.band-high { background: #fcc89b; }
.band-extreme { background: #f29a98; }
table.heat-map td { width: 16%; height: 3.2rem; }
.cell-band { display: block; font-size: 0.85em; }
";

/// The `<style>` element. Its text is ours, with no plan text in it, and is
/// not escaped: `<style>` holds raw text, where an entity would break a rule.
pub(super) fn style(register: bool) -> Markup {
    let mut css = String::from(BASE_CSS);
    let hex = |[r, g, b]: [u8; 3]| format!("#{r:02x}{g:02x}{b:02x}");
    for s in Status::ALL {
        css.push_str(&format!(
            ".rag-{} {{ background: {}; color: {}; }}\n",
            s.as_str().replace('_', "-"),
            hex(fill(s)),
            hex(ink(s))
        ));
    }
    // Only a paper with a register carries its rules, so a paper without
    // one reads as it always has.
    if register {
        css.push_str(REGISTER_CSS);
    }
    html! { style { "\n" (PreEscaped(css)) } "\n" }
}
