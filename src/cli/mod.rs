//! The command line: the only module that knows clap. It turns arguments into the library's
//! plans, and maps every outcome to an exit code in one place ([`ExitCode`]).

mod commands;
mod files;
mod progress;
mod reports;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, as the README documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything as expected.
    Ok = 0,
    /// Unexpected results: fail, error, timeout or xpass.
    Unexpected = 1,
    /// Bad arguments, or a file (vectors, expectations) that cannot be used.
    Usage = 2,
    /// The implementation under test cannot be reached or set up.
    Unreachable = 3,
    /// No test selected.
    NothingSelected = 4,
    /// Tests were selected, but none was carried out (all `skip` or `unsupported`).
    NothingExecuted = 5,
}

#[derive(Parser, Debug)]
#[command(
    name = "mimi-conformance",
    version,
    about = "Conformance and interoperability test suite for the IETF MIMI protocols"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the suite against an implementation (default: the built-in reference) and write a report.
    Run(RunArgs),
    /// Print every test id with its draft, revision, section and requirements.
    List(ListArgs),
    /// Content tools.
    #[command(subcommand)]
    Content(ContentCommand),
    /// Vector-file tools.
    #[command(subcommand)]
    Vectors(VectorsCommand),
    /// Run the suite against the reference with each built-in fault on; show what caught each.
    Selftest(SelftestArgs),
    /// Serve the reference implementation as a driver (HTTP or stdio), for trying transports.
    Driver(DriverArgs),
    /// Measure content throughput (decode + validate + message ID) on one core.
    Bench(BenchArgs),
    // Reports of runs: diff and merge (src/cli/reports.rs).
    /// Compare two runs' report.json: new failures, fixes, tests added and removed (Markdown).
    Diff(reports::DiffArgs),
    /// Join shard reports (`run --partition K/N`) into the report of the whole run.
    Merge(reports::MergeArgs),
    // ---- issue 13: the interop matrix ----
    /// Set several report.json side by side: an interop matrix (matrix.html, matrix.md) per draft revision.
    Matrix(MatrixArgs),
}

/// `matrix` (issue 13).
#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// The reports, one per implementation (each a run's report.json; its report.html beside it).
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Directory for matrix.html and matrix.md.
    #[arg(long, default_value = "reports/matrix", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum ContentCommand {
    /// Show a content file in CBOR diagnostic notation, its message ID, and every rule it breaks.
    Inspect(InspectArgs),
}

#[derive(Subcommand, Debug)]
pub enum VectorsCommand {
    /// Check vector files: each case against the draft's rules, then the implementation against them.
    Verify(VerifyArgs),
}

