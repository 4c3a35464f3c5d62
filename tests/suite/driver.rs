//! The driver transports (in process, HTTP, stdio, the example adapter), the driver schema and the
//! providers' mutual TLS (`driver/...`, `provider/...`).

use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::{Failed, Trial};
use mimi_conformance::codec::content::ContentRev;
use mimi_conformance::driver::Driver;
use mimi_conformance::harness::{Expectations, RunPlan, Status, run};
use mimi_conformance::provider::{FaultSet, Reference};

use mimi_conformance::provider::https::{PeerClient, ProviderServer};
use mimi_conformance::provider::pki::TestCa;

use crate::common::*;

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "driver/http-transport-gives-the-same-results-as-in-process",
            http_transport_gives_the_same_results_as_in_process,
        ),
        Trial::test(
            "driver/stdio-transport-through-the-binary-and-unsupported-ops",
            stdio_transport_through_the_binary_and_unsupported_ops,
        ),
        Trial::test(
            "driver/example-adapter-passes-content-and-reports-status-unsupported",
            example_adapter_passes_content_and_reports_status_unsupported,
        ),
        Trial::test(
            "provider/mutual-tls-directory-and-from-checks",
            mutual_tls_directory_and_from_checks,
        ),
        Trial::test(
            "driver/schema-describes-every-stateful-operation",
            schema_describes_every_stateful_operation,
        ),
    ]
}

fn http_transport_gives_the_same_results_as_in_process() -> Result<(), Failed> {
    let rt = runtime();
    let outcome = rt.block_on(async {
        let handler = Arc::new(Reference::new(ContentRev::Rev08, FaultSet::NONE, catalogs()));
        let (addr, server) = mimi_conformance::driver::server::bind_http("127.0.0.1:0".parse().unwrap(), handler)
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
}

fn stdio_transport_through_the_binary_and_unsupported_ops() -> Result<(), Failed> {
    let cmd = format!("{} driver --stdio", bin().display());
    let o = run_stdio(&cmd, &[], Duration::from_secs(10))?;
    ensure(
        !o.blocks(true) && o.counts()[&Status::Pass] > 200,
        format!("{:?}", o.counts()),
    )
}

fn example_adapter_passes_content_and_reports_status_unsupported() -> Result<(), Failed> {
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
}

fn mutual_tls_directory_and_from_checks() -> Result<(), Failed> {
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
}

fn schema_describes_every_stateful_operation() -> Result<(), Failed> {
    let schema: serde_json::Value = serde_json::from_str(include_str!("../../docs/driver.schema.json"))
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
}
