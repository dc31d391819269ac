//! What a dataset folder guards through the real binary: `COPY ... TO` cannot overwrite
//! the files of an open or locked dataset, the next writer cleans what a crash left
//! (`datatrail.saving/`, `.datatrail-*.tmp`), and conversions refuse what does not fit.

use std::path::Path;
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use predicates::str::contains;

fn datatrail(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["-q", "--format", "csv"]);
    cmd
}

fn dataset(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("nodes.csv"),
        "id:ID,:LABEL,name\na,P,Ann\nb,P,Bob\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("edges.csv"),
        ":START_ID,:END_ID,:TYPE\na,b,KNOWS\n",
    )
    .unwrap();
}

#[test]
fn copy_over_the_open_datasets_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    dataset(&ds);
    let before = std::fs::read(ds.join("nodes.csv")).unwrap();
    // Loaded, never written: no lock file, no journal, still the open dataset's file.
    datatrail(dir.path())
        .args([
            "--data",
            "ds",
            "-c",
            "COPY (MATCH (n) RETURN n.name) TO 'ds/edges.csv'",
        ])
        .assert()
        .code(1)
        .stderr(contains("is a file of the dataset in"));
    assert!(!ds.join("datatrail.lock").exists(), "a read leaves no lock");
    // A write first, so that the folder holds its lock and journal.
    datatrail(dir.path())
        .args(["--data", "ds", "-c", "CREATE (:P {name: 'Cy'})"])
        .assert()
        .success();
    for target in [
        "ds/nodes.csv",
        "ds/edges.csv",
        "ds/./sources.csv",
        "ds/nodes-2.csv",
    ] {
        datatrail(dir.path())
            .args(["--data", "ds"])
            .args([
                "-c",
                &format!("COPY (MATCH (n) RETURN n.name) TO '{target}'"),
            ])
            .assert()
            .code(1)
            .stderr(contains("is a file of the dataset in"));
    }
    datatrail(dir.path())
        .args(["-c", "COPY (RETURN 1 AS x) TO 'ds/datatrail.journal'"])
        .assert()
        .code(1)
        .stderr(contains("open or locked"));
    assert_eq!(std::fs::read(ds.join("nodes.csv")).unwrap(), before);
    datatrail(dir.path())
        .args(["--data", "ds", "-c", "MATCH (n) RETURN count(n) AS n"])
        .assert()
        .success()
        .stdout("n\n3\n");
    // Other files of the folder, and dataset names elsewhere, are fine.
    datatrail(dir.path())
        .args([
            "--data",
            "ds",
            "-c",
            "COPY (MATCH (n) RETURN n.name) TO 'ds/report.csv'",
        ])
        .assert()
        .success();
    datatrail(dir.path())
        .args(["-c", "COPY (RETURN 1 AS x) TO 'nodes.csv'"])
        .assert()
        .success();
}

#[test]
fn the_next_writer_cleans_what_a_crash_left() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    dataset(&ds);
    let staging = ds.join("datatrail.saving");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("nodes.csv"), "id:ID\nhalf").unwrap();
    let old_temp = ds.join(".datatrail-AbC123.tmp");
    std::fs::write(&old_temp, "half a file").unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&old_temp)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let fresh_temp = ds.join(".datatrail-XyZ789.tmp");
    std::fs::write(&fresh_temp, "being written").unwrap();
    // Reading changes nothing on disk.
    datatrail(dir.path())
        .args(["--data", "ds", "-c", "MATCH (n) RETURN count(n) AS n"])
        .assert()
        .success()
        .stdout("n\n2\n");
    assert!(staging.exists() && old_temp.exists());
    datatrail(dir.path())
        .args(["--data", "ds", "-c", "CREATE (:P {name: 'Cy'})"])
        .assert()
        .success();
    assert!(
        !staging.exists(),
        "an uncommitted staging folder is removed"
    );
    assert!(!old_temp.exists(), "a stale temporary file is removed");
    assert!(
        fresh_temp.exists(),
        "a file written to just now is left alone"
    );
}

#[test]
fn to_integer_of_a_float_out_of_range_is_an_error_not_a_saturated_value() {
    let dir = tempfile::tempdir().unwrap();
    for query in [
        "RETURN toInteger(1e20)",
        "RETURN toInteger(-1e19)",
        "RETURN toInteger(9223372036854775808.0)",
    ] {
        datatrail(dir.path())
            .args(["-c", query])
            .assert()
            .code(1)
            .stderr(contains("out of the integer range"));
    }
    datatrail(dir.path())
        .args([
            "-c",
            "RETURN toIntegerOrNull(1e20) AS a, toInteger('1e20') AS b, \
                      toInteger(-9223372036854775808.0) AS c, toInteger(-2.9) AS d",
        ])
        .assert()
        .success()
        .stdout("a,b,c,d\n,,-9223372036854775808,-2\n");
}
