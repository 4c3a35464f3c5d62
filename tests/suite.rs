//! `cargo test`: one libtest-mimic binary whose trials are
//! - every vector case, checked against the draft's rules (`vectors/...`);
//! - every suite test, run against the built-in reference (`suite/...`);
//! - the self-test: every fault caught, every check tripped (`selftest/...`);
//! - the catalogs, the transports, hostile input, the CLI's exit codes and the report formats.
//!
//! Trials that need the compiled binary or the example adapter find them next to this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use libtest_mimic::{Arguments, Failed, Trial};

#[path = "suite/hostile_time.rs"]
mod hostile_time;
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::driver::Driver;
use mimi_conformance::harness::{Cause, Expectations, RunOutcome, RunPlan, Status, Test, TestResult, run};
use mimi_conformance::provider::{Fault, Reference};
use mimi_conformance::report::{Report, junit_xml, markdown};
use mimi_conformance::spec::{Basis, Catalogs};
use mimi_conformance::validate::{Kind, Options, validate_content};
use mimi_conformance::vectors::{VectorFile, VerifyOutcome, verify_against_reference};

fn catalogs() -> Arc<Catalogs> {
    Arc::new(Catalogs::embedded().expect("catalogs parse"))
}

fn vectors() -> Vec<VectorFile> {
    VectorFile::embedded().expect("vectors parse")
}

fn all_tests(rev: ContentRev) -> Vec<Test> {
    mimi_conformance::suites::build(
        &["content".into(), "protocol".into(), "policy".into()],
        &vectors(),
        &mimi_conformance::harness::scenario::embedded().expect("scenarios parse"),
        &catalogs(),
        rev,
    )
    .expect("suite builds")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn reference(faults: &[Fault]) -> Driver {
    let r = Reference::new(ContentRev::Rev08, faults.iter().copied().collect(), catalogs());
    Driver::builtin(r.name(), Arc::new(r))
}

fn run_all(tests: Vec<Test>, driver: &Driver, filters: &[&str]) -> RunOutcome {
    let plan = RunPlan {
        tests,
        filters: filters.iter().map(|s| s.to_string()).collect(),
        expectations: Expectations::default(),
        timeout: Duration::from_secs(10),
        iut_endpoint: Some(mimi_conformance::harness::scenario::IutEndpoint::Builtin(
            Default::default(),
        )),
        jobs: 4,
    };
    runtime().block_on(run(plan, driver, |_, _| {})).expect("run")
}

/// Starts a stdio driver and runs the tests on one runtime (the child's pipes belong to it).
fn run_stdio(cmd: &str, filters: &[&str], timeout: Duration) -> Result<RunOutcome, Failed> {
    let rt = runtime();
    rt.block_on(async {
        let driver = Driver::stdio(cmd).map_err(|e| e.to_string())?;
        // A driver alone has no HTTPS side: the protocol scenarios are left out.
        let filters = if filters.is_empty() {
            &["content/", "message-status/"][..]
        } else {
            filters
        };
        let plan = RunPlan {
            tests: all_tests(ContentRev::Rev08),
            filters: filters.iter().map(|s| s.to_string()).collect(),
            expectations: Expectations::default(),
            timeout,
            iut_endpoint: None,
            jobs: 4,
        };
        run(plan, &driver, |_, _| {}).await.map_err(|e| e.to_string().into())
    })
}

/// Seeded mutations for the property trial (splitmix64: no crate needed for this much).
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One to four edits of `input`.
    fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut b = input.to_vec();
        for _ in 0..1 + self.below(4) {
            let at = self.below(b.len() + 1);
            match self.below(6) {
                0 if at < b.len() => b[at] ^= 1 << self.below(8),
                1 => b.insert(at, self.next() as u8),
                2 if at < b.len() => drop(b.drain(at..(at + 1 + self.below(8)).min(b.len()))),
                3 if at < b.len() => {
                    let end = (at + 1 + self.below(16)).min(b.len());
                    let piece = b[at..end].to_vec();
                    b.splice(at..at, piece);
                }
                4 => b.truncate(at),
                _ if at < b.len() => b[at] = [0x00, 0xff, 0x7f, 0x80, 0x1b, 0x9f][self.below(6)],
                _ => {}
            }
        }
        b
    }
}

fn ensure(cond: bool, msg: impl Into<String>) -> Result<(), Failed> {
    if cond { Ok(()) } else { Err(msg.into().into()) }
}

/// target/<profile>/ (this test runs from target/<profile>/deps/).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().and_then(Path::parent).expect("target dir").to_owned()
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mimi-conformance"))
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin()).args(args).output().expect("run the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mimi-conformance-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn vector_trials() -> Vec<Trial> {
    let fixtures = Arc::new(mimi_conformance::vectors::Fixtures::from_files(&vectors()));
    vectors()
        .into_iter()
        .flat_map(|f| {
            let name = f
                .path
                .trim_start_matches("vectors/")
                .trim_end_matches(".json")
                .to_owned();
            let fixtures = fixtures.clone();
            f.cases.into_iter().map(move |c| {
                let id = format!("vectors/{name}/{:03}-{}", c.head.tc_id, c.head.slug);
                let fixtures = fixtures.clone();
                Trial::test(id, move || match verify_against_reference(&c, &fixtures) {
                    VerifyOutcome::Consistent => Ok(()),
                    VerifyOutcome::Inconsistent(why) => Err(why.into()),
                })
            })
        })
        .collect()
}

/// Every suite test against the fault-free reference, run once for all the trials that compare
/// with it.
fn baseline() -> &'static RunOutcome {
    static BASELINE: std::sync::OnceLock<RunOutcome> = std::sync::OnceLock::new();
    BASELINE.get_or_init(|| run_all(all_tests(ContentRev::Rev08), &reference(&[]), &[]))
}

/// Every suite test against the fault-free reference, each as its own trial, and the docs'
/// counts checked against the same run.
fn suite_trials() -> Vec<Trial> {
    let outcome = baseline();
    let counts = outcome.counts();
    let (pass, xfail) = (counts[&Status::Pass], counts[&Status::Xfail]);
    let mut trials: Vec<Trial> = outcome
        .results
        .iter()
        .cloned()
        .map(|r| {
            Trial::test(format!("suite/{}", r.id), move || match r.status {
                Status::Pass | Status::Xfail => Ok(()),
                s => Err(format!("{s}: {}", r.message).into()),
            })
        })
        .collect();
    trials.push(Trial::test("docs/every-count-in-the-docs-is-the-suite's", move || {
        docs_say(&doc_counts(pass, xfail))
    }));
    trials
}

/// The phrases with a count that README.md, ARCHITECTURE.md and docs/driver.md must contain,
/// each built from the suite itself (`pass`, `xfail`: the built-in run's).
fn doc_counts(pass: usize, xfail: usize) -> Vec<(&'static str, String)> {
    let tests = all_tests(ContentRev::Rev08);
    let scenarios = scenario_ids();
    let files = vectors();
    let cases = |path: &str| -> usize {
        files
            .iter()
            .filter(|f| f.path.starts_with(path))
            .map(|f| f.cases.len())
            .sum()
    };
    let by_op = |op: &str| tests.iter().filter(|t| t.op == Some(op)).count();
    let policy_scenarios = scenarios.iter().filter(|id| id.starts_with("policy/")).count();
    let (all, n_scen, faults) = (tests.len(), scenarios.len(), Fault::all().len());
    vec![
        (
            "README.md",
            format!("and {} invalid vectors", cases("vectors/content/invalid")),
        ),
        ("README.md", format!("({} vectors,", cases("vectors/protocol/"))),
        (
            "README.md",
            format!("{} authorization decisions", cases("vectors/policy/decisions")),
        ),
        ("README.md", format!("and {policy_scenarios} scenarios:")),
        (
            "README.md",
            format!("{pass} pass, {xfail} xfail ({all} of {all} executed)"),
        ),
        ("README.md", format!("every vector case ({})", cases("vectors/"))),
        ("README.md", format!("({all}, {n_scen} of them HTTPS scenarios)")),
        ("README.md", format!("({all} tests, {n_scen} of them HTTPS scenarios")),
        ("README.md", format!("the {n_scen} scenarios and")),
        ("README.md", format!("the {n_scen} scenarios, 2 at a time")),
        ("README.md", format!("`selftest`: {faults} faults")),
        (
            "README.md",
            format!("over the {} draft examples", cases("vectors/content/examples")),
        ),
        (
            "ARCHITECTURE.md",
            format!("{} invalid cases", cases("vectors/content/invalid")),
        ),
        (
            "docs/driver.md",
            format!("The suite checks ({} tests):", by_op("content.decode")),
        ),
        (
            "docs/driver.md",
            format!("The suite checks ({} tests) that", by_op("content.encode")),
        ),
        (
            "docs/driver.md",
            format!("The suite checks ({} tests) the exact ID", by_op("content.messageId")),
        ),
    ]
}

/// Every phrase is in its file; the message names each missing one.
fn docs_say(claims: &[(&str, String)]) -> Result<(), Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing: Vec<String> = claims
        .iter()
        .filter(|(file, phrase)| {
            !std::fs::read_to_string(root.join(file)).is_ok_and(|text| text.contains(phrase.as_str()))
        })
        .map(|(file, phrase)| format!("{file} does not say {phrase:?}"))
        .collect();
    ensure(missing.is_empty(), missing.join("\n"))
}