/// Which implementation to test.
#[derive(Args, Debug, Clone)]
pub struct IutArgs {
    /// Driver URL of the implementation under test (HTTP transport: POST <URL>/v1/<op>).
    #[arg(long, value_name = "URL", conflicts_with = "iut_driver_cmd")]
    pub iut_driver: Option<String>,
    /// Command that speaks the driver protocol on stdin/stdout (run with `sh -c`).
    #[arg(long, value_name = "CMD")]
    pub iut_driver_cmd: Option<String>,
    /// Where the implementation's MIMI endpoints listen (https://host:port), for the protocol
    /// scenarios: its driver sets it up for each one (`configure`, `user.create`).
    #[arg(long, value_name = "URL")]
    pub iut_url: Option<String>,
    /// Which scenarios the implementation at --iut-url plays: where it is the hub, a follower,
    /// or any.
    #[arg(long, value_enum, default_value = "any", value_name = "ROLE")]
    pub iut_role: Role,
    /// Switch on a fault of the built-in reference (see `selftest`); repeatable.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["iut_driver", "iut_driver_cmd"])]
    pub fault: Vec<String>,
    /// Revision of draft-ietf-mimi-content to test (changes the message-ID formula).
    #[arg(long, value_enum, default_value = "08")]
    pub content_rev: Rev,
    /// Seconds to wait for each driver call and each scenario step.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,
    /// Multiplies every timeout (for slow machines and implementations).
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub timeout_factor: f64,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = jobs)]
    pub jobs: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    Hub,
    Follower,
    Any,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Rev {
    #[value(name = "08")]
    R08,
    #[value(name = "07")]
    R07,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Suite to run; repeatable (default: all).
    #[arg(long, value_name = "SUITE")]
    pub suite: Vec<String>,
    /// Scenario files (`*.yaml`, searched recursively) to run instead of the built-in ones;
    /// repeatable.
    #[arg(long, value_name = "DIR")]
    pub scenarios: Vec<PathBuf>,
    /// Run only tests whose id matches (a glob, or an id prefix such as `content/6`); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    #[command(flatten)]
    pub iut: IutArgs,
    /// YAML file of known gaps (xfail / skip / unsupported).
    #[arg(long, value_name = "FILE")]
    pub expectations: Option<PathBuf>,
    /// Directory for report.json, report.md, junit.xml and report.html.
    #[arg(long, default_value = "reports/latest", value_name = "DIR")]
    pub out: PathBuf,
    /// Fail the run (exit 1) on every `fail`, not only on those of `required` MUSTs.
    #[arg(long)]
    pub strict: bool,
    /// Print only the summary, not one line per test (and no progress line).
    #[arg(long, short)]
    pub quiet: bool,
    /// Run shard K of N of the selected tests (stable: a test's shard is a fixed hash of its id modulo N);
    /// `merge` joins the shards' reports.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<crate::harness::partition::Partition>,
    /// Stop the whole run after this many seconds (not scaled by --timeout-factor): the test
    /// under way ends as a timeout, the rest are reported as not run, the report says why.
    #[arg(long, value_name = "SECS", value_parser = deadline)]
    pub deadline: Option<std::time::Duration>,
    /// Keep report.json within this many MiB: past it, the largest transcripts are left out,
    /// each result and the report saying what was cut.
    #[arg(long, value_name = "MIB", default_value_t = 32, value_parser = report_max)]
    pub report_max: usize,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long, value_name = "SUITE")]
    pub suite: Vec<String>,
    /// Scenario files to list instead of the built-in ones (as `run --scenarios`).
    #[arg(long, value_name = "DIR")]
    pub scenarios: Vec<PathBuf>,
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// List requirements with the tests that check them (or why none can) instead.
    #[arg(long)]
    pub requirements: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The content, as raw CBOR (a `.cbor` file).
    pub file: PathBuf,
    /// Sender URI for the message ID (default: the senderUri extension).
    #[arg(long, value_name = "URI")]
    pub sender: Option<String>,
    /// Room URI for the message ID (default: the roomUri extension).
    #[arg(long, value_name = "URI")]
    pub room: Option<String>,
    #[arg(long, value_enum, default_value = "08")]
    pub content_rev: Rev,
    /// Receiver clock (UNIX seconds) for §9.1's expiry window; default: now.
    #[arg(long, value_name = "SECS")]
    pub now: Option<u64>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Vector files or directories (default: the built-in vectors).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub iut: IutArgs,
}

#[derive(Args, Debug)]
pub struct SelftestArgs {
    #[arg(long, value_enum, default_value = "08")]
    pub content_rev: Rev,
    /// Run each fault only until a test catches it (untripped tests first): the same score in a
    /// fraction of the time, but `caught` no longer counts every test that catches a fault.
    #[arg(long)]
    pub first_catch: bool,
}

#[derive(Args, Debug)]
pub struct DriverArgs {
    /// Serve HTTP on this address (prints the bound address on stdout).
    #[arg(
        long,
        value_name = "ADDR",
        conflicts_with = "stdio",
        required_unless_present = "stdio"
    )]
    pub listen: Option<std::net::SocketAddr>,
    /// Serve one JSON message per line on stdin/stdout.
    #[arg(long)]
    pub stdio: bool,
    /// Serve the MIMI endpoints of the scenario roles the reference plays here, as an
    /// implementation outside the harness (`run --iut-url https://ADDR`); port 0 picks one.
    #[arg(long, value_name = "ADDR")]
    pub mimi_listen: Option<std::net::SocketAddr>,
    /// How the reference plays its scenario roles: with MLS clients of its own (`full-client`),
    /// or as a provider whose clients the harness plays (`server-only`).
    #[arg(long, value_enum, default_value = "full-client")]
    pub mode: DriverMode,
    /// Serve the MIMI endpoints under this path instead of /v1 (the §5.1 directory says where):
    /// peers must find them from the directory.
    #[arg(long, value_name = "PATH", value_parser = endpoint_prefix)]
    pub endpoint_prefix: Option<String>,
    /// Hand out key material to other providers' users only with consent (a default-deny
    /// provider: the harness grants it first through `consent.grant`).
    #[arg(long)]
    pub require_consent: bool,
    #[arg(long, value_name = "NAME")]
    pub fault: Vec<String>,
    #[arg(long, value_enum, default_value = "08")]
    pub content_rev: Rev,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriverMode {
    FullClient,
    ServerOnly,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// How long to measure.
    #[arg(long, default_value_t = 3.0, value_name = "SECS")]
    pub seconds: f64,
    /// Measure the scenarios (protocol and policy, built-in implementation) against the time
    /// spent in openmls, instead of the content pipeline.
    #[arg(long)]
    pub scenarios: bool,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = jobs)]
    pub jobs: Option<usize>,
}

