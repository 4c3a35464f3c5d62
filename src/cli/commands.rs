//! What each subcommand does, and the exit code it ends with.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Exit, IutArgs, Rev, Role};
use crate::codec::content::ContentRev;
use crate::driver::Driver;
use crate::harness::run::Selection;
use crate::harness::scenario::{BuiltinIut, IutEndpoint, IutRole, OutsideIut};
use crate::harness::{Expectations, RunError, RunPlan, Status, Test};
use crate::provider::{Fault, FaultSet, Reference};
use crate::report::{Report, ReportWriter};
use crate::spec::Catalogs;
use crate::suites::{self, SUITES};
use crate::vectors::VectorFile;

/// A command that cannot go on: what to print and how to exit.
pub(super) struct Stop(pub(super) Exit, pub(super) String);

pub(super) type Outcome = Result<Exit, Stop>;

pub(super) fn rev(r: Rev) -> ContentRev {
    match r {
        Rev::R08 => ContentRev::Rev08,
        Rev::R07 => ContentRev::Rev07,
    }
}

pub(super) fn catalogs() -> Result<Arc<Catalogs>, Stop> {
    Catalogs::embedded()
        .map(Arc::new)
        .map_err(|e| Stop(Exit::Usage, e.to_string()))
}

pub(super) fn embedded_vectors() -> Result<Vec<VectorFile>, Stop> {
    VectorFile::embedded().map_err(|e| Stop(Exit::Usage, e.to_string()))
}

/// The draft revisions a run covers, as the report records them.
fn drafts(rev: ContentRev) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("draft-ietf-mimi-content".to_owned(), rev.as_str().to_owned()),
        ("draft-mahy-mimi-message-status".to_owned(), "01".to_owned()),
        ("draft-ietf-mimi-protocol".to_owned(), "06".to_owned()),
        ("draft-ietf-mimi-room-policy".to_owned(), "03".to_owned()),
    ])
}

fn faults(names: &[String]) -> Result<FaultSet, Stop> {
    names
        .iter()
        .map(|n| {
            Fault::from_name(n).ok_or_else(|| {
                let known: Vec<String> = Fault::all().iter().map(Fault::name).collect();
                Stop(
                    Exit::Usage,
                    format!("--fault {n:?} is not a fault; known: {}", known.join(", ")),
                )
            })
        })
        .collect()
}

/// `--iut-url` and `--iut-role`: where an implementation outside the process has its MIMI
/// endpoints (resolved once), and which scenarios it plays.
async fn outside(iut: &IutArgs) -> Result<Option<IutEndpoint>, Stop> {
    let Some(url) = &iut.iut_url else {
        if iut.iut_role != Role::Any {
            return Err(Stop(Exit::Usage, "--iut-role goes with --iut-url".into()));
        }
        return Ok(None);
    };
    if iut.iut_driver.is_none() && iut.iut_driver_cmd.is_none() {
        return Err(Stop(
            Exit::Usage,
            "--iut-url needs the implementation's driver: --iut-driver or --iut-driver-cmd".into(),
        ));
    }
    let parsed = reqwest::Url::parse(url).ok().filter(|u| {
        u.scheme() == "https" && u.host_str().is_some() && matches!(u.path(), "" | "/") && u.query().is_none()
    });
    let Some(parsed) = parsed else {
        return Err(Stop(Exit::Usage, format!("--iut-url {url:?} is not https://host:port")));
    };
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addr = tokio::net::lookup_host((host, port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            Stop(
                Exit::Unreachable,
                format!("--iut-url {url:?}: {host} resolves to no address"),
            )
        })?;
    let role = match iut.iut_role {
        Role::Hub => IutRole::Hub,
        Role::Follower => IutRole::Follower,
        Role::Any => IutRole::Any,
    };
    // The mode is the implementation's to say (`capabilities`); the run reads it there.
    let mode = crate::driver::messages::Mode::default();
    Ok(Some(IutEndpoint::Outside(OutsideIut {
        addr,
        role,
        mode,
        grants_consent: false,
    })))
}

