// The page: runs queries through the Query API, shows the result as a graph, a table or
// JSON, the schema in a sidebar, the properties and sources of what is clicked, and a
// time filter. Every value from the graph reaches the page as text (textContent, never
// HTML), so a name such as `<img src=x onerror=...>` shows those characters.

import { createEditor, loadHistory, remember } from "./editor.js";
import { colourOf, createGraph } from "./graph.js";
import { cellText, collectGraph, displayName, flowDate, isNode, toCsv } from "./model.js";

/** At most this many nodes are drawn, and this many rows tabled. */
const GRAPH_LIMIT = 5000;
const TABLE_LIMIT = 2000;
const QUERY_URL = "/db/neo4j/query/v2";

const $ = (id) => document.getElementById(id);

/** An element with text content (never parsed as HTML). */
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

async function runQuery(statement, parameters = {}) {
  const response = await fetch(QUERY_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    credentials: "same-origin",
    body: JSON.stringify({ statement, parameters }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw { code: `HTTP ${response.status}`, message: response.statusText || "the server's answer is not JSON" };
  }
  if (!response.ok || body.errors?.length) throw body.errors?.[0] || { code: `HTTP ${response.status}`, message: "" };
  return body;
}

const schema = { value: { labels: [], types: [], keys: [], names: [], keywords: [], functions: [] } };
const state = { result: null, view: "graph", layout: "auto" };

const editor = createEditor($("editor"), { onRun: (text) => run(text), schema });
const graph = createGraph($("graph"), { onSelect: showDetails, onExpand: expand });

function setStatus(text) {
  $("status").textContent = text;
}

function showError(error) {
  const box = $("error");
  box.replaceChildren();
  box.hidden = false;
  box.append(el("div", error.code || "error", "error-code"));
  box.append(el("pre", error.message || ""));
  if (error.position) {
    const { line, column, offset } = error.position;
    const at = el("button", `at line ${line}, column ${column}`, "link");
    at.dataset.offset = offset;
    at.addEventListener("click", () => editor.select(offset));
    box.append(at);
    editor.select(offset);
  }
}

/** Runs `text`, shows its result, and makes the page's address the query's link. */
async function run(text) {
  const statement = text.trim();
  if (!statement) return;
  remember(statement);
  fillHistory();
  const url = new URL(location.href);
  url.searchParams.set("query", statement);
  history.replaceState(null, "", url);
  $("error").hidden = true;
  setStatus("running…");
  const started = performance.now();
  try {
    const result = await runQuery(statement);
    const seconds = ((performance.now() - started) / 1000).toFixed(3);
    state.result = result;
    render(result, seconds);
    // Writes change the sidebar's counts and the names to complete.
    if (result.counters?.containsUpdates) loadSchema();
  } catch (error) {
    setStatus("failed");
    showError(error);
  }
}

function render(result, seconds) {
  const rows = result.data.values.length;
  $("timebar").hidden = !collectGraph(result).rels.some((r) => flowDate(r));
  const total = collectGraph(result).nodes.length;
  const notice = $("limit");
  notice.hidden = total <= GRAPH_LIMIT && rows <= TABLE_LIMIT;
  const drawn = graph.show(result, { limit: GRAPH_LIMIT, layout: chosenLayout() });
  const notes = [];
  if (drawn.total > drawn.shown) notes.push(`The graph shows the first ${drawn.shown} of ${drawn.total} nodes.`);
  if (rows > TABLE_LIMIT) notes.push(`The table shows the first ${TABLE_LIMIT} of ${rows} rows (CSV export has them all).`);
  notice.textContent = notes.join(" ");
  notice.hidden = notes.length === 0;
  renderTable(result);
  $("json").textContent = JSON.stringify(result, null, 2).slice(0, 2_000_000);
  setupTimeline();
  const counters = result.counters?.containsUpdates ? " · database changed" : "";
  setStatus(`${rows} row${rows === 1 ? "" : "s"} · ${drawn.total} node${drawn.total === 1 ? "" : "s"} · ${seconds} s${counters}`);
  // A result with no nodes is best read as a table.
  if (drawn.total === 0 && state.view === "graph" && rows > 0) switchView("table");
  else if (drawn.total > 0 && state.view === "table" && !state.pinned) switchView("graph");
}

function renderTable(result) {
  const table = $("table-view");
  const head = el("tr");
  result.data.fields.forEach((f) => head.append(el("th", f)));
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  for (const row of result.data.values.slice(0, TABLE_LIMIT)) {
    const tr = el("tr");
    row.forEach((v) => tr.append(el("td", cellText(v))));
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
}

function chosenLayout() {
  if (state.layout !== "auto") return state.layout;
  const range = state.result && collectGraph(state.result).rels.some((r) => r.properties?.start_date || r.properties?.end_date);
  return range ? "time" : "auto";
}

// ── Time ──

function setupTimeline() {
  const range = graph.dateRange();
  const bar = $("timebar");
  bar.hidden = !range;
  if (!range) return;
  const DAY = 86_400_000;
  const [from, to] = [$("time-from"), $("time-to")];
  for (const input of [from, to]) {
    input.min = Math.floor(range[0] / DAY);
    input.max = Math.ceil(range[1] / DAY);
    input.step = 1;
  }
  from.value = from.min;
  to.value = to.max;
  applyTime();
}

function applyTime() {
  const DAY = 86_400_000;
  const [from, to] = [$("time-from"), $("time-to")];
  if (+from.value > +to.value) from.value = to.value;
  const range = [+from.value * DAY, +to.value * DAY + DAY - 1];
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  $("time-label").textContent = `flows dated ${day(range[0])} to ${day(range[1])} (undated flows stay)`;
  graph.filter(range);
}

$("time-from").addEventListener("input", applyTime);
$("time-to").addEventListener("input", applyTime);

// ── Details and sources ──

async function showDetails(entity) {
  const panel = $("details");
  panel.replaceChildren();
  const title = isNode(entity) ? `${entity.labels.map((l) => `:${l}`).join("")} ${displayName(entity)}` : `[:${entity.type}]`;
  panel.append(el("h2", title));
  const props = el("table", null, "props");
  for (const [key, value] of Object.entries(entity.properties || {})) {
    const tr = el("tr");
    tr.append(el("th", key), el("td", typeof value === "string" ? value : JSON.stringify(value)));
    props.append(tr);
  }
  panel.append(props);
  const cited = entity.properties?.sources;
  const ids = Array.isArray(cited) ? cited : cited ? [cited] : [];
  panel.append(el("h3", "Sources"));
  const list = el("ol", null, "sources");
  list.id = "sources";
  panel.append(list);
  if (ids.length === 0) {
    list.append(el("li", "no sources cited"));
    return;
  }
  try {
    const result = await runQuery(
      "MATCH (s:Source) WHERE s.id IN $ids RETURN s.id AS id, s.title AS title, s.publisher AS publisher, s.published AS published, s.file AS file",
      { ids },
    );
    const found = new Map(result.data.values.map(([id, ...rest]) => [id, rest]));
    for (const id of ids) {
      const item = el("li", null, "source");
      const [title, publisher, published, file] = found.get(id) || [];
      item.append(el("div", title || id, "source-title"));
      const meta = [publisher, published, file ? `file ${file}` : null, `id ${id}`].filter(Boolean).join(" · ");
      item.append(el("div", meta, "source-meta"));
      list.append(item);
    }
  } catch (error) {
    list.append(el("li", `sources could not be read: ${error.message}`));
  }
}

/** Double-click: adds the node's neighbours and the relationships to them. */
async function expand(node) {
  try {
    const result = await runQuery("MATCH (n)-[r]-(m) WHERE elementId(n) = $id RETURN r, m LIMIT 300", { id: node.elementId });
    const { nodes, rels } = collectGraph(result);
    const centre = graph.cy.getElementById(node.elementId).position();
    const before = new Set(graph.cy.nodes().map((n) => n.id()));
    graph.add(nodes, rels);
    graph.cy.nodes().forEach((n) => {
      if (!before.has(n.id())) n.position({ x: centre.x + (Math.random() - 0.5) * 200, y: centre.y + (Math.random() - 0.5) * 200 });
    });
    setStatus(`${graph.cy.nodes().length - before.size} neighbours added`);
  } catch (error) {
    showError(error);
  }
}

// ── Views, schema, exports ──

function switchView(view, pinned = false) {
  state.view = view;
  state.pinned = pinned;
  for (const name of ["graph", "table", "json"]) {
    $(`view-${name}`).hidden = name !== view;
    $(`tab-${name}`).classList.toggle("active", name === view);
  }
  if (view === "graph") graph.cy.resize();
}

for (const name of ["graph", "table", "json"]) $(`tab-${name}`).addEventListener("click", () => switchView(name, name !== "graph"));

$("layout").addEventListener("change", (event) => {
  state.layout = event.target.value;
  graph.layout(chosenLayout());
});

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

$("export-png").addEventListener("click", () => download("datatrail.png", graph.cy.png({ output: "blob", full: true, bg: "#ffffff", scale: 2 })));
$("export-svg").addEventListener("click", () => download("datatrail.svg", new Blob([graph.svg()], { type: "image/svg+xml" })));
$("export-csv").addEventListener("click", () => state.result && download("datatrail.csv", new Blob([toCsv(state.result)], { type: "text/csv" })));
$("run").addEventListener("click", () => run(editor.text));

function fillHistory() {
  const select = $("history");
  const first = el("option", "History…");
  first.value = "";
  select.replaceChildren(first, ...loadHistory().map((q) => el("option", q.length > 90 ? `${q.slice(0, 90)}…` : q)));
  [...select.options].slice(1).forEach((option, i) => (option.value = loadHistory()[i]));
}

$("history").addEventListener("change", (event) => {
  if (event.target.value) editor.text = event.target.value;
  event.target.value = "";
});

function quoteName(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, "``")}\``;
}

