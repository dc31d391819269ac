"""The formats datatrail exchanges, checked with the tools investigators use to read
them: followthemoney (FtM entities), networkx (GraphML, GEXF) and xmlschema (the GEXF
1.3 schema). Run by tests/formats/run.sh, which builds the virtual environment."""

import json
import os
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
import xmlschema
from followthemoney import model

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("DATATRAIL_BIN", str(ROOT / "target" / "release" / "datatrail"))
WHOLE_GRAPH = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r"


def datatrail(*args: str) -> str:
    done = subprocess.run([BIN, "--quiet", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def count(query: str, *load: str) -> int:
    return int(datatrail(*load, "--format", "csv", "-c", query).splitlines()[1])


# ── FollowTheMoney ──


def test_the_schema_table_matches_the_package():
    text = (ROOT / "src/load/ftm_schema.rs").read_text()
    found = re.findall(
        r'name: "(\w+)", abstract_: (\w+), edge: (?:None|Some\(\("(\w+)", "(\w+)"\)\)),\s*'
        r"extends: &\[([^\]]*)\], props: &\[(.*?)\] \}",
        text,
        re.S,
    )
    table = {f[0]: f for f in found}
    assert set(table) == set(model.schemata)

    def props(name):
        own = dict(re.findall(r'\("(\w+)", (\w+)\)', table[name][5]))
        for parent in re.findall(r'"(\w+)"', table[name][4]):
            own = {**props(parent), **own}
        return own

    kinds = {"entity": "Entity", "date": "Date", "number": "Number"}
    for name, schema in model.schemata.items():
        expected = {
            p.name: kinds.get(p.type.name, "Text")
            for p in schema.properties.values()
            if not p.stub
        }
        assert props(name) == expected, name
        assert (table[name][1] == "true") == schema.abstract, name
        if schema.edge and schema.edge_source and schema.edge_target:
            assert table[name][2:4] == (schema.edge_source, schema.edge_target), name


def ftm_entities():
    """A small case in FtM, made and cleaned by the followthemoney package."""

    def make(schema, id, **props):
        entity = model.make_entity(schema)
        entity.id = id
        for prop, values in props.items():
            for value in values if isinstance(values, list) else [values]:
                entity.add(prop, value)
        return entity

    return [
        make("Person", "kogan", name=["Aleksandr Kogan", "Dr. Kogan"], nationality="us",
             birthDate="1985"),
        make("Company", "gsr", name="Global Science Research", jurisdiction="gb",
             incorporationDate="2014-05"),
        make("Organization", "ca", name="Cambridge Analytica", country="gb"),
        make("PublicBody", "ico", name="Information Commissioner's Office", country="gb"),
        make("Person", "wylie", name="Christopher Wylie"),
        make("Ownership", "own-1", owner="kogan", asset="gsr", startDate="2014",
             percentage="50"),
        make("Directorship", "dir-1", director="kogan", organization="gsr",
             role="director", startDate="2014-05-29"),
        make("Employment", "emp-1", employee="wylie", employer="ca", startDate="2013",
             endDate="2014-11"),
        make("Membership", "mem-1", member="gsr", organization="ca"),
        make("Payment", "pay-1", payer="ca", beneficiary="gsr", amount="750000",
             currency="GBP", date="2014-06", purpose=["data", "research"]),
        make("Representation", "rep-1", agent="wylie", client="ico", role="witness"),
    ]


def entities_by_id(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        # get_proxy raises on a schema or property FtM does not know.
        proxy = model.get_proxy(json.loads(line), cleaned=False)
        out[proxy.id] = proxy
    return out


def test_ftm_round_trip_keeps_every_entity_and_property(tmp_path):
    given = ftm_entities()
    path = tmp_path / "case.ftm.json"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in given))
    back = entities_by_id(datatrail("--ftm", str(path), "--format", "ftm", "-c", WHOLE_GRAPH))
    assert set(back) == {e.id for e in given}
    for entity in given:
        got = back[entity.id]
        assert got.schema.name == entity.schema.name
        assert {p: sorted(v) for p, v in got.properties.items()} == {
            p: sorted(v) for p, v in entity.properties.items()
        }, entity.id


def test_ftm_intervals_become_relationships_with_dates_and_amounts(tmp_path):
    path = tmp_path / "case.ftm.json"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in ftm_entities()))
    rows = datatrail("--ftm", str(path), "--format", "csv", "-c",
                     "MATCH (a)-[p:PAYMENT]->(b) RETURN a.id, p.amount[0] + 1, p.date, b.id")
    assert rows.splitlines()[1] == "ca,750001,['2014-06'],gsr"
    assert count("MATCH ()-[r]->() RETURN count(r)", "--ftm", str(path)) == 6
    assert count("MATCH (n:Person) RETURN count(n)", "--ftm", str(path)) == 2


