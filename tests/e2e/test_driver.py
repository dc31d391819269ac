"""The official Neo4j Python driver against `datatrail serve`: connecting, parameters of
every type, graph values, transactions, paging, errors, credentials, routing URIs."""

import datetime
import math
import os
import subprocess
import uuid

import neo4j
import neo4j.time
import pytest
import pytz
from neo4j.exceptions import (
    AuthError,
    ClientError,
    CypherSyntaxError,
    CypherTypeError,
    TransientError,
)

from conftest import BIN, PASSWORD, USER, Server


def label():
    """A label no other test uses, so tests sharing the server do not meet."""
    return "T" + uuid.uuid4().hex[:10]


def test_connects_and_identifies_as_neo4j_5(driver):
    driver.verify_connectivity()
    info = driver.get_server_info()
    assert info.agent.startswith("Neo4j/5.")
    assert info.protocol_version == (5, 4)


STOCKHOLM = pytz.timezone("Europe/Stockholm")


class PlusTwo(datetime.tzinfo):
    """A fixed offset that, unlike `datetime.timezone`, takes a time in `utcoffset`
    (which the driver passes when it writes a zoned time)."""

    def utcoffset(self, _):
        return datetime.timedelta(hours=2)

    def dst(self, _):
        return datetime.timedelta(0)

    def __eq__(self, other):
        return isinstance(other, datetime.tzinfo) and other.utcoffset(None) == self.utcoffset(None)

    __hash__ = datetime.tzinfo.__hash__

PARAMETERS = [
    None,
    True,
    False,
    0,
    -16,
    -17,
    127,
    128,
    2**31,
    2**63 - 1,
    -(2**63),
    1.5,
    -0.0,
    float("inf"),
    "",
    "héllo ✓ مرحبا",
    "x" * 70_000,
    [],
    [1, "a", None, [2.5, False]],
    list(range(1000)),
    {},
    {"a": {"b": [1, {"c": None}]}, "k": "v"},
    datetime.date(2024, 2, 29),
    datetime.date(1, 1, 1),
    datetime.time(23, 59, 59, 999999),
    neo4j.time.Time(10, 15, 30, 123456789),
    datetime.time(10, 15, 30, tzinfo=PlusTwo()),
    datetime.datetime(2020, 1, 2, 3, 4, 5, 6000),
    neo4j.time.DateTime(1969, 12, 31, 23, 59, 59, 999999999),
    datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    datetime.datetime(
        2020, 6, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
    ),
    # Both 02:30s of the night clocks went back in Stockholm.
    STOCKHOLM.localize(datetime.datetime(2017, 10, 29, 2, 30), is_dst=True),
    STOCKHOLM.localize(datetime.datetime(2017, 10, 29, 2, 30), is_dst=False),
    STOCKHOLM.localize(datetime.datetime(2024, 7, 1, 12, 0, 0, 123456)),
    neo4j.time.Duration(months=14, days=3, seconds=4, nanoseconds=5),
    neo4j.time.Duration(seconds=-1, nanoseconds=500_000_000),
]


@pytest.mark.parametrize("value", PARAMETERS, ids=lambda v: type(v).__name__)
def test_parameters_round_trip(driver, value):
    records, _, _ = driver.execute_query("RETURN $v AS v", v=value)
    back = records[0]["v"]
    if isinstance(value, datetime.timedelta):
        value = neo4j.time.Duration(seconds=value.total_seconds())
    assert back == value
    assert type(back) is type(value) or isinstance(value, (datetime.date, datetime.time))
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        assert back.utcoffset() == value.utcoffset()


def test_nan_round_trips(driver):
    records, _, _ = driver.execute_query("RETURN $v AS v", v=float("nan"))
    assert math.isnan(records[0]["v"])


def test_byte_arrays_are_refused_clearly(driver):
    with pytest.raises(CypherTypeError, match="ByteArray"):
        driver.execute_query("RETURN $v AS v", v=b"\x00\x01")