/// The implementation under test: its driver, and where scenarios reach its HTTPS side.
pub(super) async fn driver(iut: &IutArgs, catalogs: &Arc<Catalogs>) -> Result<(Driver, Option<IutEndpoint>), Stop> {
    let outside = outside(iut).await?;
    match (&iut.iut_driver, &iut.iut_driver_cmd) {
        (Some(url), _) => {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => {
                    return Err(Stop(
                        Exit::Usage,
                        format!("--iut-driver {url:?} is not an http:// or https:// URL"),
                    ));
                }
            }
            Ok((
                Driver::http(url).map_err(|e| Stop(Exit::Unreachable, e.to_string()))?,
                outside,
            ))
        }
        (_, Some(cmd)) => Ok((
            Driver::stdio(cmd).map_err(|e| Stop(Exit::Unreachable, e.to_string()))?,
            outside,
        )),
        (None, None) => {
            let reference = Reference::new(rev(iut.content_rev), faults(&iut.fault)?, catalogs.clone());
            let iut = BuiltinIut::new(reference);
            Ok((iut.driver, Some(iut.endpoint)))
        }
    }
}

/// `--timeout` times `--timeout-factor`.
pub(super) fn timeout(iut: &IutArgs) -> Result<Duration, Stop> {
    if !(iut.timeout_factor.is_finite() && iut.timeout_factor > 0.0) {
        return Err(Stop(
            Exit::Usage,
            format!("--timeout-factor {} is not a positive number", iut.timeout_factor),
        ));
    }
    // A day: longer is a typo, not a slow implementation.
    const MAX: f64 = 86_400.0;
    let secs = iut.timeout * iut.timeout_factor;
    if secs > MAX {
        return Err(Stop(
            Exit::Usage,
            format!(
                "--timeout {} × --timeout-factor {} is over a day ({MAX} s)",
                iut.timeout, iut.timeout_factor
            ),
        ));
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            Stop(
                Exit::Usage,
                format!("--timeout {} is not a positive number of seconds", iut.timeout),
            )
        })
}

