//! Concurrent sessions of one `SharedDatabase`: readers see committed states only, are
//! not held up by an open transaction, and one session writes at a time, a second one
//! getting a retryable lock timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use datatrail::{Database, Error, Params, SharedDatabase, TxError, Value};

fn int(value: &Value) -> i64 {
    match value {
        Value::Int(n) => *n,
        other => panic!("not an integer: {other:?}"),
    }
}

fn items(db: &SharedDatabase) -> i64 {
    let results = db
        .read("MATCH (n:Item) RETURN count(n)", &Params::new())
        .unwrap();
    int(&results[0].rows[0][0])
}

#[test]
fn a_shared_database_can_be_sent_and_shared_between_threads() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<SharedDatabase>();
}

#[test]
fn readers_see_only_committed_states_while_a_writer_commits_batches() {
    const BATCH: i64 = 7;
    const TRANSACTIONS: i64 = 40;
    let db = SharedDatabase::with_lock_timeout(Database::new(), Duration::from_millis(20));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (db, done) = (db.clone(), done.clone());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut last = 0;
                while !done.load(Ordering::Acquire) {
                    // Two counts in one statement: one state per statement.
                    let results = db
                        .read(
                            "MATCH (n:Item) WITH count(n) AS a \
                             OPTIONAL MATCH (m:Item) RETURN a, count(m), sum(m.batch)",
                            &Params::new(),
                        )
                        .unwrap();
                    let row = &results[0].rows[0];
                    let (a, b) = (int(&row[0]), int(&row[1]));
                    assert_eq!(a, b, "two counts in one statement differ");
                    assert_eq!(a % BATCH, 0, "an uncommitted count: {a}");
                    assert!(a >= last, "a count went back from {last} to {a}");
                    if a > 0 {
                        // Every committed batch is there whole: 0 + 1 + ... of each.
                        let batches = a / BATCH;
                        let want = BATCH * batches * (batches - 1) / 2;
                        assert_eq!(int(&row[2]), want, "at {a} items");
                    }
                    last = a;
                    seen.push(a);
                }
                seen
            })
        })
        .collect();
    let mut writer = db.session();
    for t in 0..TRANSACTIONS {
        writer.begin().unwrap();
        for _ in 0..BATCH {
            let params = Params::from([("t".to_string(), Value::Int(t))]);
            writer
                .execute("CREATE (:Item {batch: $t})", &params)
                .unwrap();
            std::thread::yield_now();
        }
        // A transaction rolled back in between is never seen, not even in part.
        if t % 5 == 4 {
            let mut loser = db.session();
            loser.begin().unwrap_err();
            writer.commit().unwrap();
            loser.begin().unwrap();
            loser
                .execute("CREATE (:Item {batch: -1})", &Params::new())
                .unwrap();
            loser.rollback().unwrap();
        } else {
            writer.commit().unwrap();
        }
    }
    done.store(true, Ordering::Release);
    let mut distinct = std::collections::BTreeSet::new();
    for reader in readers {
        distinct.extend(reader.join().unwrap());
    }
    assert_eq!(items(&db), BATCH * TRANSACTIONS);
    // The readers ran alongside the writer, not only before or after it.
    assert!(distinct.len() > 2, "readers saw only {distinct:?}");
}

#[test]
fn a_second_writer_times_out_with_a_retryable_error_and_readers_go_on() {
    let db = SharedDatabase::with_lock_timeout(Database::new(), Duration::from_millis(150));
    db.execute("CREATE (:Item)").unwrap();
    let mut first = db.session();
    first.begin().unwrap();
    first
        .execute("CREATE (:Item), (:Item)", &Params::new())
        .unwrap();

    let mut second = db.session();
    let started = Instant::now();
    let err = second.begin().unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(150));
    let Error::Transaction(tx_error) = &err else {
        panic!("{err}")
    };
    assert!(tx_error.is_retryable(), "{err}");
    assert!(err.to_string().contains("can be retried"), "{err}");
    assert!(!second.in_transaction());
    // A single write statement waits for the same lock and changes nothing.
    let write = second.execute("CREATE (:Item)", &Params::new());
    assert!(matches!(
        write,
        Err(Error::Transaction(TxError::LockTimeout { .. }))
    ));

    // Readers are not held up by the open transaction (on this thread, waiting for it
    // would never end) and do not see it.
    assert_eq!(items(&db), 1);
    // The writer sees its own changes.
    let own = first
        .execute("MATCH (n:Item) RETURN count(n)", &Params::new())
        .unwrap();
    assert_eq!(int(&own[0].rows[0][0]), 3);

    first.commit().unwrap();
    assert_eq!(items(&db), 3);
    second.begin().unwrap();
    second.execute("CREATE (:Item)", &Params::new()).unwrap();
    second.commit().unwrap();
    assert_eq!(items(&db), 4);
}

#[test]
fn a_waiting_writer_gets_the_lock_once_the_first_commits() {
    let db = SharedDatabase::with_lock_timeout(Database::new(), Duration::from_secs(10));
    let mut first = db.session();
    first.begin().unwrap();
    first.execute("CREATE (:Item)", &Params::new()).unwrap();
    let waiter = {
        let db = db.clone();
        std::thread::spawn(move || {
            let mut second = db.session();
            second.begin().unwrap();
            let seen = second
                .execute("MATCH (n:Item) RETURN count(n)", &Params::new())
                .unwrap();
            second.commit().unwrap();
            int(&seen[0].rows[0][0])
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    first.commit().unwrap();
    assert_eq!(
        waiter.join().unwrap(),
        1,
        "the second writer saw the first's commit"
    );
}

#[test]
fn dropping_a_session_rolls_back_and_frees_the_writer_lock() {
    let db = SharedDatabase::with_lock_timeout(Database::new(), Duration::from_millis(100));
    {
        let mut session = db.session();
        session.begin().unwrap();
        session.execute("CREATE (:Item)", &Params::new()).unwrap();
        assert_eq!(items(&db), 0);
    }
    assert_eq!(items(&db), 0);
    let mut next = db.session();
    next.begin().unwrap();
    next.commit().unwrap();
}

#[test]
fn a_write_through_the_read_only_path_is_refused_and_changes_nothing() {
    let db = SharedDatabase::new(Database::new());
    let err = db
        .read("MATCH (n) RETURN count(n); CREATE (:Item)", &Params::new())
        .unwrap_err();
    assert!(
        matches!(err, Error::Transaction(TxError::ReadOnly)),
        "{err}"
    );
    assert_eq!(items(&db), 0);
    let mut session = db.session();
    assert!(matches!(
        session.commit(),
        Err(Error::Transaction(TxError::NotOpen { .. }))
    ));
    session.begin().unwrap();
    assert!(matches!(
        session.begin(),
        Err(Error::Transaction(TxError::AlreadyOpen))
    ));
    session.rollback().unwrap();
}
