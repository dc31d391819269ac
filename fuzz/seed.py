#!/usr/bin/env python3
"""Builds the fuzz seed corpus (fuzz/seeds/) from the query texts the project already has:
the TCK scenarios (../shared/tck/features, tests/tck-extra), tests/parse/{ok,err},
examples/*.cypher and the Cypher string literals in tests/*.rs.

Run from the repository root: python3 fuzz/seed.py [TCK_DIR]
Each seed is one file named by the SHA-1 of its text, so re-running is idempotent."""

import hashlib
import pathlib
import re
import shutil
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent
TCK = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "tck"
OUT = ROOT / "fuzz" / "seeds"
MAX_BYTES = 4096  # small seeds keep libFuzzer fast; longer texts add little

CYPHER = re.compile(r"\b(MATCH|RETURN|CREATE|UNWIND|WITH|MERGE|DELETE|SET|COPY|CALL)\b", re.I)


def feature_queries(path):
    """The text of every triple-quoted block in a Gherkin .feature file."""
    blocks, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() == '"""':
            if current is None:
                current = []
            else:
                blocks.append(textwrap.dedent("\n".join(current)).strip())
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def rust_string_literals(path):
    """Raw (r#"..."#) and plain ("...") string literals that look like Cypher."""
    text = path.read_text(encoding="utf-8")
    found = [m.group(2) for m in re.finditer(r'r(#+)"(.*?)"\1', text, re.S)]
    for m in re.finditer(r'(?<![r#\w])"((?:[^"\\\n]|\\.)*)"', text):
        literal = m.group(1)
        literal = (
            literal.replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"').replace("\\\\", "\\")
        )
        found.append(literal)
    return [s for s in found if CYPHER.search(s)]


def main():
    queries = []
    for feature in sorted(TCK.glob("features/**/*.feature")):
        queries += feature_queries(feature)
    for feature in sorted((ROOT / "tests" / "tck-extra").glob("*.feature")):
        queries += feature_queries(feature)
    for cypher in sorted((ROOT / "tests" / "parse").glob("*/*.cypher")):
        queries.append(cypher.read_text(encoding="utf-8"))
    for cypher in sorted((ROOT / "examples").glob("*.cypher")):
        queries.append(cypher.read_text(encoding="utf-8"))
    for test in sorted((ROOT / "tests").glob("*.rs")):
        queries += rust_string_literals(test)

    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    written = set()
    for query in queries:
        data = query.encode("utf-8")
        if not data.strip() or len(data) > MAX_BYTES:
            continue
        name = hashlib.sha1(data).hexdigest()
        if name not in written:
            (OUT / name).write_bytes(data)
            written.add(name)
    print(f"{len(written)} seeds written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
