// What a Query API result holds: its nodes and relationships (found anywhere in the
// rows: alone, in paths, in lists and maps), their display names and dates, and the
// rows as text for the table and CSV.

export const isNode = (v) => v && typeof v === "object" && !Array.isArray(v) && "elementId" in v && "labels" in v;
export const isRel = (v) => v && typeof v === "object" && !Array.isArray(v) && "elementId" in v && "startNodeElementId" in v;

/** Every distinct node and relationship in `result.data.values`, in first-seen order. */
export function collectGraph(result) {
  const nodes = new Map();
  const rels = new Map();
  const visit = (v) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isNode(v)) nodes.has(v.elementId) || nodes.set(v.elementId, v);
    else if (isRel(v)) rels.has(v.elementId) || rels.set(v.elementId, v);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(result.data.values);
  return { nodes: [...nodes.values()], rels: [...rels.values()] };
}

/** A node's name for people: `name`, `title` or `id`, else its label. */
export function displayName(node) {
  const p = node.properties || {};
  for (const key of ["name", "title", "id"]) if (p[key] != null) return String(p[key]);
  return node.labels[0] ? `:${node.labels[0]}` : node.elementId;
}

/** `2014-12-01` (or `2014-12`, `2016`) as a date, else null. */
export function parseDate(value) {
  if (typeof value !== "string") return null;
  const m = value.match(/^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/);
  if (!m) return null;
  return new Date(Date.UTC(+m[1], (+m[2] || 1) - 1, +m[3] || 1));
}

/** When a flow happened: its `start_date`, else its `end_date` (as MATCH TIME ORDERED reads them). */
export function flowDate(rel) {
  const p = rel.properties || {};
  return parseDate(p.start_date) || parseDate(p.end_date);
}

/** A value as one line of text for the table and CSV. */
export function cellText(v) {
  if (v == null) return "";
  if (typeof v === "string") return v;
  if (isNode(v)) return `(${v.labels.map((l) => `:${l}`).join("")} ${displayName(v)})`;
  if (isRel(v)) return `[:${v.type}]`;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => isNode(x) || isRel(x))) {
    return v.map((x) => (isNode(x) ? `(${displayName(x)})` : `-[:${x.type}]->`)).join("");
  }
  return JSON.stringify(v);
}

/** The rows as CSV (RFC 4180 quoting). */
export function toCsv(result) {
  const quote = (text) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [result.data.fields.map(quote).join(",")];
  for (const row of result.data.values) lines.push(row.map((v) => quote(cellText(v))).join(","));
  return lines.join("\r\n") + "\r\n";
}