fn checks() -> Vec<Trial> {
    vec![
        Trial::test("docs/driver-md-names-every-wire-rule", || {
            let protocol = mimi_conformance::codec::protocol::ProtocolDecodeError::RULES;
            let policy = mimi_conformance::codec::policy::DecodeError::RULES;
            let claims: Vec<(&str, String)> = protocol
                .iter()
                .chain(policy.iter())
                .map(|r| ("docs/driver.md", format!("`{r}`")))
                .collect();
            docs_say(&claims)
        }),
        Trial::test("selftest/every-fault-caught-and-every-check-trips", || {
            let report = runtime().block_on(mimi_conformance::selftest::selftest(
                &all_tests(ContentRev::Rev08),
                catalogs(),
                ContentRev::Rev08,
                mimi_conformance::selftest::Search::FirstCatch,
            ));
            ensure(report.ok(), mimi_conformance::selftest::render(&report))?;
            let caught = report.faults_caught();
            let (iut, tripped) = (report.iut_tests, report.iut_tests - report.never_failed.len());
            docs_say(&[(
                "README.md",
                format!(
                    "{caught}/{} faults caught; {tripped}/{iut} implementation checks",
                    report.faults.len()
                ),
            )])
        }),
        Trial::test("suite/a-directory-that-lies-fails-the-scenarios-naming-it", || {
            // §5.1: peers build every URL from the directory; one naming URLs where nothing is
            // served fails each scenario that sends the implementation a request, and says why.
            let o = run_builtin(&[Fault::DirectoryLies], &["protocol/3", "protocol/5.2"])?;
            let failed: Vec<&TestResult> = o.results.iter().filter(|r| r.status == Status::Fail).collect();
            ensure(failed.len() >= 5, format!("{} scenarios failed", failed.len()))?;
            let unnamed: Vec<String> = failed
                .iter()
                .filter(|r| !r.message.contains("§5.1 directory"))
                .map(|r| format!("{}: {}", r.id, r.message))
                .collect();
            ensure(unnamed.is_empty(), unnamed.join("\n"))
        }),
        Trial::test("suite/content-rev-07-selects-the-old-message-id", || {
            let r = Reference::new(ContentRev::Rev07, BTreeSet::new(), catalogs());
            let driver = Driver::builtin(r.name(), Arc::new(r));
            let o = run_all(all_tests(ContentRev::Rev07), &driver, &["content/3.3/message-id-"]);
            ensure(
                o.counts()[&Status::Pass] > 14 && !o.blocks(true),
                format!("{:?}", o.counts()),
            )?;
            // And the -07 formula fails every -08 message-ID test, naming the revision.
            let o = run_all(
                all_tests(ContentRev::Rev08),
                &driver,
                &["content/3.3/message-id-example-original"],
            );
            let r = o
                .results
                .iter()
                .find(|r| r.status == Status::Fail)
                .ok_or("the -07 ID passed a -08 test")?;
            ensure(r.message.contains("-07"), r.message.clone())
        }),
        Trial::test("catalog/every-requirement-is-tested-or-explained", || {
            let cats = catalogs();
            let tests = all_tests(ContentRev::Rev08);
            let mut problems = Vec::new();
            for t in &tests {
                for s in &t.spec {
                    if cats.get(&s.req).is_none() {
                        problems.push(format!("{} names unknown requirement {}", t.id, s.req));
                    }
                }
            }
            for c in &cats.catalogs {
                for r in &c.requirements {
                    let carrying: Vec<&str> = tests
                        .iter()
                        .filter(|t| t.spec.iter().any(|s| s.req == r.id))
                        .map(|t| t.id.as_str())
                        .collect();
                    let globs: Vec<globset::GlobMatcher> = r
                        .tests
                        .iter()
                        .map(|g| globset::Glob::new(g).expect("glob").compile_matcher())
                        .collect();
                    for (g, m) in r.tests.iter().zip(&globs) {
                        if !carrying.iter().any(|t| m.is_match(t)) {
                            problems.push(format!("{}: `tests` glob {g} matches no test naming {}", r.id, r.id));
                        }
                        // Exact: a glob may not claim a test that does not name the requirement.
                        for t in tests
                            .iter()
                            .filter(|t| m.is_match(&t.id) && !carrying.contains(&t.id.as_str()))
                        {
                            problems.push(format!(
                                "{}: `tests` glob {g} claims {}, which does not name it",
                                r.id, t.id
                            ));
                        }
                    }
                    for t in &carrying {
                        if !globs.iter().any(|m| m.is_match(t)) {
                            problems.push(format!("{}: test {t} names it but no `tests` glob lists it", r.id));
                        }
                    }
                    let by_parts = !r.parts.is_empty();
                    match (r.testable, carrying.is_empty() && !by_parts) {
                        (true, true) => problems.push(format!("{} is testable but no test checks it", r.id)),
                        (false, false) => problems.push(format!("{} is marked untestable but tests check it", r.id)),
                        (false, true) if r.reason.is_none() && r.deferred.is_none() => {
                            problems.push(format!("{} is untestable without a reason", r.id))
                        }
                        _ => {}
                    }
                }
            }
            ensure(problems.is_empty(), problems.join("\n"))
        }),
        Trial::test(
            "catalog/every-basis-names-tests-of-its-requirement-and-an-x-entry",
            || {
                let cats = catalogs();
                let tests = all_tests(ContentRev::Rev08);
                let mut problems = Vec::new();
                for r in cats.catalogs.iter().flat_map(|c| &c.requirements) {
                    let carrying: Vec<&str> = tests
                        .iter()
                        .filter(|t| t.spec.iter().any(|s| s.req == r.id))
                        .map(|t| t.id.as_str())
                        .collect();
                    let unmatched = |g: &String| {
                        let m = globset::Glob::new(g).expect("glob").compile_matcher();
                        !carrying.iter().any(|t| m.is_match(t))
                    };
                    for g in r.robustness.iter().filter(|g| unmatched(g)) {
                        problems.push(format!("{}: `robustness` glob {g} matches no test naming it", r.id));
                    }
                    for (x, globs) in &r.readings {
                        if !cats.get(x).is_some_and(|(_, e)| e.is_reading()) {
                            problems.push(format!("{}: `readings` names {x}, which is no (reading) entry", r.id));
                        }
                        for g in globs.iter().filter(|g| unmatched(g)) {
                            problems.push(format!("{}: `readings` glob {g} matches no test naming it", r.id));
                        }
                    }
                }
                // Every test's references carry the basis the catalog gives them there.
                for t in &tests {
                    for s in &t.spec {
                        let (_, r) = cats.get(&s.req).expect("known requirement");
                        if (s.basis, s.reading.clone()) != r.basis_in(&t.id) {
                            problems.push(format!("{}: {} has basis {}, not the catalog's", t.id, s.req, s.basis));
                        }
                    }
                }
                ensure(problems.is_empty(), problems.join("\n"))
            },
        ),
        Trial::test("catalog/every-rule-kind-has-its-requirement-and-level", || {
            let cats = catalogs();
            let mut problems = Vec::new();
            for k in Kind::ALL {
                match cats.get(k.req()) {
                    None => problems.push(format!("{} names {}, not in the catalog", k.slug(), k.req())),
                    Some((_, r)) if r.level != k.level() => problems.push(format!(
                        "{}: level {} here, {} in the catalog",
                        k.slug(),
                        k.level(),
                        r.level
                    )),
                    _ => {}
                }
            }
            ensure(problems.is_empty(), problems.join("\n"))
        }),
        Trial::test("vectors/at-least-40-invalid-content-cases-covering-every-rule", || {
            let files = vectors();
            let invalid: Vec<Kind> = files
                .iter()
                .filter(|f| f.path.ends_with("invalid.json"))
                .flat_map(|f| &f.cases)
                .filter_map(|c| match &c.body {
                    mimi_conformance::vectors::CaseBody::Content { rule, .. } => *rule,
                    _ => None,
                })
                .collect();
            ensure(invalid.len() >= 40, format!("{} invalid cases", invalid.len()))?;
            let missing: Vec<&str> = Kind::ALL
                .into_iter()
                .filter(|k| !matches!(k, Kind::FloatUsed | Kind::ExpiryWindow) && !k.slug().starts_with("status-"))
                .filter(|k| !invalid.contains(k))
                .map(Kind::slug)
                .collect();
            ensure(missing.is_empty(), format!("no invalid vector for {missing:?}"))
        }),
        Trial::test(
            "hostile/every-prefix-and-byte-flip-of-every-example-is-judged-without-panic",
            || {
                for f in vectors() {
                    for c in f
                        .cases
                        .iter()
                        .filter(|c| c.head.flags.iter().any(|f| f == "DraftExample"))
                    {
                        let mimi_conformance::vectors::CaseBody::Content { cbor, .. } = &c.body else {
                            continue;
                        };
                        for n in 0..cbor.len() {
                            let r = validate_content(&cbor[..n], Options::default());
                            ensure(!r.findings.is_empty(), format!("{} cut at {n} passed", c.head.slug))?;
                        }
                        for i in 0..cbor.len() {
                            let mut b = cbor.clone();
                            b[i] ^= 0xff;
                            let _ = validate_content(&b, Options::default());
                        }
                    }
                }
                Ok(())
            },
        ),
        Trial::test(
            "hostile/seeded-mutations-of-every-vector-and-scenario-through-every-decoder-never-panic",
            || {
                // A property test: 24 mutants (byte flips, insertions, deletions, repeats, cuts) of
                // every vector's bytes through the decoder it is for, and of every scenario file
                // through the loader. Any panic names the input; the seed makes it reproducible.
                use mimi_conformance::vectors::CaseBody;
                let mut rng = Mutator(0x5eed_u64);
                let mut tried = 0usize;
                let mut check = |what: &str, input: &[u8], f: &dyn Fn(&[u8])| -> Result<(), Failed> {
                    for _ in 0..24 {
                        let m = rng.mutate(input);
                        tried += 1;
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&m)))
                            .map_err(|_| format!("{what}: panicked on {}", hex::encode(&m[..m.len().min(256)])))?;
                    }
                    Ok(())
                };
                for file in vectors() {
                    for c in &file.cases {
                        let what = format!("{}#{}", file.path, c.head.slug);
                        match &c.body {
                            CaseBody::Content { cbor, .. }
                            | CaseBody::Implied { cbor, .. }
                            | CaseBody::Finding { cbor, .. }
                            | CaseBody::Encode { cbor, .. } => check(&what, cbor, &|b| {
                                let _ = validate_content(b, Options::default());
                            })?,
                            CaseBody::Status { cbor, .. } => check(&what, cbor, &|b| {
                                let _ = mimi_conformance::validate::validate_status(b);
                            })?,
                            CaseBody::Tls {
                                structure,
                                bytes,
                                alternative,
                                ..
                            } => check(&what, bytes, &|b| {
                                let _ = mimi_conformance::codec::tls::decode(structure, b, *alternative);
                            })?,
                            CaseBody::PolicyFixture { bytes, .. } => check(&what, bytes, &|b| {
                                let _ = mimi_conformance::codec::tls::decode("RoleData", b, false);
                            })?,
                            CaseBody::PolicyDecision { .. } => {}
                        }
                    }
                }
                for (file, text) in mimi_conformance::harness::scenario::EMBEDDED {
                    check(file, text.as_bytes(), &|b| {
                        let _ = mimi_conformance::harness::scenario::Scenario::parse(file, &String::from_utf8_lossy(b));
                    })?;
                }
                ensure(tried > 10_000, format!("only {tried} mutants"))
            },
        ),
        Trial::test(
            "hostile/nesting-bombs-huge-lengths-and-bad-utf8-give-named-findings",
            || {
                let cases: Vec<(&str, Vec<u8>, Kind)> = vec![
                    (
                        "array bomb",
                        std::iter::repeat_n(0x81u8, 1_000_000).collect(),
                        Kind::MalformedCbor,
                    ),
                    (
                        "map bomb",
                        std::iter::repeat_n([0xa1u8, 0x01], 100_000).flatten().collect(),
                        Kind::MalformedCbor,
                    ),
                    (
                        "tag bomb",
                        std::iter::repeat_n(0xc6u8, 1_000_000).collect(),
                        Kind::MalformedCbor,
                    ),
                    (
                        "bstr of 2^64-1 bytes",
                        vec![0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                        Kind::Truncated,
                    ),
                    (
                        "array of 2^64-1 items",
                        vec![0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
                        Kind::Truncated,
                    ),
                    ("indefinite array never closed", vec![0x9f, 0x01, 0x02], Kind::Truncated),
                    ("lone break", vec![0xff], Kind::MalformedCbor),
                    ("reserved initial byte", vec![0x1c], Kind::MalformedCbor),
                    ("empty input", vec![], Kind::Truncated),
                ];
                for (what, bytes, kind) in cases {
                    let r = validate_content(&bytes, Options::default());
                    ensure(
                        r.findings.iter().any(|f| f.kind == kind),
                        format!("{what}: {:?}", r.findings),
                    )?;
                }
                // Deep nesting inside the body is charged to the body's depth rule.
                let mut body = vec![0x87, 0x50];
                body.extend([0u8; 16]);
                body.extend([0xf6, 0x40, 0xf6, 0xf6, 0xa0]);
                for _ in 0..200 {
                    body.extend([0x85, 0x01, 0x60, 0x03, 0x00, 0x82]);
                }
                let r = validate_content(&body, Options::default());
                ensure(
                    r.findings.iter().any(|f| f.kind == Kind::NestingDepth),
                    format!("{:?}", r.findings),
                )
            },
        ),
        Trial::test(
            "hostile/a-driver-answering-garbage-fails-tests-without-stopping-the-run",
            || {
                // Answers capabilities properly, then one garbage line per request.
                let script = r#"read l; echo '{"id":1,"result":{"driver":"1","name":"garbage","version":"0","ops":["content.decode","content.encode","content.messageId"]}}'; while read l; do echo 'not json'; done"#;
                let o = run_stdio(script, &["content/5.1/"], Duration::from_secs(10))?;
                let fails = o.results.iter().filter(|r| r.status == Status::Fail).count();
                ensure(
                    fails >= 1
                        && o.results
                            .iter()
                            .all(|r| matches!(r.status, Status::Fail | Status::Skip | Status::Unsupported)),
                    format!("{:?}", o.counts()),
                )?;
                let r = o.results.iter().find(|r| r.status == Status::Fail).expect("a fail");
                ensure(r.message.contains("not JSON"), r.message.clone())
            },
        ),
        Trial::test("hostile/a-silent-driver-times-out-naming-the-test", || {
            let script = r#"read l; echo '{"id":1,"result":{"driver":"1","name":"silent","version":"0","ops":["content.decode"]}}'; sleep 30"#;
            let rt = runtime();
            let driver = rt
                .block_on(async { Driver::stdio(script) })
                .map_err(|e| e.to_string())?;
            let plan = RunPlan {
                tests: all_tests(ContentRev::Rev08),
                filters: vec!["content/5.1/decode-example-original".into()],
                expectations: Expectations::default(),
                timeout: Duration::from_millis(300),
                iut_endpoint: None,
                jobs: 4,
            };
            let o = rt.block_on(run(plan, &driver, |_, _| {})).map_err(|e| e.to_string())?;
            let r = o
                .results
                .iter()
                .find(|r| r.id == "content/5.1/decode-example-original")
                .expect("ran");
            ensure(r.status == Status::Timeout, format!("{:?}: {}", r.status, r.message))
        }),
        Trial::test("driver/http-transport-gives-the-same-results-as-in-process", || {
            let rt = runtime();
            let outcome = rt.block_on(async {
                let handler = Arc::new(Reference::new(ContentRev::Rev08, BTreeSet::new(), catalogs()));
                let (addr, server) =
                    mimi_conformance::driver::server::bind_http("127.0.0.1:0".parse().unwrap(), handler)
                        .await
                        .expect("bind");
                tokio::spawn(server);
                let driver = Driver::http(&format!("http://{addr}")).expect("client");
                let plan = RunPlan {
                    tests: all_tests(ContentRev::Rev08),
                    filters: vec![],
                    expectations: Expectations::default(),
                    timeout: Duration::from_secs(10),
                    iut_endpoint: Some(mimi_conformance::harness::scenario::IutEndpoint::Builtin(
                        Default::default(),
                    )),
                    jobs: 4,
                };
                run(plan, &driver, |_, _| {}).await.expect("run")
            });
            let builtin = baseline();
            ensure(
                outcome.counts() == builtin.counts() && !outcome.blocks(true),
                format!("{:?} vs {:?}", outcome.counts(), builtin.counts()),
            )
        }),
        Trial::test("driver/stdio-transport-through-the-binary-and-unsupported-ops", || {
            let cmd = format!("{} driver --stdio", bin().display());
            let o = run_stdio(&cmd, &[], Duration::from_secs(10))?;
            ensure(
                !o.blocks(true) && o.counts()[&Status::Pass] > 200,
                format!("{:?}", o.counts()),
            )
        }),
        Trial::test(
            "driver/example-adapter-passes-content-and-reports-status-unsupported",
            || {
                let adapter = target_dir().join("examples").join("content_adapter");
                ensure(adapter.exists(), format!("{} not built", adapter.display()))?;
                let o = run_stdio(&adapter.display().to_string(), &[], Duration::from_secs(10))?;
                let c = o.counts();
                // It does not offer status.decode: each of those tests, and only they, unsupported.
                let status_tests = all_tests(ContentRev::Rev08)
                    .iter()
                    .filter(|t| t.op == Some("status.decode"))
                    .count();
                ensure(
                    !o.blocks(true) && c[&Status::Unsupported] == status_tests && c[&Status::Pass] > 200,
                    format!("{c:?}, {status_tests} status tests"),
                )
            },
        ),
        Trial::test("cli/run-writes-report-json-md-and-junit-and-exits-0", || {
            let dir = temp_dir("run");
            let (code, out, err) = cli(&["run", "--quiet", "--out", dir.to_str().unwrap()]);
            ensure(code == 0, format!("exit {code}\n{out}\n{err}"))?;
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            for field in [
                "schema",
                "suite_version",
                "drafts",
                "iut",
                "started",
                "finished",
                "summary",
                "results",
                "coverage",
            ] {
                ensure(
                    json.get(field).is_some_and(|v| !v.is_null()),
                    format!("report.json lacks {field}"),
                )?;
            }
            let first = &json["results"][0];
            for field in ["id", "status", "spec", "message", "duration_ms"] {
                ensure(first.get(field).is_some(), format!("a result lacks {field}"))?;
            }
            ensure(
                json["drafts"]["draft-ietf-mimi-content"] == "08",
                "draft revision not recorded",
            )?;
            ensure(
                dir.join("report.md").exists() && dir.join("junit.xml").exists() && dir.join("report.html").exists(),
                "report.md, junit.xml or report.html missing",
            )
        }),
        Trial::test("cli/run-scenarios-from-a-directory-and-name-a-bad-file", || {
            let dir = temp_dir("scenarios");
            let own = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("scenarios/protocol/4_1_transport/reject-from-without-mimi-local-part.yaml"),
            )
            .map_err(|e| e.to_string())?
            .replace(
                "id: protocol/4.1/reject-from-without-mimi-local-part",
                "id: protocol/4.1/own-from-admin",
            );
            std::fs::create_dir_all(dir.join("mine")).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("mine/own.yaml"), own).map_err(|e| e.to_string())?;
            let out = temp_dir("scenarios-out");
            let (code, o, err) = cli(&[
                "run",
                "-q",
                "--scenarios",
                dir.to_str().unwrap(),
                "--filter",
                "protocol/4.1/",
                "--out",
                out.to_str().unwrap(),
            ]);
            let statuses = report_statuses(&out)?;
            ensure(
                code == 0
                    && statuses
                        .get("protocol/4.1/own-from-admin")
                        .is_some_and(|(s, _)| s == "pass")
                    && !statuses.contains_key("protocol/4.1/reject-from-without-mimi-local-part"),
                format!("exit {code}\n{o}\n{err}"),
            )?;
            let bad = "id: protocol/9/x\ntitle: t\nrequirements: [PROT-01]\nroles: {hub: iut}\nsteps:\n  - name: a\n    request: {from: hub, to: hub, method: PUT, path: /}\n";
            std::fs::write(dir.join("bad.yaml"), bad).map_err(|e| e.to_string())?;
            let (code, _, err) = cli(&["list", "--scenarios", dir.to_str().unwrap()]);
            ensure(
                code == 2 && err.contains("bad.yaml") && err.contains("line 7") && err.contains("PUT"),
                format!("exit {code}: {err}"),
            )
        }),
        Trial::test("cli/exit-codes-1-2-3-4-5", || {
            let dir = temp_dir("codes");
            let out = dir.to_str().unwrap();
            let (code, ..) = cli(&["run", "-q", "--out", out, "--fault", "message-id-wrong-revision"]);
            ensure(code == 1, format!("a broken IUT exits {code}"))?;
            let (code, _, err) = cli(&["run", "-q", "--out", out, "--fault", "no-such-fault"]);
            ensure(
                code == 2 && err.contains("no-such-fault"),
                format!("unknown fault exits {code}: {err}"),
            )?;
            let (code, ..) = cli(&["run", "--bogus-flag"]);
            ensure(code == 2, format!("bad flag exits {code}"))?;
            let (code, _, err) = cli(&["run", "-q", "--out", out, "--iut-driver", "http://127.0.0.1:9"]);
            ensure(
                code == 3 && err.contains("unreachable"),
                format!("unreachable IUT exits {code}: {err}"),
            )?;
            let (code, ..) = cli(&["run", "-q", "--out", out, "--filter", "nothing/matches/*"]);
            ensure(code == 4, format!("empty selection exits {code}"))?;
            // Selected, but none carried out: no pass.
            let gaps = dir.join("gaps.yaml");
            std::fs::write(
                &gaps,
                "- id: \"content/3.3/*\"\n  status: unsupported\n  reason: no message IDs yet\n",
            )
            .unwrap();
            let (code, stdout, err) = cli(&[
                "run",
                "-q",
                "--out",
                out,
                "--filter",
                "content/3.3",
                "--expectations",
                gaps.to_str().unwrap(),
            ]);
            ensure(
                code == 5 && stdout.contains("(0 of ") && err.contains("not a pass"),
                format!("a run that executed nothing exits {code}: {stdout}{err}"),
            )
        }),
        Trial::test(
            "cli/numbers-out-of-range-and-empty-selections-are-named-never-a-panic",
            || {
                let dir = temp_dir("numbers");
                let out = dir.to_str().expect("utf-8 path");
                let cases: [(&[&str], i32, &str); 9] = [
                    (&["run", "--jobs", "2305843009213693952", "--out", out], 2, "--jobs"),
                    (&["run", "--jobs", "0", "--out", out], 2, "--jobs"),
                    (&["run", "--timeout", "1e300", "--out", out], 2, "--timeout"),
                    (&["run", "--timeout=-1", "--out", out], 2, "--timeout"),
                    (&["run", "--timeout-factor", "NaN", "--out", out], 2, "--timeout-factor"),
                    (&["bench", "--seconds", "1e9"], 2, "--seconds"),
                    (&["bench", "--scenarios", "--jobs", "99999"], 2, "--jobs"),
                    (&["list", "--filter", "zzz"], 4, "zzz"),
                    (&["content", "inspect", "/dev/zero"], 2, "over 16 MiB"),
                ];
                let mut wrong = Vec::new();
                for (args, want, names) in cases {
                    let (code, _, stderr) = cli(args);
                    if code != want || !stderr.contains(names) || stderr.contains("panicked") {
                        wrong.push(format!("{args:?}: exit {code} (want {want}), stderr {stderr:?}"));
                    }
                }
                ensure(wrong.is_empty(), wrong.join("\n"))
            },
        ),
        Trial::test("cli/expectations-turn-known-gaps-green-and-report-xpass", || {
            let dir = temp_dir("expect");
            let out = dir.to_str().unwrap();
            let known = dir.join("known.yaml");
            std::fs::write(&known, "- id: \"content/3.3/message-id-*\"\n  status: xfail\n  reason: we still compute the -07 ID\n  link: https://example.org/1\n").unwrap();
            let (code, stdout, _) = cli(&[
                "run",
                "-q",
                "--out",
                out,
                "--fault",
                "message-id-wrong-revision",
                "--expectations",
                known.to_str().unwrap(),
            ]);
            ensure(code == 0 && stdout.contains("xfail"), format!("exit {code}: {stdout}"))?;
            let (code, stdout, _) = cli(&["run", "-q", "--out", out, "--expectations", known.to_str().unwrap()]);
            ensure(
                code == 1 && stdout.contains("xpass"),
                format!("an unexpected pass exits {code}: {stdout}"),
            )?;
            let bad = dir.join("bad.yaml");
            std::fs::write(&bad, "- id: \"content/*\"\n  status: maybe\n  reason: x\n").unwrap();
            let (code, _, err) = cli(&["run", "-q", "--out", out, "--expectations", bad.to_str().unwrap()]);
            ensure(
                code == 2 && err.contains("bad.yaml") && err.contains("line 2"),
                format!("bad expectations exit {code}: {err}"),
            )
        }),
        Trial::test("cli/inspect-names-broken-rules-and-exits-1", || {
            let dir = temp_dir("inspect");
            let files = vectors();
            let pick = |slug: &str| {
                files
                    .iter()
                    .flat_map(|f| &f.cases)
                    .find(|c| c.head.slug == slug)
                    .and_then(|c| match &c.body {
                        mimi_conformance::vectors::CaseBody::Content { cbor, .. } => Some(cbor.clone()),
                        _ => None,
                    })
            };
            let good = dir.join("good.cbor");
            std::fs::write(&good, pick("example-original").ok_or("no example")?).unwrap();
            let (code, out, _) = cli(&["content", "inspect", good.to_str().unwrap()]);
            ensure(
                code == 0 && out.contains("017ce54837404c3696e0c747b985cb172716d0ed0a3d249ca63ace7d82a096f4"),
                format!("exit {code}: {out}"),
            )?;
            let bad = dir.join("bad.cbor");
            std::fs::write(&bad, pick("invalid-salt-15-bytes").ok_or("no salt vector")?).unwrap();
            let (code, out, _) = cli(&["content", "inspect", bad.to_str().unwrap()]);
            ensure(
                code == 1 && out.contains("salt-length") && out.contains("§4.1"),
                format!("exit {code}: {out}"),
            )?;
            let (code, _, err) = cli(&["content", "inspect", "/no/such/file.cbor"]);
            ensure(
                code == 2 && err.contains("/no/such/file.cbor"),
                format!("exit {code}: {err}"),
            )
        }),
        Trial::test(
            "cli/vectors-verify-names-the-file-case-and-field-of-a-bad-vector",
            || {
                let dir = temp_dir("verify");
                let f = dir.join("broken.json");
                std::fs::write(&f, r#"{"schema":"mimi-conformance/vectors/v1","kind":"content","draft":"draft-ietf-mimi-content","rev":"08","source":"x","tests":[{"tcId":1,"slug":"x","section":"4.1","result":"invalid","comment":"c","cbor":"zz","sender":"s","room":"r","rule":"salt-length"}]}"#).unwrap();
                let (code, _, err) = cli(&["vectors", "verify", f.to_str().unwrap()]);
                ensure(
                    code == 2 && err.contains("broken.json") && err.contains("tests[0].cbor"),
                    format!("exit {code}: {err}"),
                )?;
                let (code, out, _) = cli(&["vectors", "verify", "vectors/content/invalid.json"]);
                ensure(code == 0 && out.contains("0 disagree"), format!("exit {code}: {out}"))
            },
        ),
        Trial::test("report/only-required-must-failures-fail-the-run-unless-strict", || {
            // door-ignores-from accepts a From without the mimi local part: -06 constrains the
            // sender there (PROT-02), so refusing it is robustness, shown but not failing the run.
            let dir = temp_dir("advisory");
            let out = dir.to_str().expect("utf-8 path");
            let args = [
                "run",
                "-q",
                "--fault",
                "door-ignores-from",
                "--filter",
                "protocol/4.1/reject-from-without-mimi-local-part",
                "--out",
                out,
            ];
            let (code, stdout, stderr) = cli(&args);
            ensure(
                code == 0 && stdout.contains("1 fail") && stdout.contains("1 robustness MUST (advisory)"),
                format!("exit {code}\n{stdout}\n{stderr}"),
            )?;
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("report.json")).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            let w = &json["failures"][0];
            ensure(
                w["basis"] == "robustness" && w["level"] == "MUST" && w["blocking"] == false,
                format!("{w}"),
            )?;
            let md = std::fs::read_to_string(dir.join("report.md")).map_err(|e| e.to_string())?;
            ensure(
                md.contains("| fail (advisory) | MUST · robustness | PROT-02 |"),
                "report.md row",
            )?;
            let (code, stdout, _) = cli(&[&args[..], &["--strict"]].concat());
            ensure(code == 1, format!("--strict: exit {code}\n{stdout}"))?;
            // A required MUST fails the run without --strict.
            let (code, stdout, _) = cli(&[
                "run",
                "-q",
                "--fault",
                "door-ignores-from",
                "--filter",
                "protocol/4.1/reject-from-not-matching-certificate",
                "--out",
                out,
            ]);
            ensure(
                code == 1 && stdout.contains("1 required MUST"),
                format!("exit {code}\n{stdout}"),
            )
        }),
        Trial::test(
            "report/a-failure-is-charged-to-the-requirement-whose-check-failed",
            || {
                // directory-incomplete: the transport holds (PROT-01, PROT-03, PROT-04), the
                // directory's members (reading PROT-X02) do not.
                let outcome = run_builtin(
                    &[Fault::DirectoryIncomplete],
                    &["protocol/5.1/directory-over-mutual-tls"],
                )?;
                let r = outcome
                    .results
                    .iter()
                    .find(|r| r.id == "protocol/5.1/directory-over-mutual-tls")
                    .ok_or("no result")?;
                ensure(
                    r.status == Status::Fail
                        && r.failed == ["PROT-X02"]
                        && r.basis == Some(Basis::Reading)
                        && r.cause == Some(Cause::DirectoryLacksEndpoint)
                        && !r.blocks(false),
                    format!("{:?} {:?} {:?} {:?}", r.status, r.failed, r.basis, r.cause),
                )?;
                let drafts = [("draft-ietf-mimi-protocol".to_owned(), "06".to_owned())].into();
                let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
                report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
                let status = |req: &str| report.coverage.iter().find(|c| c.req == req).and_then(|c| c.status);
                ensure(
                    status("PROT-X02") == Some(Status::Fail) && status("PROT-03") == Some(Status::Pass),
                    format!("PROT-X02 {:?}, PROT-03 {:?}", status("PROT-X02"), status("PROT-03")),
                )
            },
        ),
        Trial::test(
            "report/a-rejection-naming-another-rule-is-a-pass-marked-other-reason",
            || {
                let outcome = run_all(
                    all_tests(ContentRev::Rev08),
                    &reference(&[Fault::DecoderNamesAnotherRule]),
                    &["content/4.1/reject-salt-15-bytes", "content/A.1/reject-lone-break"],
                );
                let get = |id: &str| outcome.results.iter().find(|r| r.id == id).ok_or(format!("no {id}"));
                let other = get("content/4.1/reject-salt-15-bytes")?;
                ensure(
                    other.status == Status::Pass
                        && other.other_reason
                        && other.rejection.as_ref().and_then(|j| j.rule.as_deref()) == Some("malformed-cbor")
                        && other.message.contains("salt-length"),
                    format!(
                        "{:?} {} {:?}: {}",
                        other.status, other.other_reason, other.rejection, other.message
                    ),
                )?;
                // The rule it names is the one that lone break breaks: a plain pass, its reason kept.
                let same = get("content/A.1/reject-lone-break")?;
                ensure(
                    same.status == Status::Pass && !same.other_reason && same.rejection.is_some(),
                    format!("{:?} {} {:?}", same.status, same.other_reason, same.rejection),
                )?;
                let drafts = [("draft-ietf-mimi-content".to_owned(), "08".to_owned())].into();
                let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
                report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
                let md = markdown(&report, &catalogs());
                ensure(
                    report.other_reason == 1
                        && md.contains("pass (other reason)")
                        && md.contains("1 pass for another reason"),
                    "report.md does not show the other reason",
                )
            },
        ),
        Trial::test("report/a-wire-rejection-naming-another-rule-is-other-reason", || {
            let (trailing, truncated) = (
                "protocol/5.3/reject-ratchet-tree-option-trailing-bytes",
                "protocol/5.3/reject-ratchet-tree-option-truncated",
            );
            let outcome = run_all(
                all_tests(ContentRev::Rev08),
                &reference(&[Fault::WireDecodeNamesAnotherRule]),
                &[trailing, truncated],
            );
            let get = |id: &str| outcome.results.iter().find(|r| r.id == id).ok_or(format!("no {id}"));
            let (other, same) = (get(trailing)?, get(truncated)?);
            ensure(
                other.status == Status::Pass && other.other_reason && other.message.contains("trailing-bytes"),
                format!("{:?} {}: {}", other.status, other.other_reason, other.message),
            )?;
            ensure(
                same.status == Status::Pass && !same.other_reason && same.rejection.is_some(),
                format!("{:?} {} {:?}", same.status, same.other_reason, same.rejection),
            )
        }),
        Trial::test("report/failures-of-one-cause-are-grouped-under-it", || {
            // The -07 message-ID formula: every message-ID failure, one cause.
            let outcome = run_all(
                all_tests(ContentRev::Rev08),
                &reference(&[Fault::MessageIdWrongRevision]),
                &["content/3.3/message-id-"],
            );
            let failed = outcome.results.iter().filter(|r| r.status == Status::Fail).count();
            let drafts = [("draft-ietf-mimi-content".to_owned(), "08".to_owned())].into();
            let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
            report.finish(&outcome, &catalogs(), SystemTime::UNIX_EPOCH);
            ensure(
                failed > 30 && report.causes.len() == 1 && report.causes[0].tests.len() == failed,
                format!("{failed} failures; causes {:?}", report.causes),
            )?;
            let md = markdown(&report, &catalogs());
            ensure(
                md.contains("## Causes") && md.contains(&format!("(`message-id-other-revision`): {failed} tests")),
                "report.md does not group the cause",
            )?;
            // Keys in insertion order: every encode failure, one cause.
            let outcome = run_all(
                all_tests(ContentRev::Rev08),
                &reference(&[Fault::EncoderUnsortedKeys]),
                &["content/6.1/encode-"],
            );
            let failed: Vec<&TestResult> = outcome.results.iter().filter(|r| r.status == Status::Fail).collect();
            ensure(
                !failed.is_empty() && failed.iter().all(|r| r.cause == Some(Cause::MapKeysNotSorted)),
                format!("{:?}", failed.iter().map(|r| (&r.id, r.cause)).collect::<Vec<_>>()),
            )?;
            // A message ID over a re-encoding: every test of the bytes as given fails, named.
            let outcome = run_all(
                all_tests(ContentRev::Rev08),
                &reference(&[Fault::MessageIdOverReencoding]),
                &["content/3.3/message-id-"],
            );
            let of_bytes: Vec<&TestResult> = outcome
                .results
                .iter()
                .filter(|r| r.id.contains("message-id-of-bytes-as-given-"))
                .collect();
            ensure(
                of_bytes.len() >= 10
                    && of_bytes
                        .iter()
                        .all(|r| r.status == Status::Fail && r.cause == Some(Cause::MessageIdOverReencoding)),
                format!(
                    "{:?}",
                    of_bytes.iter().map(|r| (&r.id, r.status, r.cause)).collect::<Vec<_>>()
                ),
            )?;
            // The other message-ID tests give canonical bytes, where a re-encoding is the same.
            let others = outcome
                .results
                .iter()
                .filter(|r| r.status != Status::Skip && !r.id.contains("of-bytes"))
                .all(|r| r.status == Status::Pass);
            ensure(others, "a re-encoding of canonical bytes changed their ID")
        }),
        Trial::test("report/markdown-and-junit-snapshots-of-a-fixed-run", || {
            let cats = catalogs();
            let mut outcome = run_all(
                all_tests(ContentRev::Rev08),
                &reference(&[Fault::MessageIdWrongRevision]),
                &[
                    "content/3.3/message-id-example-o",
                    "content/5.1/",
                    "content/5.2/draft-",
                    "message-status/4/reject-status-value",
                ],
            );
            outcome.results.retain(|r| r.status != Status::Skip);
            for r in &mut outcome.results {
                r.duration_ms = 0;
            }
            let drafts = [
                ("draft-ietf-mimi-content", "08"),
                ("draft-mahy-mimi-message-status", "01"),
            ]
            .into_iter()
            .map(|(d, r)| (d.to_owned(), r.to_owned()))
            .collect();
            let mut report = Report::new(drafts, SystemTime::UNIX_EPOCH);
            report.finish(&outcome, &cats, SystemTime::UNIX_EPOCH);
            report.iut.as_mut().expect("iut").version = "(version)".into();
            insta::assert_snapshot!("report_md", markdown(&report, &cats));
            insta::assert_snapshot!("junit_xml", junit_xml(&report));
            Ok(())
        }),
    ]
}