/// `--jobs` (checked by clap), or the number of cores.
pub(super) fn jobs(given: Option<usize>) -> usize {
    given.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// The tests of `suites` (default: all), with the scenarios under `dirs` (default: the built-in
/// ones).
fn build(
    suites: &[String],
    files: &[VectorFile],
    dirs: &[PathBuf],
    catalogs: &Catalogs,
    rev: ContentRev,
) -> Result<Vec<Test>, Stop> {
    let suites: Vec<String> = if suites.is_empty() {
        SUITES.iter().map(|s| s.to_string()).collect()
    } else {
        suites.to_vec()
    };
    let bad = |e: crate::harness::scenario::ScenarioError| Stop(Exit::Usage, e.to_string());
    let scenarios = if dirs.is_empty() {
        crate::harness::scenario::embedded().map_err(bad)?
    } else {
        let mut all = Vec::new();
        for d in dirs {
            all.extend(crate::harness::scenario::from_dir(d).map_err(bad)?);
        }
        all
    };
    suites::build(&suites, files, &scenarios, catalogs, rev).map_err(|e| Stop(Exit::Usage, e.to_string()))
}

pub(super) fn run_error(e: RunError) -> Stop {
    match e {
        RunError::NothingSelected(_) => Stop(Exit::NothingSelected, e.to_string()),
        RunError::Unreachable(_) => Stop(Exit::Unreachable, e.to_string()),
        RunError::BadFilter(..) => Stop(Exit::Usage, e.to_string()),
    }
}

pub(super) fn print_result(r: &crate::harness::TestResult) {
    println!("{:<11} {}", r.status.as_str().to_uppercase(), r.id);
    if !matches!(r.status, Status::Pass | Status::Skip) {
        for line in r.message.lines().filter(|l| !l.is_empty()) {
            println!("            {line}");
        }
    }
}

pub(super) async fn cmd_run(a: super::RunArgs) -> Outcome {
    let catalogs = catalogs()?;
    let rev = rev(a.iut.content_rev);
    let mut tests = build(&a.suite, &embedded_vectors()?, &a.scenarios, &catalogs, rev)?;
    let expectations = match &a.expectations {
        Some(p) => Expectations::read(p).map_err(|e| Stop(Exit::Usage, e.to_string()))?,
        None => Expectations::default(),
    };
    for e in &expectations.entries {
        if !tests.iter().any(|t| e.matches(&t.id)) {
            eprintln!("warning: expectations entry {:?} matches no test", e.pattern);
        }
    }
    // --partition K/N and the progress line (src/harness/partition.rs, src/cli/progress.rs).
    let selection = Selection::parse(&a.filter).map_err(run_error)?;
    if let Some(p) = a.partition {
        if !tests.iter().any(|t| selection.selects(&t.id)) {
            return Err(run_error(RunError::NothingSelected(a.filter.clone())));
        }
        tests = p
            .shard(tests, |id| selection.selects(id))
            .map_err(|e| Stop(Exit::Usage, format!("--partition {e}")))?;
    }
    let selected = tests.iter().filter(|t| selection.selects(&t.id)).count();
    let mut progress = super::progress::Progress::stderr("tests", "failed", selected, a.quiet);
    let (driver, iut_endpoint) = driver(&a.iut, &catalogs).await?;
    let plan = RunPlan {
        tests,
        filters: a.filter.clone(),
        expectations,
        timeout: timeout(&a.iut)?,
        iut_endpoint,
        jobs: jobs(a.iut.jobs),
    };
    let mut report = Report::new(drafts(rev), SystemTime::now());
    report.strict = a.strict;
    report.partition = a.partition;
    let mut writer =
        ReportWriter::create(&a.out, report).map_err(|e| Stop(Exit::Usage, format!("cannot write the report: {e}")))?;
    writer.set_budget(a.report_max << 20);
    let mut write_error = None;
    let outcome = crate::harness::run::run_until(plan, &driver, a.deadline, |iut, r| {
        if !a.quiet && r.status != Status::Skip {
            progress.clear();
            print_result(r);
        }
        if let Err(e) = writer.record(iut, r) {
            write_error.get_or_insert(e);
        }
        if selection.selects(&r.id) {
            progress.advance(&r.id, r.status.is_unexpected());
        }
    })
    .await;
    progress.finish();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            let stop = run_error(e);
            writer
                .abort(&stop.1)
                .map_err(|e| Stop(Exit::Usage, format!("cannot write the report: {e}")))?;
            return Err(stop);
        }
    };
    if let Some(e) = write_error {
        return Err(Stop(Exit::Usage, format!("cannot write the report: {e}")));
    }
    let report = writer
        .finish(&outcome, &catalogs)
        .map_err(|e| Stop(Exit::Usage, format!("cannot write the report: {e}")))?;
    let counts = crate::report::counts_line(&report.summary);
    println!(
        "\n{} against {} ({}, {}): {} ({} of {} executed)",
        if a.suite.is_empty() {
            SUITES.join("+")
        } else {
            a.suite.join("+")
        },
        outcome.iut.name,
        outcome.iut.driver,
        outcome.iut.mode.as_str(),
        counts,
        outcome.executed(),
        outcome.results.len()
    );
    if let Some(line) = crate::report::weights_line(&report.failures) {
        println!("{line}");
    }
    if let Some(why) = &outcome.aborted {
        eprintln!("aborted: {why}");
    }
    if let Some(p) = a.partition {
        println!("shard {p}: {selected} of the selected tests (merge the shards' reports with `merge`)");
    }
    println!(
        "report: {}",
        ["report.json", "report.md", "junit.xml", "report.html"]
            .map(|f| a.out.join(f).display().to_string())
            .join(", ")
    );
    Ok(if outcome.blocks(a.strict) {
        Exit::Unexpected
    } else if outcome.executed() == 0 {
        eprintln!("error: no selected test was carried out (each is skip or unsupported): this is not a pass");
        Exit::NothingExecuted
    } else {
        Exit::Ok
    })
}

