//! `matrix`: several `report.json` files set side by side as an interop matrix, in HTML
//! (self-contained) and Markdown. One table per draft and revision: each draft section a row,
//! each implementation a column, each cell the worst status with the counts and a link into that
//! implementation's `report.html`. Reports that tested another revision of a draft are shown in
//! that revision's own table, never merged. Reports are read back by [`super::read_report`], as
//! `diff` and `merge` read them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use minijinja::{Environment, context};

use super::{anchor, html::section_anchor, section_key, severity};
use crate::harness::{IutRole, Status};

/// A report file that cannot be used; `message` says why.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct MatrixError {
    pub path: String,
    pub message: String,
}

/// One result of a report read back: its id and status.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    status: Status,
    role: Option<IutRole>,
}

/// One report read back.
#[derive(Debug, Clone)]
pub struct Loaded {
    path: PathBuf,
    /// `iut.name iut.version`, made unique among the reports when two share it.
    label: String,
    driver: String,
    mode: String,
    finished: bool,
    drafts: BTreeMap<String, String>,
    results: Vec<Row>,
}

/// The matrix in both formats.
pub struct Matrix {
    pub html: String,
    pub markdown: String,
    /// How many tables (draft revisions) it has.
    pub tables: usize,
}

/// Reads one report.json (or the directory holding it).
pub fn load(path: &Path) -> Result<Loaded, MatrixError> {
    let report = super::read_report(path).map_err(|e| MatrixError {
        path: format!(
            "{}{}",
            e.path,
            e.at.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default()
        ),
        message: e.message,
    })?;
    let (label, driver, mode) = match &report.iut {
        Some(i) => (
            format!("{} {}", i.name, i.version).trim().to_owned(),
            i.driver.clone(),
            i.mode.as_str().to_owned(),
        ),
        None => ("(no implementation recorded)".to_owned(), String::new(), String::new()),
    };
    Ok(Loaded {
        path: if path.is_dir() {
            path.join("report.json")
        } else {
            path.to_owned()
        },
        label,
        driver,
        mode,
        finished: report.finished.is_some(),
        drafts: report.drafts,
        results: report
            .results
            .into_iter()
            .map(|r| Row {
                id: r.id,
                status: r.status,
                role: r.role,
            })
            .collect(),
    })
}

/// `p` as an absolute path without `..` or symbolic links where it exists, else as given made absolute.
fn real(p: &Path) -> PathBuf {
    p.canonicalize()
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_owned())
}

/// `to` relative to the directory `from`, `/`-separated and percent-encoded for an href.
fn relative(from: &Path, to: &Path) -> String {
    use std::path::Component;
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); a.len() - common];
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'+')
        .remove(b'@');
    parts.extend(
        b[common..]
            .iter()
            .map(|c| percent_encoding::utf8_percent_encode(&c.as_os_str().to_string_lossy(), SEGMENT).to_string()),
    );
    parts.join("/")
}

#[derive(serde::Serialize)]
struct Cell {
    worst: &'static str,
    counts: String,
    href: String,
}

/// One implementation's scenario results by the role it played.
#[derive(serde::Serialize)]
struct RoleRow {
    label: String,
    hub: Option<Cell>,
    follower: Option<Cell>,
}

#[derive(serde::Serialize)]
struct TableRow {
    section: String,
    title: String,
    cells: Vec<Option<Cell>>,
}

#[derive(serde::Serialize)]
struct Table {
    doc: String,
    rev: String,
    /// Indices into the reports: the columns.
    columns: Vec<usize>,
    rows: Vec<TableRow>,
}

#[derive(serde::Serialize)]
struct Column {
    label: String,
    file: String,
    driver: String,
    mode: String,
    finished: bool,
    drafts: String,
    summary: String,
    html: String,
}

fn counts_text(statuses: &[Status]) -> String {
    let mut by: BTreeMap<Status, usize> = BTreeMap::new();
    for s in statuses {
        *by.entry(*s).or_default() += 1;
    }
    by.iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The drafts a report's results that ran belong to.
fn tested(r: &Loaded) -> BTreeSet<&'static str> {
    r.results
        .iter()
        .filter(|x| x.status != Status::Skip)
        .filter_map(|x| crate::suites::draft_of(x.id.split('/').next().unwrap_or("")))
        .collect()
}