/// Two providers on loopback HTTPS: hub.example serving, follower.example calling.
fn https_trials() -> Vec<Trial> {
    use mimi_conformance::provider::https::{PeerClient, ProviderServer};
    use mimi_conformance::provider::pki::TestCa;

    vec![Trial::test("provider/mutual-tls-directory-and-from-checks", || {
        let rt = runtime();
        rt.block_on(async {
            let ca = TestCa::new().map_err(|e| e.to_string())?;
            let hub = ProviderServer::start(
                &ca.issue("hub.example").unwrap(),
                &ca,
                axum::Router::new(),
                Default::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
            let peers = [
                ("hub.example".to_owned(), hub.addr),
                ("other.example".to_owned(), hub.addr),
            ];
            let port = hub.addr.port();
            let dir = "/.well-known/mimi-protocol-directory";
            // A follower with a certificate from the run's CA gets the directory.
            let follower = PeerClient::new(Some(&ca.issue("follower.example").unwrap()), &ca, &peers, false)
                .map_err(|e| e.to_string())?;
            let resp = follower
                .request(reqwest::Method::GET, "hub.example", port, dir)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            ensure(resp.status() == 200, format!("directory: {}", resp.status()))?;
            let body: serde_json::Value = resp.json().await.map_err(|e| e.to_string())?;
            ensure(
                body["keyMaterial"] == format!("https://hub.example:{port}/v1/keyMaterial/{{targetUser}}"),
                format!("directory body {body}"),
            )?;
            // From naming a domain the certificate does not hold: 403.
            let resp = follower
                .request_with_from("mimi@evil.example", reqwest::Method::GET, "hub.example", port, dir)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            ensure(resp.status() == 403, format!("foreign From: {}", resp.status()))?;
            // A server certificate for another name: the client refuses it.
            let resp = follower
                .request(reqwest::Method::GET, "other.example", port, dir)
                .send()
                .await;
            ensure(
                resp.is_err(),
                format!("a server certificate for hub.example passed as other.example: {resp:?}"),
            )?;
            // A client certificate from another CA: the TLS handshake fails.
            let stranger_ca = TestCa::new().map_err(|e| e.to_string())?;
            let stranger = PeerClient::new(
                Some(&stranger_ca.issue("follower.example").unwrap()),
                &ca,
                &peers,
                false,
            )
            .map_err(|e| e.to_string())?;
            let resp = stranger
                .request(reqwest::Method::GET, "hub.example", port, dir)
                .send()
                .await;
            ensure(
                resp.is_err(),
                format!("a certificate of another CA was accepted: {resp:?}"),
            )
        })
    })]
}
/// A run of the tests under `filter` against an implementation outside the process whose MIMI
/// endpoints would be at a port where nothing listens (its driver is what the test is about).
fn outside_plan(filter: &str, timeout: Duration) -> RunPlan {
    use mimi_conformance::harness::scenario::{IutEndpoint, IutRole, OutsideIut};
    RunPlan {
        tests: all_tests(ContentRev::Rev08),
        filters: vec![filter.into()],
        expectations: Expectations::default(),
        timeout,
        iut_endpoint: Some(IutEndpoint::Outside(OutsideIut {
            addr: "127.0.0.1:9".parse().expect("a socket address"),
            role: IutRole::Any,
            mode: Default::default(),
            grants_consent: false,
        })),
        jobs: 4,
    }
}

/// `mimi-conformance driver --listen 127.0.0.1:0 --mimi-listen 127.0.0.1:0 ARGS`: the reference
/// as an implementation outside the harness's process, with the addresses it printed; killed
/// when dropped.
struct OutsideReference {
    child: std::process::Child,
    driver: String,
    mimi: String,
}

impl OutsideReference {
    /// `run` of the protocol and policy suites (those of them under `filters`, if any) against
    /// it, the report written to `dir`.
    fn run_scenarios(&self, dir: &Path, filters: &[&str]) -> (i32, String, String) {
        let mut args = vec![
            "run",
            "-q",
            "--suite",
            "protocol",
            "--suite",
            "policy",
            "--iut-driver",
            &self.driver,
            "--iut-url",
            &self.mimi,
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(filters.iter().flat_map(|f| ["--filter", f]));
        cli(&args)
    }

    fn start(args: &[&str]) -> Result<Self, Failed> {
        use std::io::BufRead as _;
        let mut child = Command::new(bin())
            .args(["driver", "--listen", "127.0.0.1:0", "--mimi-listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the driver: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut me = OutsideReference {
            child,
            driver: String::new(),
            mimi: String::new(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while me.driver.is_empty() || me.mimi.is_empty() {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
                .map_err(|_| "the driver did not say where it listens")?;
            if let Some(url) = line.strip_prefix("driver listening on ") {
                me.driver = url.to_owned();
            } else if let Some(url) = line.strip_prefix("MIMI endpoints on ") {
                me.mimi = url.to_owned();
            }
        }
        Ok(me)
    }
}

impl Drop for OutsideReference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Test id → (status, message) of a report.json.
fn report_statuses(dir: &Path) -> Result<std::collections::BTreeMap<String, (String, String)>, Failed> {
    let text = std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(json["results"]
        .as_array()
        .ok_or("report.json has no results")?
        .iter()
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (field("id"), (field("status"), field("message")))
        })
        .collect())
}

/// The ids of the scenario tests.
fn scenario_ids() -> BTreeSet<String> {
    all_tests(ContentRev::Rev08)
        .into_iter()
        .filter(|t| matches!(t.check, mimi_conformance::suites::Check::Scenario(..)))
        .map(|t| t.id)
        .collect()
}

/// The tests under `filters` against the built-in implementation with `faults`, its scenarios'
/// provider behaving as the faults say.
fn run_builtin(faults: &[Fault], filters: &[&str]) -> Result<RunOutcome, Failed> {
    let r = Reference::new(ContentRev::Rev08, faults.iter().copied().collect(), catalogs());
    let plan = RunPlan {
        tests: all_tests(ContentRev::Rev08),
        filters: filters.iter().map(|f| f.to_string()).collect(),
        expectations: Expectations::default(),
        timeout: Duration::from_secs(10),
        iut_endpoint: Some(mimi_conformance::harness::scenario::IutEndpoint::Builtin(r.behaviour())),
        jobs: 4,
    };
    let driver = Driver::builtin(r.name(), Arc::new(r));
    Ok(runtime()
        .block_on(run(plan, &driver, |_, _| {}))
        .map_err(|e| e.to_string())?)
}

/// The scenario groups the fault trials run through the driver: where the hub, follower and
/// policy faults they switch on act (the whole suite through the driver runs in other trials).
const FAULT_GROUPS: [&str; 3] = ["protocol/3", "protocol/5.5", "policy/8"];

/// The scenario tests under `FAULT_GROUPS` that do not pass against the built-in implementation
/// with `faults`.
fn builtin_failures(faults: &[Fault]) -> Result<BTreeSet<String>, Failed> {
    let scenarios = scenario_ids();
    Ok(run_builtin(faults, &FAULT_GROUPS)?
        .results
        .into_iter()
        .filter(|r| scenarios.contains(&r.id) && !matches!(r.status, Status::Pass | Status::Skip))
        .map(|r| r.id)
        .collect())
}

/// The ids of the scenario tests that judge the implementation's own clients (`unsupported` for
/// a server-only implementation).
fn client_behaviour_ids() -> BTreeSet<String> {
    all_tests(ContentRev::Rev08)
        .into_iter()
        .filter(|t| matches!(&t.check, mimi_conformance::suites::Check::Scenario(s, _) if s.client_behaviour.is_some()))
        .map(|t| t.id)
        .collect()
}

/// The protocol scenarios against the reference outside the process: through its driver (HTTP)
/// and its MIMI endpoints at --iut-url, as a third party's implementation is tested.
fn outside_trials() -> Vec<Trial> {
    vec![
        Trial::test("driver/schema-describes-every-stateful-operation", || {
            let schema: serde_json::Value = serde_json::from_str(include_str!("../docs/driver.schema.json"))
                .map_err(|e| format!("driver.schema.json: {e}"))?;
            let defs = schema["$defs"].as_object().ok_or("no $defs")?;
            let mut problems: Vec<String> = mimi_conformance::driver::ops::STATEFUL
                .iter()
                .chain(mimi_conformance::driver::ops::SERVER_ONLY)
                .flat_map(|op| [format!("{op}.params"), format!("{op}.result")])
                .filter(|d| !defs.contains_key(d))
                .map(|d| format!("no $defs[{d:?}]"))
                .collect();
            // Every reference resolves.
            let mut stack = vec![&schema];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::Object(m) => {
                        if let Some(r) = m.get("$ref").and_then(|r| r.as_str())
                            && !r.strip_prefix("#/$defs/").is_some_and(|d| defs.contains_key(d))
                        {
                            problems.push(format!("$ref {r} resolves to nothing"));
                        }
                        stack.extend(m.values());
                    }
                    serde_json::Value::Array(a) => stack.extend(a),
                    _ => {}
                }
            }
            ensure(problems.is_empty(), problems.join("\n"))
        }),
        Trial::test(
            "driver/outside-implementation-requiring-consent-passes-every-scenario-the-builtin-passes",
            || {
                // A default-deny provider (noConsent without consent, §5.2): the harness has its
                // users grant consent first (`consent.grant`).
                let iut = OutsideReference::start(&["--require-consent"])?;
                let dir = temp_dir("outside");
                let (code, out, err) = iut.run_scenarios(&dir, &[]);
                ensure(code == 0, format!("exit {code}\n{out}\n{err}"))?;
                let outside = report_statuses(&dir)?;
                let scenarios = scenario_ids();
                let builtin = baseline();
                let passing: Vec<&str> = builtin
                    .results
                    .iter()
                    .filter(|r| scenarios.contains(&r.id) && r.status == Status::Pass)
                    .map(|r| r.id.as_str())
                    .collect();
                ensure(
                    passing.len() == scenarios.len() && passing.len() >= 30,
                    format!("{} of {} scenarios pass in process", passing.len(), scenarios.len()),
                )?;
                let differing: Vec<String> = passing
                    .iter()
                    .filter(|id| outside.get(**id).is_none_or(|(s, _)| s != "pass"))
                    .map(|id| format!("{id}: {:?}", outside.get(*id)))
                    .collect();
                ensure(differing.is_empty(), differing.join("\n"))
            },
        ),
        Trial::test(
            "driver/server-only-implementation-with-its-endpoints-elsewhere-runs-every-scenario-but-those-judging-its-clients",
            || {
                // Its endpoints are where its directory says, not under /v1 (§5.1).
                let iut = OutsideReference::start(&["--mode", "server-only", "--endpoint-prefix", "/mimi/v2"])?;
                let dir = temp_dir("server-only");
                let (code, out, err) = iut.run_scenarios(&dir, &[]);
                ensure(code == 0, format!("exit {code}\n{out}\n{err}"))?;
                let report: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?)
                        .map_err(|e| e.to_string())?;
                ensure(
                    report["iut"]["mode"] == "server-only",
                    format!("mode {}", report["iut"]["mode"]),
                )?;
                let statuses = report_statuses(&dir)?;
                // The scenarios that judge the implementation's own clients, and only those, are
                // unsupported: the harness's clients play its users in all the others.
                let client_behaviour = client_behaviour_ids();
                let scenarios = scenario_ids();
                let executed: BTreeSet<&String> = scenarios
                    .iter()
                    .filter(|id| statuses.get(*id).is_some_and(|(s, _)| s == "pass"))
                    .collect();
                let unsupported: BTreeSet<String> = scenarios
                    .iter()
                    .filter(|id| {
                        statuses
                            .get(*id)
                            .is_some_and(|(s, m)| s == "unsupported" && m.contains("own clients"))
                    })
                    .cloned()
                    .collect();
                ensure(
                    client_behaviour.len() >= 2
                        && unsupported == client_behaviour
                        && executed.len() == scenarios.len() - client_behaviour.len(),
                    format!(
                        "{} scenarios, {} pass, unsupported {unsupported:?}, judging the clients {client_behaviour:?}",
                        scenarios.len(),
                        executed.len()
                    ),
                )
            },
        ),
        Trial::test(
            "driver/server-only-implementation-with-faults-fails-the-scenarios-the-builtin-fails",
            || {
                // The hub's, the follower's and the policy engine's faults trip the same scenarios
                // when the harness's clients play the implementation's users.
                let names = ["hub-drops-welcome", "notify-answers-200", "policy:ignore-capabilities"];
                let faults: Vec<Fault> = names.iter().filter_map(|n| Fault::from_name(n)).collect();
                let mut args = vec!["--mode", "server-only"];
                args.extend(names.iter().flat_map(|n| ["--fault", n]));
                let iut = OutsideReference::start(&args)?;
                let dir = temp_dir("server-only-faults");
                let (code, out, err) = iut.run_scenarios(&dir, &FAULT_GROUPS);
                ensure(code == 1, format!("exit {code}\n{out}\n{err}"))?;
                // The failures' transcripts hold each `configure`, without its private key.
                let json = std::fs::read_to_string(dir.join("report.json")).map_err(|e| e.to_string())?;
                ensure(
                    !json.contains("PRIVATE KEY") && json.contains("(a private key, not recorded)"),
                    "report.json holds a private key, or no configure at all",
                )?;
                let scenarios = scenario_ids();
                let outside: BTreeSet<String> = report_statuses(&dir)?
                    .into_iter()
                    .filter(|(id, (s, _))| scenarios.contains(id) && s == "fail")
                    .map(|(id, _)| id)
                    .collect();
                let client_behaviour = client_behaviour_ids();
                let builtin: BTreeSet<String> = builtin_failures(&faults)?
                    .into_iter()
                    .filter(|id| !client_behaviour.contains(id))
                    .collect();
                ensure(
                    outside == builtin && outside.contains("protocol/3.2/add-user-from-hub@cs1"),
                    format!(
                        "server-only, not in process: {:?}\nin process, not server-only: {:?}",
                        outside.difference(&builtin).collect::<Vec<_>>(),
                        builtin.difference(&outside).collect::<Vec<_>>()
                    ),
                )
            },
        ),
        Trial::test(
            "driver/outside-implementation-with-faults-fails-the-scenarios-the-builtin-fails",
            || {
                // A hub fault, a follower fault and a policy-enforcement fault: the checks of
                // both roles and of the policy scenarios trip through the driver.
                let names = ["hub-drops-welcome", "notify-answers-200", "policy:ignore-capabilities"];
                let faults: Vec<Fault> = names.iter().filter_map(|n| Fault::from_name(n)).collect();
                ensure(faults.len() == names.len(), format!("unknown fault among {names:?}"))?;
                let iut = OutsideReference::start(&names.iter().flat_map(|n| ["--fault", n]).collect::<Vec<_>>())?;
                let dir = temp_dir("outside-faults");
                let (code, out, err) = iut.run_scenarios(&dir, &FAULT_GROUPS);
                ensure(code == 1, format!("exit {code}\n{out}\n{err}"))?;
                let scenarios = scenario_ids();
                let outside: BTreeSet<String> = report_statuses(&dir)?
                    .into_iter()
                    .filter(|(id, (s, _))| scenarios.contains(id) && s != "pass" && s != "skip")
                    .map(|(id, _)| id)
                    .collect();
                // In process, the scenarios' provider behaves as the faults say.
                let builtin = builtin_failures(&faults)?;
                ensure(
                    outside == builtin
                        && outside.contains("protocol/3.2/add-user-from-hub@cs1")
                        && outside.contains("protocol/3.2/add-user-of-follower@cs1")
                        && outside.contains("policy/8.1.3/hub-refuses-ban-without-capability"),
                    format!("outside {outside:?}\nin process {builtin:?}"),
                )
            },
        ),
        Trial::test(
            "hostile/an-iut-url-where-nothing-listens-is-an-error-per-scenario",
            || {
                let iut = OutsideReference::start(&[])?;
                let dead = std::net::TcpListener::bind("127.0.0.1:0")
                    .and_then(|l| l.local_addr())
                    .map_err(|e| e.to_string())?;
                let dir = temp_dir("outside-dead");
                let started = std::time::Instant::now();
                let (code, out, err) = cli(&[
                    "run",
                    "-q",
                    "--suite",
                    "protocol",
                    "--filter",
                    "protocol/3",
                    "--filter",
                    "protocol/4.1/",
                    "--iut-driver",
                    &iut.driver,
                    "--iut-url",
                    &format!("https://{dead}"),
                    "--timeout",
                    "5",
                    "--out",
                    dir.to_str().unwrap(),
                ]);
                ensure(code == 1, format!("exit {code}\n{out}\n{err}"))?;
                ensure(
                    started.elapsed() < Duration::from_secs(60),
                    format!("took {:?}", started.elapsed()),
                )?;
                let scenarios = scenario_ids();
                let results = report_statuses(&dir)?;
                let ran: Vec<_> = results
                    .iter()
                    .filter(|(id, (s, _))| scenarios.contains(*id) && s != "skip")
                    .collect();
                ensure(ran.len() >= 20, format!("{} scenarios ran", ran.len()))?;
                let wrong: Vec<String> = ran
                    .iter()
                    .filter(|(_, (s, m))| {
                        s != "error" || !m.contains(&dead.to_string()) || !m.contains("do not accept connections")
                    })
                    .map(|(id, r)| format!("{id}: {r:?}"))
                    .collect();
                ensure(wrong.is_empty(), wrong.join("\n"))
            },
        ),
        Trial::test(
            "hostile/an-outside-implementation-that-misnames-its-users-is-an-error",
            || {
                // Answers every operation at once; user.create with a user of another domain.
                let script = r#"while read l; do id=$(echo "$l" | sed -E 's/^\{"id":([0-9]+),.*/\1/'); case "$l" in
                *'"op":"capabilities"'*) echo "{\"id\":$id,\"result\":{\"driver\":\"1\",\"name\":\"misnamer\",\"version\":\"0\",\"ops\":[\"reset\",\"configure\",\"user.create\",\"room.create\",\"room.state\"]}}";;
                *'"op":"user.create"'*) echo "{\"id\":$id,\"result\":{\"user\":\"mimi://elsewhere.example/u/x\",\"clients\":[]}}";;
                *) echo "{\"id\":$id,\"result\":{}}";;
                esac; done"#;
                let rt = runtime();
                let driver = rt
                    .block_on(async { Driver::stdio(script) })
                    .map_err(|e| e.to_string())?;
                let plan = outside_plan("protocol/3.1/", Duration::from_secs(5));
                let o = rt.block_on(run(plan, &driver, |_, _| {})).map_err(|e| e.to_string())?;
                let scenarios = scenario_ids();
                let ran: Vec<_> = o
                    .results
                    .iter()
                    .filter(|r| scenarios.contains(&r.id) && r.status != Status::Skip)
                    .collect();
                ensure(
                    ran.len() == 2
                        && ran
                            .iter()
                            .all(|r| r.status == Status::Error && r.message.contains("mimi://elsewhere.example/u/x")),
                    format!(
                        "{:?}",
                        ran.iter().map(|r| (&r.id, r.status, &r.message)).collect::<Vec<_>>()
                    ),
                )
            },
        ),
        Trial::test(
            "hostile/a-silent-mimi-endpoint-is-a-timeout-of-the-run-s-own-length",
            || {
                // The implementation's MIMI endpoint takes connections and never answers: the
                // simulated providers wait --timeout too, so the step reads as a timeout of that
                // length, not as a transport failure after a fixed wait of their own.
                let silent = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
                let port = silent.local_addr().map_err(|e| e.to_string())?.port();
                std::thread::spawn(move || {
                    let held: Vec<_> = silent.incoming().take(64).collect();
                    std::thread::sleep(Duration::from_secs(60));
                    drop(held);
                });
                let iut = OutsideReference::start(&[])?;
                let dir = temp_dir("silent-mimi");
                let url = format!("https://127.0.0.1:{port}");
                let (code, out, err) = cli(&[
                    "run",
                    "-q",
                    "--filter",
                    "protocol/3.4/send-message-fans-out@cs1",
                    "--iut-driver",
                    &iut.driver,
                    "--iut-url",
                    &url,
                    "--timeout",
                    "2",
                    "--out",
                    dir.to_str().expect("utf-8 path"),
                ]);
                let statuses = report_statuses(&dir)?;
                let (status, message) = statuses
                    .get("protocol/3.4/send-message-fans-out@cs1")
                    .ok_or(format!("no result; exit {code}\n{out}\n{err}"))?;
                ensure(
                    code == 1 && status == "timeout" && message.contains("no answer within 2s"),
                    format!("exit {code}: {status}: {message}"),
                )
            },
        ),
        Trial::test("hostile/wide-wrong-answers-cost-bounded-memory-and-report", || {
            // Every answer is a 0.5 MB JSON array of 250,000 elements, where an object is due. (Peak RSS
            // counts what malloc keeps after freeing, which varies with load: the bound leaves room.)
            let script = r#"big=$(yes 0, | head -n 250000 | tr -d '\n')0
read l; echo '{"id":1,"result":{"driver":"1","name":"wide","version":"0","ops":["content.decode"]}}'
i=2; while read l; do printf '{"id":%d,"result":{"accepted":true,"content":[%s]}}\n' $i "$big"; i=$((i+1)); done"#;
            let dir = temp_dir("wide");
            let child = std::process::Command::new(bin())
                .args([
                    "run",
                    "--quiet",
                    "--suite",
                    "content",
                    "--filter",
                    "content/5.*/decode-example-*",
                    "--timeout",
                    "60",
                ])
                .args(["--iut-driver-cmd", script, "--out", dir.to_str().expect("utf-8 path")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| e.to_string())?;
            // The peak of the binary itself: its VmHWM, read until it exits (not rusage, whose
            // maxrss also counts the test process's pages the child had before its exec).
            let mut child = child;
            let status_file = format!("/proc/{}/status", child.id());
            let mut peak_kib = 0u64;
            while child.try_wait().map_err(|e| e.to_string())?.is_none() {
                let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                });
                peak_kib = peak_kib.max(hwm.unwrap_or(0));
                std::thread::sleep(Duration::from_millis(5));
            }
            let peak_mib = peak_kib / 1024;
            let report = std::fs::metadata(dir.join("report.json"))
                .map_err(|e| e.to_string())?
                .len();
            let results = report_statuses(&dir)?;
            let judged = results.values().filter(|(s, _)| s != "skip" && s != "pass").count();
            ensure(
                judged >= 8 && peak_mib <= 256 && report <= 10 << 20,
                format!("{judged} judged, peak {peak_mib} MiB, report.json {report} bytes"),
            )
        }),
        Trial::test("hostile/a-provider-refusing-everything-passes-no-refusal-test", || {
            // Each §4.1 refusal by status has a control that must get through first: a 403 for
            // everything proves nothing, and fails. (The TLS refusals have their control already;
            // a 403 after the handshake still shows the handshake took the right certificate.)
            let o = run_builtin(&[Fault::DoorRefusesEverything], &["protocol/4.1/"])?;
            let not_failed: Vec<String> = [
                "protocol/4.1/reject-from-without-mimi-local-part",
                "protocol/4.1/reject-from-not-matching-certificate",
                "protocol/4.1/reject-host-naming-another-provider",
            ]
            .into_iter()
            .filter(|id| !o.results.iter().any(|r| r.id == *id && r.status == Status::Fail))
            .map(str::to_owned)
            .collect();
            ensure(not_failed.is_empty(), format!("not failed: {not_failed:?}"))
        }),
        Trial::test(
            "hostile/a-mimi-endpoint-speaking-plain-http-is-named-by-its-cause",
            || {
                // It answers a TLS ClientHello with a plain HTTP response: the failure says what
                // broke (the TLS layer's complaint), not only "error sending request for url".
                let plain = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
                let port = plain.local_addr().map_err(|e| e.to_string())?.port();
                std::thread::spawn(move || {
                    use std::io::Write;
                    for mut c in plain.incoming().take(64).flatten() {
                        let _ = c.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                    }
                });
                let iut = OutsideReference::start(&[])?;
                let dir = temp_dir("plain-mimi");
                let url = format!("https://127.0.0.1:{port}");
                let (code, out, err) = cli(&[
                    "run",
                    "-q",
                    "--filter",
                    "protocol/3.4/send-message-fans-out@cs1",
                    "--iut-driver",
                    &iut.driver,
                    "--iut-url",
                    &url,
                    "--out",
                    dir.to_str().expect("utf-8 path"),
                ]);
                let statuses = report_statuses(&dir)?;
                let (status, message) = statuses
                    .get("protocol/3.4/send-message-fans-out@cs1")
                    .ok_or(format!("no result; exit {code}\n{out}\n{err}"))?;
                ensure(
                    code == 1 && status != "pass" && message.to_lowercase().contains("corrupt message"),
                    format!("exit {code}: {status}: {message}"),
                )
            },
        ),
        Trial::test(
            "hostile/a-silent-outside-implementation-times-out-then-stops-being-asked",
            || {
                // Lists every stateful operation, then never answers.
                let script = r#"read l; echo '{"id":1,"result":{"driver":"1","name":"silent","version":"0","ops":["reset","configure","user.create","room.create","room.add","room.remove","room.leave","room.commit","room.state","message.send","message.list"]}}'; sleep 30"#;
                let rt = runtime();
                let driver = rt
                    .block_on(async { Driver::stdio(script) })
                    .map_err(|e| e.to_string())?;
                let plan = outside_plan("protocol/3", Duration::from_millis(300));
                let started = std::time::Instant::now();
                let o = rt.block_on(run(plan, &driver, |_, _| {})).map_err(|e| e.to_string())?;
                ensure(
                    started.elapsed() < Duration::from_secs(20),
                    format!("took {:?}", started.elapsed()),
                )?;
                let scenarios = scenario_ids();
                let statuses: Vec<Status> = o
                    .results
                    .iter()
                    .filter(|r| scenarios.contains(&r.id) && r.status != Status::Skip)
                    .map(|r| r.status)
                    .collect();
                ensure(
                    statuses.len() > 3
                        && statuses[..3].iter().all(|s| *s == Status::Timeout)
                        && statuses[3..].iter().all(|s| *s == Status::Error),
                    format!("{statuses:?}"),
                )
            },
        ),
    ]
}

