//! report.html: escaping, caps and no loads; its filters in headless Chromium (`report/html-...`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::harness::Status;
use mimi_conformance::provider::Fault;
use mimi_conformance::report::Report;

use crate::common::*;

/// Chromium, if this machine has it (`CHROMIUM` names another binary).
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser", "google-chrome"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// The DOM of `url` after its scripts ran, from headless Chromium (at most 60 s).
fn dump_dom(chromium: &Path, url: &str, profile: &Path) -> Result<String, Failed> {
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=2000", "--dump-dom", url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", chromium.display()))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("chromium did not finish {url} in 60 s").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().map_err(|_| "reader")?.map_err(|e| e.to_string().into())
}

/// The opening tag of the element whose id is `id` in a DOM dump.
fn tag_with_id<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    Some(&dom[start..=end])
}

/// The one result id of a report holding a hostile one.
fn r_id_of(report: &Report) -> Result<String, Failed> {
    report
        .results
        .iter()
        .find(|r| r.id.contains('"'))
        .map(|r| r.id.clone())
        .ok_or_else(|| "no hostile id".into())
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "report/html-escapes-hostile-strings-caps-transcripts-and-loads-nothing",
            html_escapes_hostile_strings_caps_transcripts_and_loads_nothing,
        ),
        Trial::test(
            "report/html-filters-and-a-failure-transcript-render-in-headless-chromium",
            html_filters_and_a_failure_transcript_render_in_headless_chromium,
        ),
    ]
}

fn html_escapes_hostile_strings_caps_transcripts_and_loads_nothing() -> Result<(), Failed> {
    let mut outcome = run_all(
        all_tests(ContentRev::Rev08),
        &reference(&[Fault::MessageIdWrongRevision]),
        &["content/3.3/message-id-example-o", "content/4.1/"],
    );
    outcome.results.retain(|r| r.status != Status::Skip);
    let hostile = "</pre><script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
    let r = outcome
        .results
        .iter_mut()
        .find(|r| r.status == Status::Fail)
        .ok_or("no failure")?;
    r.title = hostile.into();
    r.message = hostile.into();
    r.id = "content/3.3/x\"><script>alert(3)</script>".to_owned();
    r.transcript.notes.push(hostile.into());
    r.transcript
        .notes
        .push("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----".into());
    r.transcript.notes.push("y".repeat(200_000));
    let drafts = [("draft-ietf-mimi-content".to_owned(), "08".to_owned())].into();
    let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
    report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
    let page = mimi_conformance::report::html(&report, &catalogs());
    ensure(
        page.matches("<script").count() == 1,
        "a hostile string became a <script>",
    )?;
    ensure(
        !page.contains("<img") && !page.contains("</pre><"),
        "a hostile string became markup",
    )?;
    ensure(
        page.contains("&lt;script&gt;alert(1)"),
        "the hostile text is not shown escaped",
    )?;
    ensure(!page.contains("PRIVATE KEY-----"), "a private key is in the page")?;
    ensure(
        page.contains("bytes omitted") && page.len() < 200_000,
        format!("the transcript is not capped: {} bytes", page.len()),
    )?;
    // The anchor of the hostile id is one attribute value, escaped.
    let anchor = mimi_conformance::report::anchor(&r_id_of(&report)?);
    ensure(
        !anchor.contains('"')
            && !anchor.contains('<')
            && page.replace("&#x2f;", "/").contains(&format!("id=\"{anchor}\"")),
        format!("anchor {anchor}"),
    )?;
    // Self-contained: no attribute loads anything; every link is within the page.
    let outside: Vec<&str> = ["src=\"", "href=\"http", "href=\"//", "@import", "url("]
        .into_iter()
        .filter(|p| page.contains(p))
        .collect();
    ensure(outside.is_empty(), format!("the page loads {outside:?}"))
}