/// Sets `reports` side by side; links are relative to `out` (the matrix's directory).
pub fn render(reports: &[Loaded], out: &Path, catalogs: &crate::spec::Catalogs) -> Matrix {
    // Two reports of one implementation are told apart by their file.
    let dir_of = |r: &Loaded| {
        let abs = real(&r.path);
        abs.parent()
            .and_then(Path::file_name)
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut labels: Vec<String> = reports.iter().map(|r| r.label.clone()).collect();
    for i in 0..labels.len() {
        let same: Vec<&Loaded> = reports.iter().filter(|r| r.label == reports[i].label).collect();
        if same.len() > 1 {
            // By the report's directory, or its whole path where directories share a name.
            let dir = dir_of(&reports[i]);
            let place = if same.iter().filter(|r| dir_of(r) == dir).count() > 1 {
                reports[i].path.display().to_string()
            } else {
                dir
            };
            labels[i] = format!("{} ({place})", reports[i].label);
        }
    }
    let out_abs = real(out);
    let page_of = |r: &Loaded| {
        let json = real(&r.path);
        relative(&out_abs, &json.with_file_name("report.html"))
    };
    // (doc, rev) → report index → section → results.
    type Cells<'a> = BTreeMap<usize, BTreeMap<String, Vec<&'a Row>>>;
    let mut tables: BTreeMap<(String, String), Cells> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        for row in r.results.iter().filter(|x| x.status != Status::Skip) {
            let (doc, rev, short, section) = super::placed(&row.id, &r.drafts);
            tables
                .entry((doc, rev.unwrap_or_else(|| "?".into())))
                .or_default()
                .entry(i)
                .or_default()
                .entry(format!("{short}/{section}"))
                .or_default()
                .push(row);
        }
    }
    let tables: Vec<Table> = tables
        .into_iter()
        .map(|((doc, rev), by_report)| {
            let columns: Vec<usize> = by_report.keys().copied().collect();
            let mut sections: Vec<String> = by_report
                .values()
                .flat_map(|s| s.keys().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            sections.sort_by_key(|k| section_key(k.split_once('/').map_or("", |(_, s)| s)));
            let rows = sections
                .iter()
                .map(|key| {
                    let (short, section) = key.split_once('/').unwrap_or(("", key));
                    let cells = columns
                        .iter()
                        .map(|i| {
                            let rows = by_report[i].get(key)?;
                            cell(rows, &page_of(&reports[*i]), &section_anchor(short, section))
                        })
                        .collect();
                    TableRow {
                        title: catalogs.section_title(&doc, section).unwrap_or_default().to_owned(),
                        section: section.to_owned(),
                        cells,
                    }
                })
                .collect();
            Table {
                doc,
                rev,
                columns,
                rows,
            }
        })
        .collect();
    let columns: Vec<Column> = reports
        .iter()
        .zip(&labels)
        .map(|(r, label)| Column {
            label: label.clone(),
            file: r.path.display().to_string(),
            driver: r.driver.clone(),
            mode: r.mode.clone(),
            finished: r.finished,
            drafts: r
                .drafts
                .iter()
                .filter(|(d, _)| tested(r).contains(d.as_str()))
                .map(|(d, v)| format!("{d}-{v}"))
                .collect::<Vec<_>>()
                .join(", "),
            summary: counts_text(&r.results.iter().map(|x| x.status).collect::<Vec<_>>()),
            html: page_of(r),
        })
        .collect();
    let roles: Vec<RoleRow> = reports
        .iter()
        .zip(&labels)
        .map(|(r, label)| {
            let played = |role| {
                let rows: Vec<&Row> = r
                    .results
                    .iter()
                    .filter(|x| x.status != Status::Skip && x.role == Some(role))
                    .collect();
                cell(&rows, &page_of(r), "")
            };
            RoleRow {
                label: label.clone(),
                hub: played(IutRole::Hub),
                follower: played(IutRole::Follower),
            }
        })
        .collect();
    let roles_note = "The scenarios each implementation ran, by the role it played in them (report.json records \
                      it per result). In every scenario the other roles are the suite's simulated providers; \
                      a deployment of two outside implementations, one the hub and one a follower, is not yet \
                      supported.";
    let markdown = markdown(&tables, &columns, &roles, roles_note);
    let mut env = Environment::new();
    env.add_template("matrix.html", HTML)
        .expect("the matrix template parses");
    let html = env
        .get_template("matrix.html")
        .expect("template")
        .render(context! {
            tables => minijinja::Value::from(minijinja::value::Serde(&tables)),
            columns => minijinja::Value::from(minijinja::value::Serde(&columns)),
            roles => minijinja::Value::from(minijinja::value::Serde(&roles)),
            roles_note,
        })
        .expect("the matrix template renders");
    Matrix {
        html,
        markdown,
        tables: tables.len(),
    }
}

/// The worst status of `rows`, their counts, and a link into `page`: to the first result with
/// that status, or to `fallback` when all passed (`fallback` empty: the page itself).
fn cell(rows: &[&Row], page: &str, fallback: &str) -> Option<Cell> {
    let statuses: Vec<Status> = rows.iter().map(|r| r.status).collect();
    let worst = statuses.iter().copied().max_by_key(|s| severity(*s))?;
    let target = match worst {
        Status::Pass | Status::Unsupported | Status::Skip => fallback.to_owned(),
        w => rows
            .iter()
            .find(|r| r.status == w)
            .map_or_else(|| fallback.to_owned(), |r| anchor(&r.id)),
    };
    Some(Cell {
        worst: worst.as_str(),
        counts: counts_text(&statuses),
        href: if target.is_empty() {
            page.to_owned()
        } else {
            format!("{page}#{target}")
        },
    })
}

/// Text safe in a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(tables: &[Table], columns: &[Column], roles: &[RoleRow], roles_note: &str) -> String {
    let mut out = String::from("# mimi-conformance interop matrix\n\n");
    out.push_str("| Implementation | Report | Drafts | Results |\n|---|---|---|---|\n");
    for c in columns {
        out.push_str(&format!(
            "| {}{} | [{}]({}) | {} | {} |\n",
            md(&c.label),
            if c.finished { "" } else { " (unfinished)" },
            md(&c.file),
            c.html,
            md(&c.drafts),
            md(&c.summary)
        ));
    }
    for t in tables {
        out.push_str(&format!("\n## {}-{}\n\n| § | Section |", t.doc, t.rev));
        for i in &t.columns {
            out.push_str(&format!(" {} |", md(&columns[*i].label)));
        }
        out.push_str("\n|---|---|");
        out.push_str(&"---|".repeat(t.columns.len()));
        out.push('\n');
        for r in &t.rows {
            out.push_str(&format!("| {} | {} |", md(&r.section), md(&r.title)));
            for c in &r.cells {
                match c {
                    Some(c) => out.push_str(&format!(" [**{}** ({})]({}) |", c.worst, c.counts, c.href)),
                    None => out.push_str(" — |"),
                }
            }
            out.push('\n');
        }
    }
    out.push_str("\n## Roles\n\n");
    out.push_str(roles_note);
    out.push_str("\n\n| Implementation | as hub | as follower |\n|---|---|---|\n");
    let md_cell = |c: &Option<Cell>| match c {
        Some(c) => format!("[**{}** ({})]({})", c.worst, c.counts, c.href),
        None => "—".to_owned(),
    };
    for r in roles {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            md(&r.label),
            md_cell(&r.hub),
            md_cell(&r.follower)
        ));
    }
    out
}

const HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>mimi-conformance interop matrix</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 90rem; padding: 0 1rem 3rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; } th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td a { text-decoration: none; color: inherit; display: block; } .c { font-size: 12px; color: #444; }
.st-pass { background: #d9f2dd; } .st-fail, .st-error, .st-timeout, .st-xpass { background: #f8d0cf; } .st-xfail { background: #fbeac0; } .st-unsupported, .st-skip { background: #e6e6e6; }
code { font: 12px ui-monospace, monospace; } .muted { color: #666; }
</style>
</head>
<body>
<h1>mimi-conformance interop matrix</h1>
<table>
<tr><th>Implementation</th><th>Report</th><th>Driver · mode</th><th>Drafts</th><th>Results</th></tr>
{% for c in columns %}<tr><td>{{ c.label }}{% if not c.finished %} <b>(unfinished)</b>{% endif %}</td><td><a href="{{ c.html }}">{{ c.file }}</a></td><td><code>{{ c.driver }}</code> · {{ c.mode }}</td><td>{{ c.drafts }}</td><td>{{ c.summary }}</td></tr>
{% endfor %}</table>
<p class="muted">One table per draft revision: a report that tested another revision is in that revision's table. Each cell: the worst status of the section's tests that ran, their counts, and a link to the first test with that status (or to the section) in that implementation's report.html.</p>
{% for t in tables %}
<h2 id="{{ t.doc }}-{{ t.rev }}">{{ t.doc }}-{{ t.rev }}</h2>
<table>
<tr><th>§</th><th>Section</th>{% for i in t.columns %}<th>{{ columns[i].label }}</th>{% endfor %}</tr>
{% for r in t.rows %}<tr><td>{{ r.section }}</td><td>{{ r.title }}</td>{% for c in r.cells %}{% if c %}<td class="st-{{ c.worst }}"><a href="{{ c.href }}"><b>{{ c.worst }}</b> <span class="c">{{ c.counts }}</span></a></td>{% else %}<td class="muted">—</td>{% endif %}{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}
<h2>Roles</h2>
<p class="muted">{{ roles_note }}</p>
<table>
<tr><th>Implementation</th><th>as hub</th><th>as follower</th></tr>
{% for r in roles %}<tr><td>{{ r.label }}</td>{% for c in [r.hub, r.follower] %}{% if c %}<td class="st-{{ c.worst }}"><a href="{{ c.href }}"><b>{{ c.worst }}</b> <span class="c">{{ c.counts }}</span></a></td>{% else %}<td class="muted">—</td>{% endif %}{% endfor %}</tr>
{% endfor %}</table>
</body>
</html>
"#;

/// Reads `paths`, renders the matrix and writes `matrix.html` and `matrix.md` into `out`.
pub fn write(
    paths: &[PathBuf],
    out: &Path,
    catalogs: &crate::spec::Catalogs,
) -> Result<(Matrix, [PathBuf; 2]), MatrixError> {
    let reports = paths.iter().map(|p| load(p)).collect::<Result<Vec<_>, _>>()?;
    std::fs::create_dir_all(out).map_err(|e| MatrixError {
        path: out.display().to_string(),
        message: format!("cannot create: {e}"),
    })?;
    let m = render(&reports, out, catalogs);
    let files = [out.join("matrix.html"), out.join("matrix.md")];
    for (f, text) in files.iter().zip([&m.html, &m.markdown]) {
        std::fs::write(f, text).map_err(|e| MatrixError {
            path: f.display().to_string(),
            message: format!("cannot write: {e}"),
        })?;
    }
    Ok((m, files))
}