// ---- report.html, matrix, the CI action (issue 13) ----

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

fn report_html_trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "report/html-escapes-hostile-strings-caps-transcripts-and-loads-nothing",
            || {
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
            },
        ),
        Trial::test(
            "cli/matrix-sets-reports-side-by-side-one-table-per-draft-revision",
            || {
                let dir = temp_dir("matrix");
                let run = |name: &str, extra: &[&str]| -> Result<PathBuf, Failed> {
                    let out = dir.join(name);
                    let mut args = vec![
                        "run",
                        "-q",
                        "--filter",
                        "content/3.3/message-id-example-",
                        "--filter",
                        "content/4.1/",
                    ];
                    args.extend_from_slice(extra);
                    args.extend_from_slice(&["--out", out.to_str().ok_or("path")?]);
                    let (code, stdout, stderr) = cli(&args);
                    ensure(code <= 1, format!("{name}: exit {code}\n{stdout}\n{stderr}"))?;
                    Ok(out.join("report.json"))
                };
                let adapter = target_dir().join("examples").join("content_adapter");
                let reports = [
                    run("reference", &[])?,
                    run("faulty", &["--fault", "message-id-wrong-revision"])?,
                    run("adapter", &["--iut-driver-cmd", adapter.to_str().ok_or("path")?])?,
                    run("rev07", &["--content-rev", "07"])?,
                ];
                let out = dir.join("matrix");
                let mut args = vec!["matrix"];
                args.extend(reports.iter().map(|p| p.to_str().unwrap_or("")));
                args.extend(["--out", out.to_str().ok_or("path")?]);
                let (code, stdout, stderr) = cli(&args);
                ensure(code == 0, format!("exit {code}\n{stdout}\n{stderr}"))?;
                let md = std::fs::read_to_string(out.join("matrix.md")).map_err(|e| e.to_string())?;
                let html = std::fs::read_to_string(out.join("matrix.html")).map_err(|e| e.to_string())?;
                // The -07 run has its own table, with only its column; -08 has the other three.
                let table = |title: &str| -> String {
                    md.split("\n## ")
                        .find(|t| t.starts_with(title))
                        .unwrap_or("")
                        .to_owned()
                };
                let (t07, t08) = (
                    table("draft-ietf-mimi-content-07\n"),
                    table("draft-ietf-mimi-content-08\n"),
                );
                let header = |t: &str| {
                    t.lines()
                        .find(|l| l.starts_with("| § |"))
                        .unwrap_or("")
                        .matches(" |")
                        .count()
                };
                ensure(
                    header(&t07) == 3 && header(&t08) == 5 && t07.contains("(rev07)") && !t08.contains("(rev07)"),
                    format!("tables:\n{t07}\n{t08}"),
                )?;
                // The faulty implementation's §3.3 cell: fail, linking to its first failing test.
                let row = t08.lines().find(|l| l.starts_with("| 3.3 |")).ok_or("no §3.3 row")?;
                ensure(
                    row.contains("[**pass**")
                        && row.contains("[**fail** (")
                        && row.contains("](../faulty/report.html#t-content/3.3/message-id-example-"),
                    format!("§3.3 row: {row}"),
                )?;
                let target = row
                    .split("](../faulty/report.html#")
                    .nth(1)
                    .and_then(|s| s.split(')').next())
                    .ok_or("no link")?;
                let faulty_page = std::fs::read_to_string(dir.join("faulty/report.html")).map_err(|e| e.to_string())?;
                ensure(
                    faulty_page.replace("&#x2f;", "/").contains(&format!("id=\"{target}\"")),
                    format!("{target} is no anchor of faulty/report.html"),
                )?;
                ensure(
                    html.contains("draft-ietf-mimi-content-07") && md.contains("not yet available"),
                    "matrix.html lacks the -07 table or the roles note",
                )?;
                // A hostile implementation name is text, and a recorded role is shown.
                let mut json: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&reports[0]).map_err(|e| e.to_string())?)
                        .map_err(|e| e.to_string())?;
                json["iut"]["name"] = "<script>alert(1)</script>".into();
                let hostile = dir.join("hostile.json");
                std::fs::write(&hostile, json.to_string()).map_err(|e| e.to_string())?;
                let (code, _, stderr) = cli(&[
                    "matrix",
                    hostile.to_str().ok_or("path")?,
                    "--out",
                    out.to_str().ok_or("path")?,
                ]);
                let html = std::fs::read_to_string(out.join("matrix.html")).map_err(|e| e.to_string())?;
                ensure(
                    code == 0 && !html.contains("<script") && html.contains("&lt;script&gt;"),
                    format!("exit {code} {stderr}"),
                )?;
                // Bad input: exit 2, naming the file (and the field).
                let notjson = dir.join("not-json.json");
                std::fs::write(&notjson, "{ nope").map_err(|e| e.to_string())?;
                let other = dir.join("other-schema.json");
                std::fs::write(&other, r#"{"schema":"something/else","drafts":{},"results":[]}"#)
                    .map_err(|e| e.to_string())?;
                let badstatus = dir.join("bad-status.json");
                json["results"][1]["status"] = "great".into();
                std::fs::write(&badstatus, json.to_string()).map_err(|e| e.to_string())?;
                let missing = dir.join("missing.json");
                for (f, says) in [
                    (&notjson, "not JSON"),
                    (&other, "schema"),
                    (&badstatus, "results[1].status"),
                    (&missing, "cannot read"),
                ] {
                    let (code, _, stderr) = cli(&[
                        "matrix",
                        reports[0].to_str().ok_or("path")?,
                        f.to_str().ok_or("path")?,
                        "--out",
                        out.to_str().ok_or("path")?,
                    ]);
                    ensure(
                        code == 2
                            && stderr.contains(f.to_str().unwrap_or(""))
                            && stderr.contains(says)
                            && !stderr.contains("panicked"),
                        format!("{}: exit {code}: {stderr}", f.display()),
                    )?;
                }
                Ok(())
            },
        ),
        Trial::test(
            "cli/action-yml-inputs-are-the-documented-ones-and-actionlint-accepts-the-example",
            || {
                let root = Path::new(env!("CARGO_MANIFEST_DIR"));
                let read = |f: &str| std::fs::read_to_string(root.join(f)).map_err(|e| format!("{f}: {e}"));
                let action: serde_json::Value =
                    serde_saphyr::from_str(&read("action.yml")?).map_err(|e| format!("action.yml: {e}"))?;
                ensure(
                    action["runs"]["using"] == "composite",
                    "action.yml is not a composite action",
                )?;
                let inputs: BTreeSet<String> = action["inputs"]
                    .as_object()
                    .ok_or("action.yml has no inputs")?
                    .keys()
                    .cloned()
                    .collect();
                let steps = action["runs"]["steps"].as_array().ok_or("no steps")?;
                let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
                let runs: String = steps.iter().filter_map(|s| s["run"].as_str()).collect();
                ensure(
                    uses.iter().any(|u| u.starts_with("actions/upload-artifact@"))
                        && runs.contains("cargo install")
                        && runs.contains("mimi-conformance \"${args[@]}\"")
                        && runs.contains("exit \"$CODE\""),
                    "action.yml does not build, run, upload and fail on the exit code",
                )?;
                // Every input the action reads is declared, and every declared one is read.
                let text = read("action.yml")?;
                for i in &inputs {
                    ensure(
                        text.contains(&format!("inputs.{i} }}}}")),
                        format!("input {i} is never used"),
                    )?;
                }
                // The README's list and docs/ci.md's table are the action's inputs, exactly.
                let backticked = |line: &str| -> BTreeSet<String> {
                    line.split('`').skip(1).step_by(2).map(str::to_owned).collect()
                };
                let readme = read("README.md")?;
                let listed = readme
                    .split_once("Its inputs:")
                    .map(|(_, rest)| backticked(rest.split(".\n").next().unwrap_or("")))
                    .ok_or("README.md has no `Its inputs:` sentence for the action")?;
                ensure(
                    listed == inputs,
                    format!("README lists {listed:?}, action.yml has {inputs:?}"),
                )?;
                let ci = read("docs/ci.md")?;
                let table: BTreeSet<String> = ci
                    .lines()
                    .filter(|l| l.starts_with("| `"))
                    .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
                    .collect();
                ensure(
                    table == inputs,
                    format!("docs/ci.md lists {table:?}, action.yml has {inputs:?}"),
                )?;
                // The example workflow: YAML, using the action with declared inputs only.
                let example = ci
                    .split("```yaml\n")
                    .nth(1)
                    .and_then(|s| s.split("```").next())
                    .ok_or("docs/ci.md has no yaml example")?;
                let workflow: serde_json::Value =
                    serde_saphyr::from_str(example).map_err(|e| format!("docs/ci.md example: {e}"))?;
                let step = workflow["jobs"]["conformance"]["steps"]
                    .as_array()
                    .and_then(|s| {
                        s.iter().find(|s| {
                            s["uses"]
                                .as_str()
                                .is_some_and(|u| u.starts_with("mimi-conformance/mimi-conformance@"))
                        })
                    })
                    .ok_or("the example does not use the action")?;
                let with: BTreeSet<String> = step["with"].as_object().ok_or("no with:")?.keys().cloned().collect();
                ensure(with.is_subset(&inputs), format!("the example passes {with:?}"))?;
                // actionlint, where there is one: the example against the action itself (`uses: ./`).
                let Some(actionlint) = std::env::var_os("PATH").and_then(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("actionlint"))
                        .find(|p| p.is_file())
                }) else {
                    eprintln!("note: actionlint is not on PATH: cli/action-yml-... checked action.yml as YAML only");
                    return Ok(());
                };
                let dir = temp_dir("actionlint");
                std::fs::create_dir_all(dir.join(".github/workflows")).map_err(|e| e.to_string())?;
                std::fs::write(dir.join("action.yml"), &text).map_err(|e| e.to_string())?;
                let local = example.replace("uses: mimi-conformance/mimi-conformance@main", "uses: ./");
                std::fs::write(dir.join(".github/workflows/conformance.yml"), local).map_err(|e| e.to_string())?;
                let out = Command::new(actionlint)
                    .arg("-no-color")
                    .current_dir(&dir)
                    .output()
                    .map_err(|e| e.to_string())?;
                ensure(
                    out.status.success(),
                    format!(
                        "actionlint:\n{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ),
                )
            },
        ),
        Trial::test(
            "report/html-filters-and-a-failure-transcript-render-in-headless-chromium",
            || {
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
            },
        ),
    ]
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

