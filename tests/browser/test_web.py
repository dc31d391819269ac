"""The web view in a real browser (Debian's chromium, driven by Playwright).

A `datatrail serve` with credentials serves the built-in case graph; each test opens the
page as a user would and checks the renderer's model (cytoscape's nodes and edges), the
DOM, and what the server answers. One test also keeps docs/web-facebook-chain.png
current.
"""

import base64
import json
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "neo4j", "browser-test-pass"
HOSTILE = "<img src=x onerror=alert(1)>"
FACEBOOK_CHAIN = "MATCH p = (:Platform {name: 'Facebook'})-[:DATA_FLOW*]->(x) RETURN p"
TWITTER_CHAIN = (
    "MATCH TIME ORDERED p = (:Platform {name: 'Twitter'})-[:DATA_FLOW*]->(x) RETURN p"
)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    binary = os.environ.get("DATATRAIL_BIN", str(ROOT / "target/release/datatrail"))
    process = subprocess.Popen(
        [binary, "serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0", "--auth", f"{USER}/{PASSWORD}"],
        stderr=subprocess.PIPE,
        text=True,
    )
    address = None
    for line in process.stderr:
        match = re.match(r"http: listening on (\S+)", line)
        if match:
            address = match.group(1)
            break
    assert address, "the server never said it was listening"
    yield f"http://{address}"
    process.terminate()
    process.wait(timeout=10)