fn html_filters_and_a_failure_transcript_render_in_headless_chromium() -> Result<(), Failed> {
    let dir = temp_dir("html-chromium");
    let out = dir.join("out");
    let (code, stdout, stderr) = cli(&[
        "run",
        "-q",
        "--suite",
        "content",
        "--fault",
        "message-id-wrong-revision",
        "--filter",
        "content/3.3/message-id-example-",
        "--filter",
        "content/4.1/",
        "--out",
        out.to_str().ok_or("path")?,
    ]);
    ensure(
        code == 1 && stdout.contains("report.html"),
        format!("exit {code}\n{stdout}\n{stderr}"),
    )?;
    let page = out.join("report.html").canonicalize().map_err(|e| e.to_string())?;
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let results = json["results"].as_array().ok_or("results")?;
    let id_with = |status: &str| {
        results
            .iter()
            .find(|r| r["status"] == status)
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .ok_or(format!("no {status} result"))
    };
    let (failed, passed) = (id_with("fail")?, id_with("pass")?);
    let fails = results.iter().filter(|r| r["status"] == "fail").count();
    // The page as written, before any browser: the failure's anchor and transcript.
    let raw = std::fs::read_to_string(&page)
        .map_err(|e| e.to_string())?
        .replace("&#x2f;", "/");
    ensure(
        raw.contains(&format!("id=\"{}\"", mimi_conformance::report::anchor(&failed)))
            && raw.contains("in diagnostic notation"),
        format!("report.html lacks {failed} or its transcript"),
    )?;
    let Some(chromium) = chromium() else {
        eprintln!(
            "note: report/html-filters-...-in-headless-chromium checked report.html as text only: \
                         no chromium on PATH (apt-get install chromium; .ci/run installs it where apt-get works)"
        );
        return Ok(());
    };
    let url = format!("file://{}?status=fail", page.display());
    let dom = dump_dom(&chromium, &url, &dir.join("profile"))?;
    ensure(
        dom.contains("data-filters-ready="),
        format!("the page's script did not run: {}", &dom[..dom.len().min(400)]),
    )?;
    let anchor = mimi_conformance::report::anchor;
    let fail_tag = tag_with_id(&dom, &anchor(&failed)).ok_or(format!("no anchor for {failed}"))?;
    let pass_tag = tag_with_id(&dom, &anchor(&passed)).ok_or(format!("no anchor for {passed}"))?;
    ensure(
        !fail_tag.contains("hidden") && pass_tag.contains("hidden"),
        format!("?status=fail shows {fail_tag} and {pass_tag}"),
    )?;
    ensure(
        dom.contains(&format!("<span id=\"shown\">{fails}</span>")),
        format!("the counter does not say {fails}"),
    )?;
    // The failure's transcript: the exchange and its CBOR in diagnostic notation.
    let at = dom.find(fail_tag).ok_or("tag")?;
    let end = dom[at + 1..].find("<div class=\"r\"").map_or(dom.len(), |n| at + 1 + n);
    let block = &dom[at..end];
    ensure(
        block.contains("Transcript")
            && block.contains("→ content.messageId")
            && block.contains("in diagnostic notation")
            && block.contains("CONT-S08"),
        format!(
            "the transcript of {failed} did not render: {}",
            &block[..block.len().min(2000)]
        ),
    )?;
    // A link to one result shows it whatever the filters hide (?status=error: nothing else).
    let url = format!("file://{}?status=error#{}", page.display(), anchor(&failed));
    let dom = dump_dom(&chromium, &url, &dir.join("profile"))?;
    let fail_tag = tag_with_id(&dom, &anchor(&failed)).ok_or("no anchor")?;
    ensure(
        !fail_tag.contains("hidden") && dom.contains("<span id=\"shown\">1</span>"),
        format!("#{} with ?status=error: {fail_tag}", anchor(&failed)),
    )?;
    // The search box: ?q=<a passing id> shows that one result.
    let url = format!("file://{}?q={passed}", page.display());
    let dom = dump_dom(&chromium, &url, &dir.join("profile"))?;
    let pass_tag = tag_with_id(&dom, &anchor(&passed)).ok_or("no anchor")?;
    ensure(
        !pass_tag.contains("hidden") && dom.contains("<span id=\"shown\">1</span>"),
        format!("?q={passed}: {pass_tag}"),
    )
}
