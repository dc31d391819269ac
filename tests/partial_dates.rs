//! Partial dates over the shipped case graph, through the real binary: the sources give
//! months, years and bounds ("from December 2014 to April 2015", "before the 2017 general
//! election"), and the answers keep that precision.

use assert_cmd::Command;
use pretty_assertions::assert_eq;

/// The CSV the binary prints for `query` over the case graph (or `--data dir`).
fn csv(query: &str, data: Option<&std::path::Path>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir.path());
    if let Some(data) = data {
        cmd.arg("--data").arg(data);
    }
    let output = cmd.args(["--format", "csv", "-c", query]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_five_month_sale_computes_as_five_months() {
    let out = csv(
        "MATCH (:Platform {name: 'Twitter'})-[r:DATA_FLOW]->(:Company {name: 'Global Science Research'}) \
         RETURN r.start_date AS from, r.end_date AS to, duration.between(r.start_date, r.end_date) AS span, \
         duration.inMonths(r.start_date, r.end_date).months AS months, \
         earliest(r.start_date) AS first, latest(r.end_date) AS last",
        None,
    );
    assert_eq!(
        out,
        "from,to,span,months,first,last\n2014-12,2015-04,P5M,5,2014-12-01,2015-04-30\n"
    );
}

#[test]
fn before_the_election_is_queryable() {
    // Certainly before the election: the two Emma's Diary flows.
    let out = csv(
        "MATCH (a)-[r:DATA_FLOW]->(b) WHERE r.end_date < date('2017-06-08') \
         RETURN a.name AS giver, b.name AS receiver, r.end_date AS until ORDER BY giver",
        None,
    );
    assert_eq!(
        out,
        "giver,receiver,until\nEmma's Diary,Experian,<2017-06-08\nExperian,Labour Party,<2017-06-08\n\
         Twitter,Global Science Research,2015-04\n"
    );
    // Before 1 June 2017 is unknown for them (null), so only a query asking for the
    // earliest reading gets an answer.
    let out = csv(
        "MATCH (:Company {name: 'Experian'})-[r:DATA_FLOW]->() \
         RETURN r.start_date < date('2017-06-01') AS before_june, \
         latest(r.start_date) < date('2017-06-01') AS latest_before_june, \
         earliest(r.start_date) IS NULL AS open_start",
        None,
    );
    assert_eq!(
        out,
        "before_june,latest_before_june,open_start\n,false,true\n"
    );
}

#[test]
fn time_ordered_chains_keep_possible_orders_and_strict_keeps_certain_ones() {
    let chains = |mode: &str| {
        csv(
            &format!(
                "MATCH {mode} p = (:Website {{name: \"Emma's Diary\"}})-[:DATA_FLOW*]->(x) \
                 RETURN x.name AS reached ORDER BY reached"
            ),
            None,
        )
    };
    // Both hops are "before the election": they may have happened in order.
    assert_eq!(chains("TIME ORDERED"), "reached\nExperian\nLabour Party\n");
    // Their order is not certain, so STRICT stops after the first hop.
    assert_eq!(chains("TIME ORDERED STRICT"), "reached\nExperian\n");
    // From Twitter, STRICT keeps the dated first hops and drops every chain that goes on
    // through an undated hop (GSR's onward flows).
    let out = csv(
        "MATCH TIME ORDERED STRICT p = (:Platform {name: 'Twitter'})-[:DATA_FLOW*]->(x) \
         RETURN x.name AS reached, [r IN relationships(p) | r.start_date] AS dates ORDER BY reached",
        None,
    );
    assert_eq!(
        out,
        "reached,dates\nGlobal Science Research,[2014-12]\nTwitter bulk data customers,[2017]\n"
    );
}

#[test]
fn partial_dates_survive_save_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved");
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .current_dir(dir.path())
        .arg("--save")
        .arg(&saved)
        .args(["-c", "RETURN 1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let query = "MATCH ()-[r:DATA_FLOW]->() WHERE r.start_date IS NOT NULL \
                 RETURN r.start_date AS d ORDER BY d";
    let before = csv(query, None);
    assert_eq!(before, "d\n<2017-06-08\n<2017-06-08\n2014-12\n2016\n2017\n");
    assert_eq!(csv(query, Some(&saved)), before);
}

#[test]
fn a_bad_partial_date_is_a_clear_load_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nodes.csv"),
        "id:ID,:LABEL,start_date:date\na,Thing,<2017-6\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("edges.csv"), ":START_ID,:END_ID,:TYPE\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .arg("--data")
        .arg(dir.path())
        .args(["-c", "RETURN 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "\"<2017-6\" is not a date (YYYY-MM-DD, YYYY-MM or YYYY, or one after < or >)"
        ),
        "{stderr}"
    );
}

#[test]
fn pictures_show_one_period_once_and_the_amounts_bound() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .current_dir(dir.path())
        .args([
            "--format",
            "dot",
            "-c",
            "MATCH p = (:Platform {name: 'Twitter'})-[:DATA_FLOW]->(x) RETURN p",
        ])
        .output()
        .unwrap();
    let dot = String::from_utf8(output.stdout).unwrap();
    assert!(
        dot.contains(r"at most 333000000.0 USD\n2017\n(reported)"),
        "{dot}"
    );
    assert!(dot.contains(r"2014-12 to 2015-04"), "{dot}");
}
