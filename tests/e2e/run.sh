#!/usr/bin/env bash
# End-to-end tests: the official Neo4j Python and JavaScript drivers against
# `datatrail serve` (the release binary). Creates the Python virtual environment under
# target/ when missing or when requirements.txt changed, and installs the JavaScript
# driver from package-lock.json (npm ci) when node_modules is missing or stale. Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/e2e-venv
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s tests/e2e/requirements.txt "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/e2e/requirements.txt
  cp tests/e2e/requirements.txt "$venv/requirements.txt"
fi
[ -x target/release/datatrail ] || cargo build --release

# pytest exits 0 when every test passed, 1 when some failed, 5 when none ran: only 0
# is a success.
status=0
DATATRAIL_BIN="$PWD/target/release/datatrail" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/e2e "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "e2e: no Python test ran" >&2
fi

js=0
if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/e2e/node_modules
fi
DATATRAIL_BIN="$PWD/target/release/datatrail" node --test tests/e2e/js/ || js=$?

if [ "$status" -ne 0 ]; then
  exit "$status"
fi
exit "$js"