def call(base, statement, headers=None, auth=True):
    """POSTs a statement to the Query API; returns (status, JSON body)."""
    request = urllib.request.Request(
        f"{base}/db/neo4j/query/v2",
        data=json.dumps({"statement": statement}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    if auth:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # A fresh context is a fresh profile: no history, storage or cached credentials.
    context = browser.new_context(
        http_credentials={"username": USER, "password": PASSWORD},
        viewport={"width": 1400, "height": 900},
    )
    page = context.new_page()
    page.errors = []
    page.dialogs = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on(
        "console",
        lambda m: page.errors.append(m.text) if m.type == "error" else None,
    )

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


def open_query(page, server, query):
    page.goto(f"{server}/?query={urllib.parse.quote(query)}")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def node_names(page):
    return page.evaluate("window.datatrail.graph.cy.nodes().map(n => n.data('name'))")


def click_node(page, name):
    """Clicks the node named `name` where the renderer drew it."""
    point = page.evaluate(
        """name => {
            const cy = window.datatrail.graph.cy;
            const node = cy.nodes().filter(n => n.data('name') === name)[0];
            const box = cy.container().getBoundingClientRect();
            const p = node.renderedPosition();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        name,
    )
    page.mouse.click(point["x"], point["y"])


def test_page_loads_with_its_schema_and_policy(page, server):
    response = page.goto(server)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    expect(page).to_have_title("datatrail")
    expect(page.locator("#schema-labels")).to_contain_text("Platform")
    expect(page.locator("#schema-types")).to_contain_text("DATA_FLOW")
    assert page.errors == []


def test_query_from_the_address_draws_its_nodes(page, server):
    open_query(page, server, FACEBOOK_CHAIN)
    names = node_names(page)
    for name in ["Facebook", "Cambridge Analytica", "Global Science Research", "SCL Group"]:
        assert name in names
    flows = page.evaluate(
        "window.datatrail.graph.cy.edges().map(e => [e.source().data('name'), e.target().data('name'), e.data('name')])"
    )
    assert ["Facebook", "Global Science Research", "DATA_FLOW · 87M records"] in flows
    # Dated chain, left to right: the 2016 campaign comes after Facebook.
    x = page.evaluate(
        "Object.fromEntries(window.datatrail.graph.cy.nodes().map(n => [n.data('name'), n.position('x')]))"
    )
    assert x["Facebook"] < x["Trump 2016 campaign"]
    assert page.errors == []


def test_clicking_a_node_shows_its_sources(page, server):
    open_query(page, server, FACEBOOK_CHAIN)
    click_node(page, "Global Science Research")
    expect(page.locator("#details h2")).to_contain_text("Global Science Research")
    source = page.locator("#sources .source")
    expect(source.first).to_contain_text("تويتر متورطة أيضًا")
    expect(source.first).to_contain_text("002_4d336e4a1fd76612.txt")
    # The README's picture: the chain with a node's sources beside it.
    page.screenshot(path=str(ROOT / "docs" / "web-facebook-chain.png"))


def test_time_slider_hides_a_flow_outside_the_period(page, server):
    open_query(page, server, TWITTER_CHAIN)

    def visible(target):
        return page.evaluate(
            """target => window.datatrail.graph.cy.edges()
                .filter(e => e.target().data('name') === target)
                .map(e => e.visible())""",
            target,
        )

    assert visible("Trump 2016 campaign") == [True]
    expect(page.locator("#timebar")).to_be_visible()
    # End the period in 2015: the 2016 flow goes, the December 2014 one stays.
    end_2015 = (
        page.evaluate("Date.UTC(2015, 11, 31)") // 86_400_000
    )
    page.locator("#time-to").fill(str(end_2015))
    expect(page.locator("#time-label")).to_contain_text("to 2015-12-31")
    assert visible("Trump 2016 campaign") == [False]
    assert visible("Global Science Research") == [True]


def test_an_error_shows_its_position(page, server):
    open_query(page, server, "MATCH (n)\nRETURN m")
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Neo.ClientError.Statement")
    assert "^" in error.locator("pre").inner_text()
    expect(error.locator("button")).to_have_text("at line 2, column 8")


def test_a_hostile_name_stays_text(page, server):
    status, _ = call(server, f"CREATE (:Person {{name: '{HOSTILE}', sources: ['x']}})")
    assert status == 200
    open_query(page, server, "MATCH (n:Person) WHERE n.name STARTS WITH '<img' RETURN n")
    assert HOSTILE in node_names(page)
    click_node(page, HOSTILE)
    expect(page.locator("#details h2")).to_contain_text(HOSTILE)
    page.click("#tab-table")
    expect(page.locator("#table-view td").first).to_contain_text(HOSTILE)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.dialogs == []


def test_foreign_origin_and_host_are_refused(server):
    status, body = call(server, "RETURN 1", {"Origin": "http://evil.example"})
    assert status == 403
    assert body["errors"][0]["code"].startswith("Neo.ClientError")
    port = urllib.parse.urlparse(server).port
    status, _ = call(server, "RETURN 1", {"Host": f"rebound.example:{port}"})
    assert status == 403
    status, _ = call(server, "RETURN 1", {"Origin": server})
    assert status == 200


def test_credentials_are_required(server):
    status, body = call(server, "RETURN 1", auth=False)
    assert status == 401
    assert body["errors"][0]["code"] == "Neo.ClientError.Security.Unauthorized"



def test_a_large_result_shows_the_first_nodes_and_stays_usable(page, server):
    query = (
        "UNWIND range(1, 3000) AS i "
        "CREATE (a:Bulk {name: 'a' + i})-[r:LINK]->(b:Bulk {name: 'b' + i}) RETURN a, r, b"
    )
    open_query(page, server, query)
    expect(page.locator("#limit")).to_contain_text("first 5000 of 6000 nodes")
    assert page.evaluate("window.datatrail.graph.cy.nodes().length") == 5000
    assert page.locator("#timebar").is_hidden()
    # Still answers: selecting a node (a tap through the renderer's events) shows it.
    page.evaluate(
        "window.datatrail.graph.cy.nodes().filter(n => n.data('name') === 'a1').emit('tap')"
    )
    expect(page.locator("#details h2")).to_contain_text("a1")


def test_double_click_adds_a_nodes_neighbours(page, server):
    open_query(page, server, "MATCH (n:Platform {name: 'Facebook'}) RETURN n")
    assert node_names(page) == ["Facebook"]
    point = page.evaluate(
        """() => {
            const cy = window.datatrail.graph.cy;
            const box = cy.container().getBoundingClientRect();
            const p = cy.nodes()[0].renderedPosition();
            return {x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    page.mouse.dblclick(point["x"], point["y"])
    expect(page.locator("#status")).to_contain_text("neighbours added")
    names = node_names(page)
    assert "Mark Zuckerberg" in names and "Cambridge Analytica" in names
    assert page.evaluate("window.datatrail.graph.cy.edges().length") >= 2


def test_editor_completes_labels_and_runs_on_ctrl_enter(page, server):
    page.goto(server)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    page.click("#editor .cm-content")
    page.keyboard.type("MATCH (n:Plat")
    popup = page.locator(".cm-tooltip-autocomplete")
    expect(popup).to_contain_text("Platform")
    # CodeMirror ignores Enter for a moment after the list opens (its interactionDelay).
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.keyboard.type(") RETURN n")
    expect(page.locator("#editor .cm-content")).to_have_text("MATCH (n:Platform) RETURN n")
    # Highlighted: the keyword has a style of its own.
    assert page.locator("#editor .cm-content span", has_text="MATCH").count() >= 1
    page.keyboard.press("Control+Enter")
    expect(page.locator("#status")).to_contain_text("2 rows")
    assert sorted(node_names(page)) == ["Facebook", "Twitter"]
    assert "query=MATCH" in page.url


def test_exports_rows_as_csv_and_the_picture_as_svg_and_png(page, server, tmp_path):
    open_query(page, server, "MATCH (p:Platform) RETURN p.name AS name, p ORDER BY name")
    downloads = {}
    for kind in ["csv", "svg", "png"]:
        with page.expect_download() as info:
            page.click(f"#export-{kind}")
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        downloads[kind] = path.read_bytes()
    csv = downloads["csv"].decode()
    assert csv.splitlines()[:3] == ["name,p", "Facebook,(:Company:Platform Facebook)", "Twitter,(:Company:Platform Twitter)"]
    svg = downloads["svg"].decode()
    assert svg.startswith("<svg") and ">Facebook</text>" in svg
    assert downloads["png"].startswith(b"\x89PNG")
