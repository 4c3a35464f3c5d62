//! Helpers shared by the trials: the suite built once, the reference as a driver, runs, the
//! binary, temporary directories, reading a report.json back, the reference outside the process.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Failed;
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::driver::Driver;
use mimi_conformance::harness::{Expectations, RunOutcome, RunPlan, Test, run};
use mimi_conformance::provider::{Fault, Reference};
use mimi_conformance::spec::Catalogs;
use mimi_conformance::vectors::VectorFile;

pub fn catalogs() -> Arc<Catalogs> {
    Arc::new(Catalogs::embedded().expect("catalogs parse"))
}

pub fn vectors() -> Vec<VectorFile> {
    VectorFile::embedded().expect("vectors parse")
}

pub fn all_tests(rev: ContentRev) -> Vec<Test> {
    mimi_conformance::suites::build(
        &["content".into(), "protocol".into(), "policy".into()],
        &vectors(),
        &mimi_conformance::harness::scenario::embedded().expect("scenarios parse"),
        &catalogs(),
        rev,
    )
    .expect("suite builds")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn reference(faults: &[Fault]) -> Driver {
    let r = Reference::new(ContentRev::Rev08, faults.iter().copied().collect(), catalogs());
    Driver::builtin(r.name(), Arc::new(r))
}

pub fn run_all(tests: Vec<Test>, driver: &Driver, filters: &[&str]) -> RunOutcome {
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
pub fn run_stdio(cmd: &str, filters: &[&str], timeout: Duration) -> Result<RunOutcome, Failed> {
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

pub fn ensure(cond: bool, msg: impl Into<String>) -> Result<(), Failed> {
    if cond { Ok(()) } else { Err(msg.into().into()) }
}

/// target/<profile>/ (this test runs from target/<profile>/deps/).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().and_then(Path::parent).expect("target dir").to_owned()
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mimi-conformance"))
}

pub fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin()).args(args).output().expect("run the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mimi-conformance-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Every suite test against the fault-free reference, run once for all the trials that compare
/// with it.
pub fn baseline() -> &'static RunOutcome {
    static BASELINE: std::sync::OnceLock<RunOutcome> = std::sync::OnceLock::new();
    BASELINE.get_or_init(|| run_all(all_tests(ContentRev::Rev08), &reference(&[]), &[]))
}

/// Every phrase is in its file; the message names each missing one.
pub fn docs_say(claims: &[(&str, String)]) -> Result<(), Failed> {
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

/// `mimi-conformance driver --listen 127.0.0.1:0 --mimi-listen 127.0.0.1:0 ARGS`: the reference
/// as an implementation outside the harness's process, with the addresses it printed; killed
/// when dropped.
pub struct OutsideReference {
    child: std::process::Child,
    /// The driver's URL.
    pub driver: String,
    mimi: String,
}

impl OutsideReference {
    /// `run` of the protocol and policy suites (those of them under `filters`, if any) against
    /// it, the report written to `dir`.
    pub fn run_scenarios(&self, dir: &Path, filters: &[&str]) -> (i32, String, String) {
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

    pub fn start(args: &[&str]) -> Result<Self, Failed> {
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
pub fn report_statuses(dir: &Path) -> Result<std::collections::BTreeMap<String, (String, String)>, Failed> {
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
pub fn scenario_ids() -> BTreeSet<String> {
    all_tests(ContentRev::Rev08)
        .into_iter()
        .filter(|t| matches!(t.check, mimi_conformance::harness::Check::Scenario(..)))
        .map(|t| t.id)
        .collect()
}

/// The tests under `filters` against the built-in implementation with `faults`, its scenarios'
/// provider behaving as the faults say.
pub fn run_builtin(faults: &[Fault], filters: &[&str]) -> Result<RunOutcome, Failed> {
    let r = Reference::new(ContentRev::Rev08, faults.iter().copied().collect(), catalogs());
    let iut = mimi_conformance::harness::scenario::BuiltinIut::new(r);
    let plan = RunPlan {
        tests: all_tests(ContentRev::Rev08),
        filters: filters.iter().map(|f| f.to_string()).collect(),
        expectations: Expectations::default(),
        timeout: Duration::from_secs(10),
        iut_endpoint: Some(iut.endpoint),
        jobs: 4,
    };
    Ok(runtime()
        .block_on(run(plan, &iut.driver, |_, _| {}))
        .map_err(|e| e.to_string())?)
}
