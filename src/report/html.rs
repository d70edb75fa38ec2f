//! `index.html`: one self-contained page (inline SVG and CSS, no script, no
//! network) that prints on A4 or Letter. Every figure carries its exact value in a
//! `data-value` attribute beside the rounded text, so a reader (or a test) can
//! trace it to `report.json` and the CLI.

use super::Pack;
use super::sentences::{percent, thousands};
use crate::charts::escape;
use callboard_core::kpi::catalog::{Better, KPIS, Status, Unit};
use callboard_core::kpi::report::Row;
use std::fmt::Write;

const STYLE: &str = r#"
:root { --ink: #222; --muted: #666; --rule: #ddd; --good: #1b7a3d; --watch: #8a6d00; --poor: #b3261e; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px 32px; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 8px; }
.sub, footer, .note { color: var(--muted); font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--rule); }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: bold; }
.good { color: var(--good); } .watch { color: var(--watch); } .poor { color: var(--poor); } .unknown { color: var(--muted); }
.better { color: var(--good); } .worse { color: var(--poor); }
figure { margin: 0; }
figure svg { width: 100%; height: auto; border: 1px solid var(--rule); }
section.chart { break-inside: avoid; page-break-inside: avoid; }
ul.left-out { font-size: 14px; color: var(--muted); }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; }
  section.headline { break-after: page; page-break-after: always; }
  section.chart { break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// A value in its unit, rounded for reading.
pub fn shown(unit: Unit, v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(x) => match unit {
            Unit::Ratio => percent(x),
            Unit::Seconds => format!("{x:.1} s"),
            Unit::Count => thousands(x.round().max(0.0) as u64),
            Unit::PerHour => format!("{x:.2} /h"),
            Unit::Rings | Unit::Score | Unit::Currency => format!("{x:.2}"),
        },
    }
}

fn status_class(s: Status) -> &'static str {
    s.as_str()
}

/// The change from the previous period: arrow, amount, and whether it is better.
fn change(
    unit: Unit,
    better: Option<Better>,
    now: Option<f64>,
    before: Option<f64>,
) -> (String, &'static str) {
    let (Some(a), Some(b)) = (now, before) else {
        return ("–".into(), "");
    };
    let d = a - b;
    if d.abs() < 1e-12 {
        return ("= no change".into(), "");
    }
    let arrow = if d > 0.0 { "▲" } else { "▼" };
    let amount = match unit {
        Unit::Ratio => format!("{:+.1} pts", d * 100.0),
        _ if b.abs() > 1e-12 => format!("{:+.1} %", d / b.abs() * 100.0),
        _ => format!("{d:+.2}"),
    };
    let class = match better {
        Some(Better::Higher) if d > 0.0 => "better",
        Some(Better::Higher) => "worse",
        Some(Better::Lower) if d < 0.0 => "better",
        Some(Better::Lower) => "worse",
        _ => "",
    };
    (format!("{arrow} {amount}"), class)
}

fn number_attr(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v}"))
}