def test_the_case_graph_exports_as_valid_ftm_and_loads_back(tmp_path):
    text = datatrail("--format", "ftm", "-c", WHOLE_GRAPH)
    entities = entities_by_id(text)
    nodes = count("MATCH (n) RETURN count(n)")
    rels = count("MATCH ()-[r]->() RETURN count(r)")
    assert len(entities) == nodes + rels
    path = tmp_path / "case.ftm.json"
    path.write_text(text)
    assert count("MATCH (n) RETURN count(n)", "--ftm", str(path)) == nodes
    assert count("MATCH ()-[r]->() RETURN count(r)", "--ftm", str(path)) == rels


# ── GraphML ──


def test_graphml_reads_in_networkx_with_counts_and_types(tmp_path):
    path = tmp_path / "case.graphml"
    datatrail("-c", f"COPY ({WHOLE_GRAPH}) TO '{path}'")
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.number_of_nodes() == count("MATCH (n) RETURN count(n)")
    assert graph.number_of_edges() == count("MATCH ()-[r]->() RETURN count(r)")
    by_id = {d["id"]: n for n, d in graph.nodes(data=True)}
    kogan = graph.nodes[by_id["aleksandr_kogan"]]
    assert kogan["name"] == "Aleksandr Kogan" and kogan["labels"] == ":Person"
    flows = [d for _, _, d in graph.edges(data=True) if d["type"] == "DATA_FLOW"]
    assert any(isinstance(d.get("records"), int) and d["records"] > 80_000_000 for d in flows)
    assert graph.has_edge(by_id["facebook"], by_id["cambridge_analytica"])


# ── GEXF ──


@pytest.fixture(scope="module")
def gexf_schema():
    return xmlschema.XMLSchema(str(ROOT / "tests/formats/gexf-1.3/gexf.xsd"))


def test_gexf_is_valid_gexf_1_3_with_spells(tmp_path, gexf_schema):
    path = tmp_path / "case.gexf"
    path.write_text(datatrail("--format", "gexf", "-c", WHOLE_GRAPH))
    gexf_schema.validate(str(path))
    graph = nx.read_gexf(path, version="1.3")
    assert graph.number_of_nodes() == count("MATCH (n) RETURN count(n)")
    assert graph.number_of_edges() == count("MATCH ()-[r]->() RETURN count(r)")
    dated = count("MATCH ()-[r]->() WHERE r.start_date IS NOT NULL "
                  "OR r.end_date IS NOT NULL RETURN count(r)")
    # Counted in the file itself: networkx keeps no spell that has only an end.
    ns = {"g": "http://gexf.net/1.3"}
    edges = ElementTree.parse(path).getroot().iterfind(".//g:edges/g:edge", ns)
    spells = [e for e in edges if e.find("g:spells/g:spell", ns) is not None]
    assert len(spells) == dated > 0
    names = {d["label"] for _, d in graph.nodes(data=True)}
    assert "Cambridge Analytica" in names


def test_gexf_spells_of_partial_dates_cover_their_period(tmp_path, gexf_schema):
    path = tmp_path / "case.ftm.json"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in ftm_entities()))
    out = tmp_path / "ftm.gexf"
    out.write_text(datatrail("--ftm", str(path), "--format", "gexf", "-c", WHOLE_GRAPH))
    gexf_schema.validate(str(out))
    graph = nx.read_gexf(out, version="1.3")
    spells = {d["label"]: d.get("spells") for _, _, d in graph.edges(data=True)}
    assert spells["EMPLOYMENT"] == [("2013-01-01", "2014-11-30")]
    assert spells["PAYMENT"] == [("2014-06-01", "2014-06-30")]
    assert spells["MEMBERSHIP"] is None