def test_nodes_relationships_and_paths(driver):
    t = label()
    driver.execute_query(
        f"CREATE (:{t} {{name: 'a', n: 1}})-[:SENT {{w: 2.5}}]->(:{t} {{name: 'b'}})"
        f"<-[:SENT]-(:{t}:Extra {{name: 'c'}})"
    )
    records, _, _ = driver.execute_query(
        f"MATCH p = (a:{t} {{name: 'a'}})-[r:SENT]->(b)<-[:SENT]-(c) RETURN a, r, b, p"
    )
    a, r, b, p = records[0]["a"], records[0]["r"], records[0]["b"], records[0]["p"]
    assert a.labels == {t} and dict(a) == {"name": "a", "n": 1}
    assert a.element_id.startswith("n")
    assert r.type == "SENT" and dict(r) == {"w": 2.5}
    assert r.start_node.element_id == a.element_id
    assert r.end_node.element_id == b.element_id
    assert [n["name"] for n in p.nodes] == ["a", "b", "c"]
    assert len(p.relationships) == 2
    second = p.relationships[1]
    # The second hop was walked against its direction: c -> b.
    assert second.start_node["name"] == "c" and second.end_node["name"] == "b"
    assert p.nodes[2].labels == {t, "Extra"}
    check, _, _ = driver.execute_query(
        "MATCH (n) WHERE elementId(n) = $id RETURN n.name AS name", id=a.element_id
    )
    assert check[0]["name"] == "a"


def count(driver, t):
    records, _, _ = driver.execute_query(f"MATCH (n:{t}) RETURN count(n) AS c")
    return records[0]["c"]


def test_commit_and_rollback(driver):
    t = label()
    with driver.session() as session:
        with session.begin_transaction() as tx:
            tx.run(f"CREATE (:{t} {{i: 1}})").consume()
            seen = tx.run(f"MATCH (n:{t}) RETURN count(n) AS c").single()["c"]
            assert seen == 1, "a transaction sees its own writes"
            assert count(driver, t) == 0, "others see committed data only"
            tx.commit()
        assert count(driver, t) == 1
        with session.begin_transaction() as tx:
            tx.run(f"CREATE (:{t} {{i: 2}})").consume()
            tx.rollback()
        assert count(driver, t) == 1
        with pytest.raises(ZeroDivisionError):
            with session.begin_transaction() as tx:
                tx.run(f"CREATE (:{t} {{i: 3}})").consume()
                1 / 0
        assert count(driver, t) == 1


def test_managed_transactions_and_summaries(driver):
    t = label()

    def write(tx):
        return tx.run(f"CREATE (n:{t} {{v: $v}}) RETURN n.v AS v", v=7).single()["v"]

    with driver.session() as session:
        assert session.execute_write(write) == 7
        summary = session.run(f"MATCH (n:{t}) SET n.w = 1, n.x = 2").consume()
        assert summary.counters.properties_set == 2
        assert summary.query_type == "w"
        summary = session.run(f"CREATE (n:{t}) RETURN n").consume()
        assert summary.counters.nodes_created == 1
        assert summary.query_type == "rw"
        summary = session.run("RETURN 1").consume()
        assert summary.query_type == "r" and not summary.counters.contains_updates
        assert session.execute_read(lambda tx: tx.run(f"MATCH (n:{t}) RETURN count(n) AS c").single()["c"]) == 2


def test_a_failed_statement_in_a_transaction_rolls_it_back(driver):
    t = label()
    with driver.session() as session:
        tx = session.begin_transaction()
        tx.run(f"CREATE (:{t})").consume()
        with pytest.raises(CypherSyntaxError):
            tx.run("RETRN 1").consume()
        tx.close()
    assert count(driver, t) == 0


def test_streaming_with_a_small_fetch_size(server):
    with neo4j.GraphDatabase.driver(server.uri(), auth=(USER, PASSWORD), fetch_size=7) as d:
        with d.session() as session:
            result = session.run("UNWIND range(1, 1000) AS i RETURN i")
            assert [r["i"] for r in result] == list(range(1, 1001))
            # Read a few, then let the rest go (DISCARD).
            result = session.run("UNWIND range(1, 1000) AS i RETURN i")
            assert [next(result)["i"] for _ in range(3)] == [1, 2, 3]
            assert result.consume().query_type == "r"
            # Two results open at once in one transaction.
            with session.begin_transaction() as tx:
                first = tx.run("UNWIND range(1, 20) AS i RETURN i")
                second = tx.run("UNWIND range(1, 20) AS i RETURN i * 2 AS j")
                assert [r["j"] for r in second] == [2 * i for i in range(1, 21)]
                assert [r["i"] for r in first] == list(range(1, 21))


@pytest.mark.parametrize(
    "query, code",
    [
        ("RETRN 1", "Neo.ClientError.Statement.SyntaxError"),
        ("RETURN nope", "Neo.ClientError.Statement.SyntaxError"),
        ("RETURN $missing", "Neo.ClientError.Statement.ParameterMissing"),
        ("UNWIND [1, 'a'] AS x RETURN x - 1", "Neo.ClientError.Statement.TypeError"),
        ("COPY (RETURN 1 AS x) TO '/tmp/x.csv'", "Neo.ClientError.Security.Forbidden"),
    ],
)
def test_errors_carry_neo4j_codes_and_the_shell_diagnostic(driver, query, code):
    with pytest.raises(ClientError) as caught:
        driver.execute_query(query)
    assert caught.value.code == code
    if code.startswith("Neo.ClientError.Statement"):
        assert "--> query:1:" in caught.value.message and "^" in caught.value.message
    # The connection is usable afterwards.
    assert driver.execute_query("RETURN 1 AS x").records[0]["x"] == 1