async function loadSchema() {
  try {
    const response = await fetch("/api/schema", { credentials: "same-origin" });
    const s = await response.json();
    schema.value = s;
    editor.setKeywords(s.keywords);
    const labels = $("schema-labels");
    labels.replaceChildren(
      ...s.labels.map(({ name, count }) => {
        const b = el("button", `${name} (${count})`, "chip");
        b.style.borderLeftColor = colourOf(name);
        b.addEventListener("click", () => ((editor.text = `MATCH (n:${quoteName(name)}) RETURN n LIMIT 100`), run(editor.text)));
        return b;
      }),
    );
    const types = $("schema-types");
    types.replaceChildren(
      ...s.types.map(({ name, count }) => {
        const b = el("button", `${name} (${count})`, "chip");
        b.addEventListener("click", () => ((editor.text = `MATCH p = ()-[:${quoteName(name)}]->() RETURN p LIMIT 100`), run(editor.text)));
        return b;
      }),
    );
    $("schema-size").textContent = `${s.nodes} nodes · ${s.relationships} relationships`;
  } catch {
    $("schema-size").textContent = "schema unavailable";
  }
}

window.datatrail = { graph, editor, run, result: () => state.result };

async function init() {
  fillHistory();
  switchView("graph");
  await loadSchema();
  const initial = new URL(location.href).searchParams.get("query");
  if (initial) {
    editor.text = initial;
    await run(initial);
  } else {
    setStatus("ready: write a query and press Ctrl+Enter");
  }
  document.body.dataset.ready = "true";
}

init();
