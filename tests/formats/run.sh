#!/usr/bin/env bash
# The Python checks of the exchange formats (test_formats.py): FollowTheMoney files
# validated by the followthemoney package, GraphML and GEXF read by networkx, GEXF
# validated against the GEXF 1.3 schema by xmlschema. The virtual environment lives in
# target/formats-venv and is rebuilt when requirements.txt changes; nothing is fetched
# once it exists. Uses target/release/datatrail (built if missing), or $DATATRAIL_BIN.
set -uo pipefail
cd "$(dirname "$0")/../.."

venv=target/formats-venv
requirements=tests/formats/requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv" || exit 1
  # Every package is pinned in the file, so its dependencies are not resolved again.
  "$venv/bin/pip" install --quiet --no-deps -r "$requirements" || exit 1
  cp "$requirements" "$venv/requirements.txt"
fi

export DATATRAIL_BIN="${DATATRAIL_BIN:-$PWD/target/release/datatrail}"
if [ ! -x "$DATATRAIL_BIN" ]; then
  cargo build --release || exit 1
fi

"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/formats "$@"
status=$?
case $status in
  0) ;;
  1) echo "formats: some checks failed" >&2 ;;
  2) echo "formats: the checks were interrupted" >&2 ;;
  5) echo "formats: no checks were collected" >&2 ;;
  *) echo "formats: pytest could not run (exit $status)" >&2 ;;
esac
exit $status