/// At most this many scenarios run at once (each holds its own providers and MLS clients).
pub const MAX_JOBS: usize = 256;

/// `--jobs N`: 1 to [`MAX_JOBS`], named in the error otherwise.
fn jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n @ 1..=MAX_JOBS) => Ok(n),
        Ok(0) => Err("at least one scenario must run at a time".into()),
        _ => Err(format!("not a whole number from 1 to {MAX_JOBS}")),
    }
}

/// The largest `--report-max`, in MiB.
pub const MAX_REPORT_MIB: usize = 4096;

/// `--report-max MIB`: 1 to [`MAX_REPORT_MIB`].
fn report_max(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n @ 1..=MAX_REPORT_MIB) => Ok(n),
        _ => Err(format!("not a whole number of MiB from 1 to {MAX_REPORT_MIB}")),
    }
}

/// A week: a longer `--deadline` is a typo, not a slow implementation.
pub const MAX_DEADLINE: f64 = 7.0 * 86_400.0;

/// `--deadline SECS`: a positive number of seconds, at most [`MAX_DEADLINE`].
fn deadline(s: &str) -> Result<std::time::Duration, String> {
    match s.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= MAX_DEADLINE => {
            std::time::Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
        }
        _ => Err(format!(
            "not a number of seconds above 0 and at most {MAX_DEADLINE} (a week)"
        )),
    }
}

/// Parses the arguments, runs the command, and returns the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    // openmls logs every message it refuses at error level; the scenarios send such messages on
    // purpose and report what was refused, so its log stays off unless RUST_LOG asks for it.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error,openmls=off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(Exit::Unreachable as u8);
        }
    };
    let exit = runtime.block_on(dispatch(cli.command));
    std::process::ExitCode::from(exit as u8)
}

/// Runs one subcommand; its exit code (a `Stop` printed as `error: ...`).
async fn dispatch(command: Command) -> Exit {
    let result = match command {
        Command::Run(a) => commands::cmd_run(a).await,
        Command::List(a) => commands::cmd_list(a),
        Command::Content(ContentCommand::Inspect(a)) => files::cmd_inspect(a),
        Command::Vectors(VectorsCommand::Verify(a)) => files::cmd_verify(a).await,
        Command::Selftest(a) => commands::cmd_selftest(a).await,
        Command::Driver(a) => commands::cmd_driver(a).await,
        Command::Bench(a) => commands::cmd_bench(a).await,
        Command::Matrix(a) => commands::cmd_matrix(a),
        Command::Diff(a) => reports::cmd_diff(a),
        Command::Merge(a) => reports::cmd_merge(a),
    };
    match result {
        Ok(exit) => exit,
        Err(commands::Stop(exit, message)) => {
            eprintln!("error: {message}");
            exit
        }
    }
}

/// `--endpoint-prefix`: `/` then path segments of letters, digits, `-`, `_` and `.`.
fn endpoint_prefix(s: &str) -> Result<String, String> {
    let segments: Vec<&str> = s.strip_prefix('/').ok_or("starts with /")?.split('/').collect();
    let good = |seg: &&str| {
        !seg.is_empty()
            && *seg != "."
            && *seg != ".."
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if segments.iter().all(good) {
        Ok(s.to_owned())
    } else {
        Err(format!("{s:?} is not /segment[/segment...] of letters, digits, - _ ."))
    }
}
