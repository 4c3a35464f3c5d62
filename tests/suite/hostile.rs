//! Hostile input, drivers and endpoints: named findings, errors and timeouts, never a panic (`hostile/...`).

use std::time::Duration;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::driver::Driver;
use mimi_conformance::harness::{Expectations, RunPlan, Status, run};
use mimi_conformance::provider::Fault;
use mimi_conformance::validate::{Kind, Options, validate_content};

use crate::common::*;

#[path = "../../examples/support/peak_memory.rs"]
mod peak_memory;

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

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "hostile/every-prefix-and-byte-flip-of-every-example-is-judged-without-panic",
            every_prefix_and_byte_flip_of_every_example_is_judged_without_panic,
        ),
        Trial::test(
            "hostile/seeded-mutations-of-every-vector-and-scenario-through-every-decoder-never-panic",
            seeded_mutations_of_every_vector_and_scenario_through_every_decoder_never_panic,
        ),
        Trial::test(
            "hostile/nesting-bombs-huge-lengths-and-bad-utf8-give-named-findings",
            nesting_bombs_huge_lengths_and_bad_utf8_give_named_findings,
        ),
        Trial::test(
            "hostile/a-driver-answering-garbage-fails-tests-without-stopping-the-run",
            a_driver_answering_garbage_fails_tests_without_stopping_the_run,
        ),
        Trial::test(
            "hostile/a-silent-driver-times-out-naming-the-test",
            a_silent_driver_times_out_naming_the_test,
        ),
        Trial::test(
            "hostile/an-iut-url-where-nothing-listens-is-an-error-per-scenario",
            an_iut_url_where_nothing_listens_is_an_error_per_scenario,
        ),
        Trial::test(
            "hostile/an-outside-implementation-that-misnames-its-users-is-an-error",
            an_outside_implementation_that_misnames_its_users_is_an_error,
        ),
        Trial::test(
            "hostile/a-silent-mimi-endpoint-is-a-timeout-of-the-run-s-own-length",
            a_silent_mimi_endpoint_is_a_timeout_of_the_run_s_own_length,
        ),
        Trial::test(
            "hostile/wide-wrong-answers-cost-bounded-memory-and-report",
            wide_wrong_answers_cost_bounded_memory_and_report,
        ),
        Trial::test(
            "hostile/a-provider-refusing-everything-passes-no-refusal-test",
            a_provider_refusing_everything_passes_no_refusal_test,
        ),
        Trial::test(
            "hostile/a-mimi-endpoint-speaking-plain-http-is-named-by-its-cause",
            a_mimi_endpoint_speaking_plain_http_is_named_by_its_cause,
        ),
        Trial::test(
            "hostile/a-silent-outside-implementation-times-out-then-stops-being-asked",
            a_silent_outside_implementation_times_out_then_stops_being_asked,
        ),
    ]
}

fn every_prefix_and_byte_flip_of_every_example_is_judged_without_panic() -> Result<(), Failed> {
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
}

fn seeded_mutations_of_every_vector_and_scenario_through_every_decoder_never_panic() -> Result<(), Failed> {
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
                    let _ = mimi_conformance::codec::tls::decode_named(structure, b, *alternative);
                })?,
                CaseBody::PolicyFixture { bytes, .. } => check(&what, bytes, &|b| {
                    let _ = mimi_conformance::codec::tls::decode_named("RoleData", b, false);
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
}

fn nesting_bombs_huge_lengths_and_bad_utf8_give_named_findings() -> Result<(), Failed> {
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
}

fn a_driver_answering_garbage_fails_tests_without_stopping_the_run() -> Result<(), Failed> {
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
}

fn a_silent_driver_times_out_naming_the_test() -> Result<(), Failed> {
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
}

fn an_iut_url_where_nothing_listens_is_an_error_per_scenario() -> Result<(), Failed> {
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
}

fn an_outside_implementation_that_misnames_its_users_is_an_error() -> Result<(), Failed> {
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
}

fn a_silent_mimi_endpoint_is_a_timeout_of_the_run_s_own_length() -> Result<(), Failed> {
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
}

fn wide_wrong_answers_cost_bounded_memory_and_report() -> Result<(), Failed> {
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
    let (_, peak_kib) = peak_memory::wait_with_peak(&mut child).map_err(|e| e.to_string())?;
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
}

fn a_provider_refusing_everything_passes_no_refusal_test() -> Result<(), Failed> {
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
}

fn a_mimi_endpoint_speaking_plain_http_is_named_by_its_cause() -> Result<(), Failed> {
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
}

fn a_silent_outside_implementation_times_out_then_stops_being_asked() -> Result<(), Failed> {
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
}