// --- diff, --partition + merge, the progress line (issue 13 parts 3, 4, 6) ---

/// `run --suite content --quiet --out DIR` plus `extra`; its exit code.
fn content_run(dir: &Path, extra: &[&str]) -> Result<i32, Failed> {
    let out = dir.to_str().ok_or("a UTF-8 temp path")?;
    let mut args = vec!["run", "--quiet", "--suite", "content", "--out", out];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = cli(&args);
    ensure(
        matches!(code, 0 | 1) && dir.join("report.json").exists(),
        format!("{args:?}: exit {code}\n{stdout}{stderr}"),
    )?;
    Ok(code)
}

fn json_of(path: &Path) -> Result<serde_json::Value, Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// The ids of a report.json's results with one of `statuses`.
fn ids_with(report: &serde_json::Value, statuses: &[&str]) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| statuses.iter().any(|s| r["status"] == *s))
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

fn report_tool_trials() -> Vec<Trial> {
    let script = Path::new("/usr/bin/script").exists();
    vec![
        Trial::test("report/report-json-reads-back-as-it-was-written", || {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/reference/report.json");
            let report = mimi_conformance::report::read_report(&path).map_err(|e| e.to_string())?;
            let again = serde_json::to_value(&report).map_err(|e| e.to_string())?;
            ensure(again == json_of(&path)?, "report.json read and written again differs")
        }),
        Trial::test("report/diff-lists-new-failures-exits-1-and-fixes-exit-0", || {
            let dir = temp_dir("diff");
            let (clean, faulty, rev07) = (dir.join("clean"), dir.join("faulty"), dir.join("rev07"));
            content_run(&clean, &[])?;
            content_run(&faulty, &["--fault", "message-id-wrong-revision"])?;
            content_run(&rev07, &["--content-rev", "07"])?;
            let failing = ids_with(&json_of(&faulty.join("report.json"))?, &["fail"]);
            ensure(failing.len() > 10, format!("the fault fails only {failing:?}"))?;
            let section = |md: &str, title: &str| {
                md.split("\n### ")
                    .find(|s| s.starts_with(title))
                    .unwrap_or("")
                    .to_owned()
            };
            let path = |p: &Path| p.to_str().unwrap_or("").to_owned();
            let (code, md, err) = cli(&["diff", &path(&clean.join("report.json")), &path(&faulty)]);
            let news = section(&md, "New failures");
            ensure(
                code == 1
                    && news.starts_with(&format!("New failures ({})", failing.len()))
                    && failing.iter().all(|id| news.contains(&format!("`{id}` | pass | fail")))
                    && !md.contains("### Fixes"),
                format!("clean → faulty: exit {code}\n{md}{err}"),
            )?;
            let out = dir.join("comment.md");
            let (code, stdout, err) = cli(&["diff", &path(&faulty), &path(&clean), "--out", &path(&out)]);
            let md = std::fs::read_to_string(&out).unwrap_or_default();
            let fixes = section(&md, "Fixes");
            ensure(
                code == 0
                    && stdout.starts_with(&format!("0 new failures, {} fixes", failing.len()))
                    && failing
                        .iter()
                        .all(|id| fixes.contains(&format!("`{id}` | fail | pass")))
                    && !md.contains("### New failures"),
                format!("faulty → clean: exit {code}\n{stdout}{err}\n{md}"),
            )?;
            let (code, md, _) = cli(&["diff", &path(&clean), &path(&rev07)]);
            ensure(
                code == 0 && md.contains("different draft revisions**: draft-ietf-mimi-content -08 → -07"),
                format!("-08 → -07: exit {code}\n{md}"),
            )?;
            std::fs::write(
                dir.join("broken.json"),
                "{\n  \"schema\": \"mimi-conformance/report/v1\",\n  oops\n}",
            )
            .map_err(|e| e.to_string())?;
            std::fs::write(dir.join("other.json"), "{\"schema\": \"something/else\"}").map_err(|e| e.to_string())?;
            let cases = [
                ("missing.json", "missing.json: cannot read"),
                ("broken.json", "broken.json:3:3: not JSON"),
                ("other.json", "other.json: not a report.json of schema"),
                ("clean/report.md", "report.md:1:1: not JSON"),
            ];
            let mut wrong = Vec::new();
            let (code, _, err) = cli(&["diff", "/dev/zero", &path(&clean)]);
            if code != 2 || !err.contains("/dev/zero:1:1: not JSON") {
                wrong.push(format!("/dev/zero: exit {code}, {err:?}"));
            }
            for (file, says) in cases {
                let (code, _, err) = cli(&["diff", &path(&dir.join(file)), &path(&clean)]);
                if code != 2 || !err.contains(says) || err.contains("panicked") {
                    wrong.push(format!("{file}: exit {code}, {err:?}"));
                }
            }
            ensure(wrong.is_empty(), wrong.join("\n"))
        }),
        Trial::test("report/partition-1-2-3-of-3-merged-equals-the-whole-run", || {
            let dir = temp_dir("shards");
            let fault = ["--fault", "message-id-wrong-revision"];
            let whole = dir.join("whole");
            content_run(&whole, &fault)?;
            let mut shards = Vec::new();
            for k in 1..=3 {
                let shard = dir.join(format!("shard{k}"));
                content_run(&shard, &[fault[0], fault[1], "--partition", &format!("{k}/3")])?;
                shards.push(shard.to_str().unwrap_or("").to_owned());
            }
            let merged = dir.join("merged");
            let out = merged.to_str().unwrap_or("");
            let (code, stdout, err) = cli(&["merge", &shards[0], &shards[1], &shards[2], "--out", out]);
            ensure(code == 1, format!("merge of a faulty run: exit {code}\n{stdout}{err}"))?;
            let (a, b) = (
                json_of(&whole.join("report.json"))?,
                json_of(&merged.join("report.json"))?,
            );
            let statuses = |r: &serde_json::Value| -> Vec<(String, String)> {
                r["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| (t["id"].to_string(), t["status"].to_string()))
                    .collect()
            };
            ensure(
                statuses(&a) == statuses(&b),
                "the merged results are not the whole run's",
            )?;
            for field in [
                "summary",
                "executed",
                "coverage",
                "failures",
                "causes",
                "other_reason",
                "drafts",
            ] {
                ensure(
                    a[field] == b[field],
                    format!("merged {field} differs: {} vs {}", a[field], b[field]),
                )?;
            }
            ensure(!b["causes"].as_array().is_none_or(Vec::is_empty), "no cause to compare")?;
            // Each shard ran about a third, none ran everything.
            let total = statuses(&a).len();
            for s in &shards {
                let n = statuses(&json_of(&Path::new(s).join("report.json"))?).len();
                ensure(n * 3 <= total + 2 && n * 3 + 2 >= total, format!("{s}: {n} of {total}"))?;
            }
            let md = |d: &Path| {
                std::fs::read_to_string(d.join("report.md"))
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| !l.contains("**Started:**"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            ensure(md(&whole) == md(&merged), "report.md differs beyond its timestamps")?;
            // junit.xml without its times.
            let junit = |d: &Path| {
                let xml = std::fs::read_to_string(d.join("junit.xml")).unwrap_or_default();
                let mut out = String::new();
                for (i, part) in xml.split(" time=\"").enumerate() {
                    out.push_str(if i == 0 {
                        part
                    } else {
                        part.split_once('"').map_or("", |(_, rest)| rest)
                    });
                }
                out
            };
            ensure(
                junit(&whole) == junit(&merged) && junit(&whole).contains("<testcase"),
                "junit.xml differs beyond its times",
            )?;
            // Refused: a shard twice, a shard missing, another count, implementation or revision.
            let other = |name: &str, extra: &[&str]| -> Result<String, Failed> {
                let d = dir.join(name);
                content_run(&d, &[&["--filter", "content/3.3/message-id-example-"], extra].concat())?;
                Ok(d.to_str().unwrap_or("").to_owned())
            };
            let half = other("half", &[fault[0], fault[1], "--partition", "1/2"])?;
            let clean = other("clean", &["--partition", "2/3"])?;
            let rev07 = other(
                "rev07",
                &[fault[0], fault[1], "--content-rev", "07", "--partition", "2/3"],
            )?;
            let refusals: [(&[&str], &str); 6] = [
                (&[&shards[0], &shards[0], &shards[2]], "both shard 1/3"),
                (&[&shards[0], &shards[2]], "shard 2/3 missing"),
                (&[&shards[0], &half], "different partition counts"),
                (&[&shards[0], &clean, &shards[2]], "different implementations"),
                (&[&shards[0], &rev07, &shards[2]], "different draft revisions"),
                (&[&shards[0], whole.to_str().unwrap_or("")], "a shard with a whole run"),
            ];
            let mut wrong = Vec::new();
            for (inputs, says) in refusals {
                let mut args = vec!["merge"];
                args.extend_from_slice(inputs);
                args.extend_from_slice(&["--out", out]);
                let (code, _, err) = cli(&args);
                if code != 2 || !err.contains(says) {
                    wrong.push(format!("{inputs:?}: exit {code}, {err:?} (want {says:?})"));
                }
            }
            let overlap = cli(&[
                "merge",
                whole.to_str().unwrap_or(""),
                whole.to_str().unwrap_or(""),
                "--out",
                out,
            ]);
            if overlap.0 != 2 || !overlap.2.contains("the reports overlap") {
                wrong.push(format!("a whole run twice: {overlap:?}"));
            }
            for bad in ["0/3", "4/3", "3", "1/0"] {
                let (code, _, err) = cli(&["run", "--partition", bad, "--out", out]);
                if code != 2 || !err.contains("--partition") {
                    wrong.push(format!("--partition {bad}: exit {code}, {err:?}"));
                }
            }
            ensure(wrong.is_empty(), wrong.join("\n"))
        }),
        Trial::test("cli/progress-line-on-a-terminal-only-and-not-with-quiet", || {
            // `script` gives the run a terminal; a pipe (cli()) does not.
            let dir = temp_dir("progress");
            let out = dir.to_str().unwrap_or("");
            let on_tty = |quiet: &str| -> Result<String, Failed> {
                let cmd = format!(
                    "{} run {quiet} --suite content --filter content/3.3/message-id-example- --out {out}",
                    bin().display()
                );
                let o = Command::new("script")
                    .args(["-qec", &cmd, "/dev/null"])
                    .output()
                    .map_err(|e| format!("script: {e}"))?;
                Ok(String::from_utf8_lossy(&o.stdout).into_owned())
            };
            let shown = on_tty("")?;
            let selected = 14;
            ensure(
                shown.contains(&format!(
                    "\r\x1b[2K[{selected}/{selected} tests] 0 failed · content/3.3/"
                )) && shown.contains("PASS        content/3.3/message-id-example-original"),
                format!("no progress line on a terminal: {shown:?}"),
            )?;
            let quiet = on_tty("--quiet")?;
            ensure(
                !quiet.contains("\x1b[2K") && quiet.contains("14 pass"),
                format!("--quiet: {quiet:?}"),
            )?;
            let (code, stdout, stderr) = cli(&[
                "run",
                "--suite",
                "content",
                "--filter",
                "content/3.3/message-id-example-",
                "--out",
                out,
            ]);
            ensure(
                code == 0 && !stderr.contains("\x1b") && !stdout.contains("\x1b") && !stderr.contains("tests]"),
                format!("not a terminal: exit {code}, {stdout:?} {stderr:?}"),
            )
        })
        .with_ignored_flag(!script),
    ]
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vector_trials();
    trials.extend(suite_trials());
    trials.extend(checks());
    trials.extend(https_trials());
    trials.extend(outside_trials());
    trials.extend(report_html_trials());
    trials.extend(report_tool_trials());
    trials.extend(hostile_time::trials());
    libtest_mimic::run(&args, trials).exit();
}
