"""Concurrent clients and durability: many driver clients mixing reads and writes get
no errors, and every committed write survives a SIGKILL of a server serving a dataset
folder."""

import subprocess
import threading

import neo4j
import pytest

from conftest import BIN, Server


@pytest.fixture
def dataset(tmp_path):
    folder = tmp_path / "data"
    subprocess.run([BIN, "-q", "-c", "RETURN 1", "--save", str(folder)], check=True)
    return folder


def test_concurrent_clients_and_committed_writes_survive_sigkill(dataset):
    s = Server("--auth", "none", "--data", str(dataset), "--lock-timeout", "30")
    clients, statements = 8, 20
    errors = []
    try:
        with neo4j.GraphDatabase.driver(s.uri(), auth=None) as d:

            def client(c):
                try:
                    for i in range(statements):
                        if i % 10 == 0:
                            d.execute_query("CREATE (:Load {c: $c, i: $i})", c=c, i=i)
                        elif i % 10 == 5:
                            with d.session() as session:
                                session.execute_write(
                                    lambda tx: tx.run(
                                        "CREATE (:Load {c: $c, i: $i, tx: true})", c=c, i=i
                                    ).consume()
                                )
                        else:
                            d.execute_query("MATCH (n:Load) RETURN count(n) AS n")
                except Exception as e:  # noqa: BLE001 - every error is a finding
                    errors.append(e)

            threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert errors == []
    finally:
        s.proc.kill()
        s.proc.wait()
    again = Server("--auth", "none", "--data", str(dataset))
    try:
        with neo4j.GraphDatabase.driver(again.uri(), auth=None) as d:
            records, _, _ = d.execute_query(
                "MATCH (n:Load) RETURN count(n) AS total, count(n.tx) AS in_tx"
            )
            assert records[0]["total"] == clients * statements // 5
            assert records[0]["in_tx"] == clients * statements // 10
    finally:
        assert again.stop() == 0
