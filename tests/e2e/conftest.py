"""Starts `datatrail serve` on free ports for the end-to-end tests and stops it with
SIGTERM afterwards, checking that it exits 0."""

import os
import re
import signal
import subprocess
import threading

import pytest

BIN = os.environ.get("DATATRAIL_BIN", "target/release/datatrail")
USER, PASSWORD = "neo4j", "e2e-password"


class Server:
    """A running server; `uri(scheme)` gives its address."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen(
            [BIN, "serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0", *args],
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines = []
        self.port = None
        ready = threading.Event()

        def read():
            for line in self.proc.stderr:
                self.lines.append(line)
                found = re.match(r"bolt: listening on [^:]+:(\d+)", line)
                if found:
                    self.port = int(found.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(30)
        if self.port is None:
            self.proc.kill()
            raise RuntimeError("server did not start: " + "".join(self.lines))

    def uri(self, scheme="bolt"):
        return f"{scheme}://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


@pytest.fixture(scope="session")
def server():
    s = Server("--auth", f"{USER}/{PASSWORD}", "--lock-timeout", "0.5")
    yield s
    assert s.stop() == 0, "".join(s.lines)


@pytest.fixture(scope="session")
def driver(server):
    import neo4j

    d = neo4j.GraphDatabase.driver(server.uri(), auth=(USER, PASSWORD))
    yield d
    d.close()