/// Writes to stdout, ending quietly if the reader went away (`list | head`).
pub(super) fn write_stdout(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

pub(super) fn cmd_list(a: super::ListArgs) -> Outcome {
    let catalogs = catalogs()?;
    let tests = build(
        &a.suite,
        &embedded_vectors()?,
        &a.scenarios,
        &catalogs,
        ContentRev::Rev08,
    )?;
    let selection = Selection::parse(&a.filter).map_err(run_error)?;
    let mut out = String::new();
    if a.requirements {
        for c in &catalogs.catalogs {
            for r in &c.requirements {
                let ids: Vec<&str> = tests
                    .iter()
                    .filter(|t| t.spec.iter().any(|s| s.req == r.id || r.parts.contains(&s.req)))
                    .map(|t| t.id.as_str())
                    .collect();
                let how = match (ids.len(), &r.deferred, &r.reason) {
                    (0, Some(d), _) => format!("deferred: {d}"),
                    (0, None, Some(why)) => format!("untestable: {why}"),
                    (0, None, None) => "NOT YET TESTED".to_owned(),
                    (n, _, _) => format!("{n} tests"),
                };
                out.push_str(&format!(
                    "{:<9} {}-{} §{:<6} {:<6} {}\n",
                    r.id, c.doc, c.rev, r.section, r.level, how
                ));
            }
        }
        write_stdout(&out);
        return Ok(Exit::Ok);
    }
    let mut n = 0;
    for t in tests.iter().filter(|t| selection.selects(&t.id)) {
        n += 1;
        let mut parts = t.id.splitn(3, '/');
        let (short, section) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let doc = crate::suites::draft_of(short).unwrap_or(short);
        let rev = catalogs
            .catalogs
            .iter()
            .find(|c| c.doc == doc)
            .map_or("", |c| c.rev.as_str());
        let reqs: Vec<String> = t.spec.iter().map(|s| format!("{} {}", s.req, s.level)).collect();
        out.push_str(&format!("{:<58} {doc}-{rev} §{section:<5} {}\n", t.id, reqs.join(", ")));
    }
    write_stdout(&out);
    if n == 0 {
        return Err(run_error(crate::harness::RunError::NothingSelected(a.filter.clone())));
    }
    Ok(Exit::Ok)
}

pub(super) async fn cmd_selftest(a: super::SelftestArgs) -> Outcome {
    let catalogs = catalogs()?;
    let rev = rev(a.content_rev);
    let tests = build(&[], &embedded_vectors()?, &[], &catalogs, rev)?;
    let search = if a.first_catch {
        crate::selftest::Search::FirstCatch
    } else {
        crate::selftest::Search::Exhaustive
    };
    // The progress line: faults tried of all, those no test caught so far, the fault at hand.
    let mut progress = super::progress::Progress::stderr("faults", "missed", Fault::all().len(), false);
    let report = crate::selftest::selftest_observed(&tests, catalogs, rev, search, |step| match step {
        crate::selftest::Step::Baseline => progress.at("baseline (no fault)"),
        crate::selftest::Step::Trying(f) => progress.at(&f.name()),
        crate::selftest::Step::Tried(f, caught) => progress.advance(&f.name(), !caught),
    })
    .await;
    progress.finish();
    print!("{}", crate::selftest::render(&report));
    Ok(if report.ok() { Exit::Ok } else { Exit::Unexpected })
}

pub(super) async fn cmd_driver(a: super::DriverArgs) -> Outcome {
    let catalogs = catalogs()?;
    let mode = match a.mode {
        super::DriverMode::FullClient => crate::driver::messages::Mode::FullClient,
        super::DriverMode::ServerOnly => crate::driver::messages::Mode::ServerOnly,
    };
    let mut reference = Reference::new(rev(a.content_rev), faults(&a.fault)?, catalogs).with_mode(mode);
    if a.require_consent {
        reference = reference.with_consent_required();
    }
    if let Some(prefix) = a.endpoint_prefix {
        // Once per process: the prefix lives as long as the server.
        reference = reference.with_endpoint_prefix(Box::leak(prefix.into_boxed_str()));
    }
    if let Some(addr) = a.mimi_listen {
        // Bound now, so that a port taken is said at once and port 0 is known before any call.
        let socket = std::net::TcpListener::bind(addr).map_err(|e| {
            Stop(
                Exit::Unreachable,
                format!("cannot listen on {addr} (--mimi-listen): {e}"),
            )
        })?;
        let bound = socket
            .local_addr()
            .map_err(|e| Stop(Exit::Unreachable, format!("--mimi-listen {addr}: {e}")))?;
        reference = reference
            .with_mimi_listener(socket)
            .map_err(|e| Stop(Exit::Unreachable, format!("--mimi-listen {addr}: {e}")))?;
        // stdout is the protocol channel of --stdio.
        let line = format!("MIMI endpoints on https://{bound}");
        if a.stdio {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    let reference = Arc::new(reference);
    if a.stdio {
        crate::driver::server::serve_stdio(reference)
            .await
            .map_err(|e| Stop(Exit::Unreachable, e.to_string()))?;
        return Ok(Exit::Ok);
    }
    let addr = a.listen.expect("clap requires --listen without --stdio");
    let (bound, server) = crate::driver::server::bind_http(addr, reference)
        .await
        .map_err(|e| Stop(Exit::Unreachable, format!("cannot listen on {addr}: {e}")))?;
    println!("driver listening on http://{bound}");
    server.await.map_err(|e| Stop(Exit::Unreachable, e.to_string()))?;
    Ok(Exit::Ok)
}

pub(super) async fn cmd_bench(a: super::BenchArgs) -> Outcome {
    let d = Duration::try_from_secs_f64(a.seconds)
        .ok()
        .filter(|d| !d.is_zero() && d.as_secs() <= 3600)
        .ok_or_else(|| {
            Stop(
                Exit::Usage,
                format!(
                    "--seconds {}: give a positive number of seconds, at most 3600",
                    a.seconds
                ),
            )
        })?;
    if a.scenarios {
        let catalogs = catalogs()?;
        let tests = build(&[], &embedded_vectors()?, &[], &catalogs, ContentRev::Rev08)?;
        let reference = Reference::new(ContentRev::Rev08, FaultSet::NONE, catalogs);
        let iut = BuiltinIut::new(reference);
        let r = crate::bench::scenarios(tests, &iut.driver, jobs(a.jobs), d)
            .await
            .map_err(run_error)?;
        println!(
            "{} scenarios x {} rounds, {} at a time: {:.3} s wall per round; CPU {:.3} s per round, of which \
             {:.3} s in openmls: the suite costs {:.2}x the crypto floor ({} not passed)",
            r.scenarios,
            r.rounds,
            r.jobs,
            r.wall.as_secs_f64() / f64::from(r.rounds),
            r.cpu.as_secs_f64() / f64::from(r.rounds),
            r.mls.as_secs_f64() / f64::from(r.rounds),
            r.cpu.as_secs_f64() / r.mls.as_secs_f64(),
            r.failed,
        );
        return Ok(if r.failed == 0 { Exit::Ok } else { Exit::Unexpected });
    }
    let r = crate::bench::run(&embedded_vectors()?, d);
    println!(
        "decode + validate + message ID over {} draft examples: {:.0} messages per CPU-second on one core \
         ({:.0} per wall-clock second; {} messages, {:.1} MB/CPU-s)",
        r.distinct,
        r.per_cpu_second(),
        r.per_wall_second(),
        r.messages,
        r.bytes as f64 / r.cpu.as_secs_f64() / 1e6,
    );
    Ok(Exit::Ok)
}

// ---- issue 13: the interop matrix ----

pub(super) fn cmd_matrix(a: super::MatrixArgs) -> Outcome {
    let catalogs = catalogs()?;
    let (m, files) =
        crate::report::matrix::write(&a.reports, &a.out, &catalogs).map_err(|e| Stop(Exit::Usage, e.to_string()))?;
    println!(
        "{} reports, {} table(s), one per draft revision\nmatrix: {}",
        a.reports.len(),
        m.tables,
        files.map(|f| f.display().to_string()).join(", ")
    );
    Ok(Exit::Ok)
}