def test_syntax_errors_raise_the_driver_class(driver):
    with pytest.raises(CypherSyntaxError, match="expected"):
        driver.execute_query("MATCH (n RETURN n")


def test_unknown_databases_are_refused(driver):
    with pytest.raises(ClientError) as caught:
        driver.execute_query("RETURN 1", database_="other")
    assert caught.value.code == "Neo.ClientError.Database.DatabaseNotFound"
    assert driver.execute_query("RETURN 1 AS x", database_="neo4j").records[0]["x"] == 1


def test_a_second_writer_times_out_with_a_transient_error(driver):
    t = label()
    with driver.session() as holder, driver.session() as other:
        tx = holder.begin_transaction()
        tx.run(f"CREATE (:{t})").consume()
        # Readers are not blocked by the open write transaction.
        assert other.run(f"MATCH (n:{t}) RETURN count(n) AS c").single()["c"] == 0
        with pytest.raises(TransientError) as caught:
            other.run(f"CREATE (:{t})").consume()
        assert caught.value.code == "Neo.TransientError.Transaction.LockAcquisitionTimeout"
        tx.commit()
    assert count(driver, t) == 1


@pytest.mark.parametrize("auth", [(USER, "wrong"), ("someone", PASSWORD), None])
def test_wrong_or_missing_credentials_are_refused(server, auth):
    with neo4j.GraphDatabase.driver(server.uri(), auth=auth) as d:
        with pytest.raises(AuthError):
            d.verify_connectivity()


def test_routing_uris_work(server):
    with neo4j.GraphDatabase.driver(server.uri("neo4j"), auth=(USER, PASSWORD)) as d:
        d.verify_connectivity()
        records, _, _ = d.execute_query("RETURN 42 AS x", routing_="r")
        assert records[0]["x"] == 42
        t = label()
        d.execute_query(f"CREATE (:{t})", routing_="w")
        assert count(d, t) == 1


def test_to_df(driver):
    df = driver.execute_query(
        "UNWIND range(1, 3) AS i RETURN i, toString(i) AS s",
        result_transformer_=neo4j.Result.to_df,
    )
    assert list(df.columns) == ["i", "s"]
    assert df["i"].tolist() == [1, 2, 3]
    assert df["s"].tolist() == ["1", "2", "3"]


def test_case_graph_is_served(driver):
    records, _, _ = driver.execute_query(
        "MATCH (c:Company {id: 'cambridge_analytica'}) RETURN c.name AS name"
    )
    assert records[0]["name"] == "Cambridge Analytica"


def test_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    s = Server("--auth", "none", "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        with neo4j.GraphDatabase.driver(s.uri("bolt+ssc"), auth=None) as d:
            assert d.execute_query("RETURN 'secure' AS x").records[0]["x"] == "secure"
        # Plain Bolt is still served on the same port.
        with neo4j.GraphDatabase.driver(s.uri("bolt"), auth=None) as d:
            assert d.execute_query("RETURN 1 AS x").records[0]["x"] == 1
    finally:
        assert s.stop() == 0


def test_credentials_from_the_environment():
    s = Server(env={"DATATRAIL_AUTH": "env/pw"})
    try:
        with neo4j.GraphDatabase.driver(s.uri(), auth=("env", "pw")) as d:
            d.verify_connectivity()
        with neo4j.GraphDatabase.driver(s.uri(), auth=("env", "no")) as d:
            with pytest.raises(AuthError):
                d.verify_connectivity()
    finally:
        assert s.stop() == 0


def test_no_credentials_on_a_public_address_is_refused():
    done = subprocess.run(
        [BIN, "serve", "--bolt", "0.0.0.0:0", "--auth", "none"],
        capture_output=True,
        text=True,
        timeout=30,
        env={k: v for k, v in os.environ.items() if k != "DATATRAIL_AUTH"},
    )
    assert done.returncode == 2
    assert "without credentials" in done.stderr


def test_verify_authentication_and_session_auth(driver):
    assert driver.verify_authentication()
    assert not driver.verify_authentication(auth=(USER, "wrong"))
    with driver.session(auth=(USER, PASSWORD)) as session:
        assert session.run("RETURN 1 AS x").single()["x"] == 1