fn headline(out: &mut String, pack: &Pack) {
    let d = &pack.data;
    let now = d.total.rows.first();
    let before = d.previous.as_ref().and_then(|p| p.rows.first());
    out.push_str("<section class=\"headline\">\n<h2>Headline: the 23 KPIs against target");
    if d.previous.is_some() {
        out.push_str(" and the previous period");
    }
    out.push_str("</h2>\n");
    if let Some(row) = now {
        let c = &row.counts;
        let _ = writeln!(
            out,
            "<p class=\"sub\" id=\"counts\" data-total=\"{}\" data-answered=\"{}\" data-abandoned=\"{}\">{} calls: {} answered, {} abandoned, {} timed out, {} blocked, {} handled by the IVR.</p>",
            c.total,
            c.answered,
            c.abandoned,
            thousands(c.total),
            thousands(c.answered),
            thousands(c.abandoned),
            thousands(c.timeout),
            thousands(c.blocked),
            thousands(c.ivr)
        );
    }
    out.push_str("<table class=\"kpis\">\n<thead><tr><th>#</th><th>KPI</th><th class=\"num\">Value</th><th>Target</th><th>Status</th>");
    if before.is_some() {
        out.push_str("<th class=\"num\">Previous</th><th class=\"num\">Change</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for def in &KPIS {
        let pick =
            |r: Option<&Row>| r.and_then(|r| r.kpis.iter().find(|k| k.id == def.id).cloned());
        let Some(k) = pick(now) else { continue };
        let title = escape(&format!("{} — {}", def.definition, def.hints.join("; ")));
        let _ = write!(
            out,
            "<tr data-kpi=\"{}\"><td>{}</td><td title=\"{title}\">{}</td><td class=\"num\" data-value=\"{}\">{}</td><td>{}</td><td class=\"status {}\">{}</td>",
            def.id,
            def.number,
            escape(def.name),
            number_attr(k.value),
            shown(def.unit, k.value),
            escape(def.target_text),
            status_class(k.status),
            match (&k.reason, k.value) {
                (Some(reason), None) => format!("unknown ({})", escape(reason)),
                _ => k.status.as_str().to_string(),
            }
        );
        if before.is_some() {
            let prev = pick(before).and_then(|p| p.value);
            let (text, class) = change(def.unit, def.target.map(|t| t.better), k.value, prev);
            let _ = write!(
                out,
                "<td class=\"num\" data-previous=\"{}\">{}</td><td class=\"num {class}\">{text}</td>",
                number_attr(prev),
                shown(def.unit, prev)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    if !d.notes.is_empty() || !pack.left_out.is_empty() {
        out.push_str("<ul class=\"left-out\">\n");
        for n in &d.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        for (id, note) in &pack.left_out {
            let _ = writeln!(out, "<li data-left-out=\"{id}\">{}</li>", escape(note));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn tickets(out: &mut String, pack: &Pack) {
    let Some(t) = &pack.data.tickets else {
        return;
    };
    out.push_str("<section class=\"tickets\">\n<h2>Ticket SLAs</h2>\n");
    out.push_str("<table class=\"ticket-rules\"><thead><tr><th>Month</th><th>Rule</th><th class=\"num\">Met</th><th class=\"num\">Breached</th><th class=\"num\">Open</th><th class=\"num\">Compliance</th></tr></thead><tbody>\n");
    for r in &t.rows {
        let month = r
            .bucket_start
            .map(|b| {
                crate::charts::build::month_label(crate::charts::build::local_day(
                    b,
                    &t.settings.zone,
                ))
            })
            .unwrap_or_default();
        for (rule, c) in t.policy.rules.iter().zip(&r.rules) {
            if c.met + c.breached + c.open == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "<tr data-month=\"{}\" data-rule=\"{}\"><td>{month}</td><td>{}</td><td class=\"num\" data-met=\"{}\">{}</td><td class=\"num\" data-breached=\"{}\">{}</td><td class=\"num\" data-open=\"{}\">{}</td><td class=\"num\" data-compliance=\"{}\">{}</td></tr>",
                r.bucket_start
                    .map(callboard_core::time::format_timestamp)
                    .unwrap_or_default(),
                escape(&rule.id),
                escape(&rule.id.replace('_', " ")),
                c.met,
                thousands(c.met),
                c.breached,
                thousands(c.breached),
                c.open,
                thousands(c.open),
                number_attr(c.compliance()),
                c.compliance().map_or_else(|| "–".into(), percent),
            );
        }
    }
    out.push_str("</tbody></table>\n");
    let _ = writeln!(
        out,
        "<h3>Breaches</h3>\n<p id=\"breaches\" data-count=\"{}\">{} rule breaches by tickets created in the period{}.</p>",
        t.breaches.len(),
        thousands(t.breaches.len() as u64),
        if t.breaches.len() > 20 {
            "; the latest 20 below, all in report.json"
        } else {
            ""
        }
    );
    if !t.breaches.is_empty() {
        out.push_str("<table class=\"breaches\"><thead><tr><th>Ticket</th><th>Rule</th><th>Due</th><th class=\"num\">Late by</th></tr></thead><tbody>\n");
        let mut latest: Vec<_> = t.breaches.iter().collect();
        latest.sort_by_key(|b| std::cmp::Reverse(b.due_ms));
        for b in latest.iter().take(20) {
            let late_h = (b.by_ms as f64) / 3_600_000.0;
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{late_h:.1} h</td></tr>",
                escape(&b.ticket_id),
                escape(&b.rule.replace('_', " ")),
                callboard_core::time::format_timestamp(b.due_ms)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        out,
        "<h3>Recurring problems</h3>\n<p id=\"recurring\" data-count=\"{}\">{} places or units with the same problem reported again{}.</p>",
        t.recurring.len(),
        t.recurring.len(),
        if t.recurring.len() > 20 {
            "; the first 20 below"
        } else {
            ""
        }
    );
    if !t.recurring.is_empty() {
        out.push_str("<table class=\"recurring\"><thead><tr><th>Where</th><th>Category</th><th class=\"num\">Tickets</th><th>Ids</th></tr></thead><tbody>\n");
        // The most reported first.
        let mut worst: Vec<_> = t.recurring.iter().collect();
        worst.sort_by_key(|p| std::cmp::Reverse(p.ticket_ids.len()));
        for p in worst.iter().take(20) {
            let shown: Vec<&str> = p.ticket_ids.iter().take(8).map(String::as_str).collect();
            let more = p.ticket_ids.len().saturating_sub(shown.len());
            let _ = writeln!(
                out,
                "<tr><td>{} {}</td><td>{}</td><td class=\"num\">{}</td><td>{}{}</td></tr>",
                escape(p.level),
                escape(&p.unit),
                escape(&p.category),
                p.ticket_ids.len(),
                escape(&shown.join(", ")),
                if more > 0 {
                    format!(" … and {more} more")
                } else {
                    String::new()
                }
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

/// The heading over a chart (the chart carries its own full title).
fn section_name(id: &str) -> &'static str {
    match id {
        "contacts_per_day" => "Contacts",
        "service_level_per_day" => "Service level",
        "service_level_by_hour" => "Service level on the worst day",
        "required_vs_scheduled" => "Staffing on that day",
        "asa_and_aht_per_day" => "Speed of answer and handle time",
        "abandon_per_day" => "Abandoned calls",
        "offered_heatmap" => "When calls arrive",
        "forecast_vs_actual" => "Forecast against actual",
        "agent_time_per_week" => "Occupancy, adherence, attendance and shrinkage",
        "agents_scatter" => "Agents",
        "ticket_compliance" => "Ticket SLA compliance",
        _ => "Chart",
    }
}

/// The page, with each figure's SVG (`svgs`, in `pack.figures` order) inline.
pub fn page(pack: &Pack, svgs: &[String]) -> String {
    let d = &pack.data;
    let period = crate::charts::build::period_words(&d.total);
    let mut out = String::with_capacity(64 * 1024 + svgs.iter().map(String::len).sum::<usize>());
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>Contact-centre review, {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>Contact-centre review: {}</h1>\n<p class=\"sub\">{} · {}{} · service level counts calls answered within {} s</p>\n</header>\n",
        escape(&period),
        escape(&period),
        escape(&pack.centre),
        if d.query.queue.is_empty() {
            "all queues".to_string()
        } else {
            format!("queues: {}", escape(&d.query.queue.join(", ")))
        },
        d.previous
            .as_ref()
            .map(|p| format!(
                " · compared with {}",
                escape(&crate::charts::build::period_words(p))
            ))
            .unwrap_or_default(),
        d.total.settings.calls.sl_seconds
    );
    headline(&mut out, pack);
    for (f, svg) in pack.figures.iter().zip(svgs) {
        let _ = write!(
            out,
            "<section class=\"chart\" id=\"{}\">\n<h2>{}</h2>\n<figure>\n{svg}\n<figcaption>",
            f.chart.id,
            section_name(f.chart.id)
        );
        for s in &f.sentences {
            let _ = write!(out, "<p>{}</p>", escape(s));
        }
        out.push_str("</figcaption>\n</figure>\n</section>\n");
    }
    tickets(&mut out, pack);
    let _ = write!(
        out,
        "<footer><p>Made by callboard {} from the store's calls{}. report.json holds every number on this page; kpis.xlsx the tables.</p></footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        if d.tickets.is_some() {
            " and tickets"
        } else {
            ""
        }
    );
    out
}
