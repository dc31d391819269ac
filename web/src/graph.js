// The result as an interactive graph (cytoscape.js): nodes coloured by label, edges
// named by type, DATA_FLOW edges with their direction and record counts; a force layout
// (fcose) or a time layout that puts dated chains left to right in time order; a time
// filter that hides flows outside a period; SVG export drawn from the renderer's model.

import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { collectGraph, displayName, flowDate } from "./model.js";

cytoscape.use(fcose);

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#9333ea", "#ea580c", "#0d9488", "#4f46e5"];
const colours = new Map();

/** Past this many nodes, the automatic layout is not a force layout. */
const BIG = 1000;

/** A stable colour for a label. */
export function colourOf(label) {
  if (!label) return "#6b7280";
  if (!colours.has(label)) colours.set(label, PALETTE[colours.size % PALETTE.length]);
  return colours.get(label);
}

/** `87000000` as `87M`. */
function compact(n) {
  if (typeof n !== "number") return String(n);
  const units = [[1e9, "B"], [1e6, "M"], [1e3, "k"]];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${+(n / size).toFixed(1)}${unit}`;
  return String(n);
}

function edgeLabel(rel) {
  const records = rel.properties.records;
  if (rel.type === "DATA_FLOW" && records != null) return `DATA_FLOW · ${compact(records)} records`;
  return rel.type;
}

function nodeData(node) {
  return {
    id: node.elementId,
    name: displayName(node),
    label0: node.labels[0] || "",
    colour: colourOf(node.labels[0]),
    entity: node,
  };
}

function edgeData(rel) {
  const date = flowDate(rel);
  return {
    id: rel.elementId,
    source: rel.startNodeElementId,
    target: rel.endNodeElementId,
    name: edgeLabel(rel),
    type: rel.type,
    date: date ? date.getTime() : null,
    entity: rel,
  };
}

const STYLE = [
  {
    selector: "node",
    style: {
      "background-color": "data(colour)",
      label: "data(name)",
      "font-size": 11,
      // Labels too small to read are not drawn: a big graph stays quick to pan and zoom.
      "min-zoomed-font-size": 7,
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "ellipsis",
      "text-max-width": 140,
      width: 26,
      height: 26,
      "border-width": 1,
      "border-color": "#1f2937",
    },
  },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "line-color": "#9ca3af",
      "target-arrow-color": "#9ca3af",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
      label: "data(name)",
      "font-size": 9,
      "min-zoomed-font-size": 7,
      "text-rotation": "autorotate",
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.8,
      "text-background-padding": 1,
    },
  },
  {
    selector: 'edge[type = "DATA_FLOW"]',
    style: { width: 3, "line-color": "#b91c1c", "target-arrow-color": "#b91c1c", "arrow-scale": 1.3 },
  },
  { selector: ":selected", style: { "border-width": 3, "border-color": "#f59e0b", "line-color": "#f59e0b", "target-arrow-color": "#f59e0b" } },
  { selector: ".out-of-period", style: { display: "none" } },
];

/** The graph view in `container`. `onSelect(entity)` gets a clicked node or relationship. */
export function createGraph(container, { onSelect, onExpand }) {
  const cy = cytoscape({
    container,
    style: STYLE,
    minZoom: 0.05,
    maxZoom: 4,
    textureOnViewport: true,
    pixelRatio: 1,
    hideEdgesOnViewport: true,
  });
  // The container changes size when the time bar or a notice appears: keep clicks true.
  new ResizeObserver(() => cy.resize()).observe(container);
  cy.on("tap", "node, edge", (event) => onSelect(event.target.data("entity")));
  cy.on("dbltap", "node", (event) => onExpand(event.target.data("entity")));
  let period = null;
  const api = {
    cy,
    /** Replaces the graph with the nodes and relationships of `result`; at most `limit` nodes. */
    show(result, { limit, layout }) {
      const { nodes, rels } = collectGraph(result);
      const shown = nodes.slice(0, limit);
      // The page above may have changed size (time bar, notices): measure before fitting.
      cy.resize();
      cy.batch(() => {
        cy.elements().remove();
        api.add(shown, rels);
      });
      api.layout(layout);
      return { total: nodes.length, shown: shown.length };
    },
    /** Adds nodes and relationships (whose two ends are in the graph) not there yet. */
    add(nodes, rels) {
      const added = [];
      for (const node of nodes) {
        if (cy.getElementById(node.elementId).empty()) added.push({ group: "nodes", data: nodeData(node) });
      }
      cy.add(added);
      const edges = [];
      for (const rel of rels) {
        const present = !cy.getElementById(rel.startNodeElementId).empty() && !cy.getElementById(rel.endNodeElementId).empty();
        if (present && cy.getElementById(rel.elementId).empty()) edges.push({ group: "edges", data: edgeData(rel) });
      }
      cy.add(edges);
      api.filter(period);
      return added.length + edges.length;
    },
    layout(kind) {
      if (cy.nodes().length === 0) return;
      if (kind === "time" && timeLayout(cy)) return;
      // A force layout of thousands of nodes takes minutes in a browser: rings by degree
      // (the busiest nodes in the middle) take a moment.
      if (cy.nodes().length > BIG && kind !== "force") {
        cy.layout({ name: "concentric", concentric: (n) => n.degree(), levelWidth: () => 2, minNodeSpacing: 8, animate: false, fit: true, padding: 30 }).run();
        return;
      }
      cy.layout({ name: "fcose", animate: false, quality: "default", randomize: true, nodeRepulsion: 8000, idealEdgeLength: 120, fit: true, padding: 30 }).run();
    },
    /** The earliest and latest flow dates shown, or null. */
    dateRange() {
      const dates = cy.edges().map((e) => e.data("date")).filter((d) => d != null);
      return dates.length ? [Math.min(...dates), Math.max(...dates)] : null;
    },
    /** Hides dated relationships outside [from, to] (milliseconds); null shows all. */
    filter(range) {
      period = range;
      cy.batch(() => {
        cy.edges().forEach((edge) => {
          const date = edge.data("date");
          const out = range != null && date != null && (date < range[0] || date > range[1]);
          edge.toggleClass("out-of-period", out);
        });
      });
    },
    svg: () => toSvg(cy),
  };
  return api;
}

/**
 * Lays chains out left to right in time order: a node's column is at least one more
 * than any node sending it data, and a flow dated later than another leaves no further
 * left than the earlier one arrived (so columns read as a time axis across chains).
 * False when no flow is dated.
 */
function timeLayout(cy) {
  const edges = cy
    .edges()
    .map((e) => [e.source().id(), e.target().id(), e.data("date")])
    .filter(([s, t]) => s !== t);
  const dated = edges.filter((e) => e[2] != null).sort((a, b) => a[2] - b[2]);
  if (dated.length === 0) return false;
  const col = new Map(cy.nodes().map((n) => [n.id(), 0]));
  // Cycles would raise columns for ever: a column stops at the node count.
  const top = Math.min(cy.nodes().length, 200);
  for (let pass = 0; pass < 60; pass++) {
    let changed = false;
    const raise = (id, c) => {
      if (c > col.get(id) && c <= top) {
        col.set(id, c);
        changed = true;
      }
    };
    for (const [s, t] of edges) raise(t, col.get(s) + 1);
    for (let i = 1; i < dated.length; i++) {
      if (dated[i][2] > dated[i - 1][2]) raise(dated[i][0], col.get(dated[i - 1][1]));
    }
    if (!changed) break;
  }
  const rows = new Map();
  const positions = {};
  cy.nodes().forEach((node) => {
    const c = col.get(node.id());
    const row = rows.get(c) ?? 0;
    rows.set(c, row + 1);
    // Odd columns sit half a row lower, so a flow skipping a column passes between nodes.
    positions[node.id()] = { x: c * 230, y: row * 110 + (c % 2) * 55 };
  });
  cy.layout({ name: "preset", positions, fit: true, padding: 30 }).run();
  return true;
}

/** Escapes text for XML (the SVG is built as text, then offered as a download). */
function xml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The visible graph as a standalone SVG document. */
function toSvg(cy) {
  const box = cy.elements(":visible").boundingBox({ includeLabels: true });
  const pad = 20;
  const parts = [];
  cy.edges(":visible").forEach((edge) => {
    const a = edge.sourceEndpoint();
    const b = edge.targetEndpoint();
    const colour = edge.data("type") === "DATA_FLOW" ? "#b91c1c" : "#9ca3af";
    const width = edge.data("type") === "DATA_FLOW" ? 3 : 1.5;
    parts.push(`<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="${colour}" stroke-width="${width}" marker-end="url(#arrow)"/>`);
    const m = edge.midpoint();
    parts.push(`<text x="${m.x}" y="${m.y - 3}" font-size="9" text-anchor="middle">${xml(edge.data("name"))}</text>`);
  });
  cy.nodes(":visible").forEach((node) => {
    const p = node.position();
    parts.push(`<circle cx="${p.x}" cy="${p.y}" r="13" fill="${node.data("colour")}" stroke="#1f2937"/>`);
    parts.push(`<text x="${p.x}" y="${p.y + 26}" font-size="11" text-anchor="middle">${xml(node.data("name"))}</text>`);
  });
  const w = box.w + 2 * pad;
  const h = box.h + 2 * pad;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${box.x1 - pad} ${box.y1 - pad} ${w} ${h}" width="${w}" height="${h}" font-family="sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="22" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>`,
    `<rect x="${box.x1 - pad}" y="${box.y1 - pad}" width="${w}" height="${h}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
  ].join("\n");
}
