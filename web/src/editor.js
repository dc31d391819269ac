// The query editor: CodeMirror 6 with a small Cypher highlighter, completion of
// keywords, functions, labels, relationship types, property keys and node names (as the
// shell completes them), a history kept in the browser, and Ctrl+Enter to run.

import { EditorView, keymap, placeholder } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching } from "@codemirror/language";
import { autocompletion, closeBrackets } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { tags } from "@lezer/highlight";

const HISTORY_KEY = "datatrail.history";
const HISTORY_MAX = 100;

/** A tokenizer for Cypher: keywords, strings, numbers, comments, parameters, labels. */
function cypherLanguage(keywords) {
  const words = () => keywords.value;
  return StreamLanguage.define({
    name: "cypher",
    startState: () => ({ inComment: false }),
    token(stream, state) {
      if (state.inComment) {
        if (stream.skipTo("*/")) {
          stream.match("*/");
          state.inComment = false;
        } else stream.skipToEnd();
        return "comment";
      }
      if (stream.eatSpace()) return null;
      if (stream.match("//")) {
        stream.skipToEnd();
        return "comment";
      }
      if (stream.match("/*")) {
        state.inComment = true;
        return "comment";
      }
      const ch = stream.peek();
      if (ch === "'" || ch === '"') {
        stream.next();
        let escaped = false;
        let c;
        while ((c = stream.next()) != null) {
          if (c === ch && !escaped) break;
          escaped = !escaped && c === "\\";
        }
        return "string";
      }
      if (ch === "`") {
        stream.next();
        stream.skipTo("`") ? stream.next() : stream.skipToEnd();
        return "variableName";
      }
      if (stream.match(/^\d+(\.\d+)?([eE][-+]?\d+)?/)) return "number";
      if (stream.match(/^\$\w+/)) return "special";
      if (ch === ":" && stream.match(/^:\s*[A-Za-z_]\w*/)) return "typeName";
      if (stream.match(/^[A-Za-z_]\w*/)) {
        const word = stream.current().toUpperCase();
        if (words().has(word)) return "keyword";
        if (stream.peek() === "(") return "function";
        return "variableName";
      }
      stream.next();
      return "operator";
    },
    languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
  });
}

const style = HighlightStyle.define([
  { tag: tags.keyword, color: "#7c3aed", fontWeight: "bold" },
  { tag: tags.string, color: "#047857" },
  { tag: tags.number, color: "#b45309" },
  { tag: tags.comment, color: "#6b7280", fontStyle: "italic" },
  { tag: tags.typeName, color: "#0369a1" },
  { tag: tags.special(tags.variableName), color: "#be123c" },
  { tag: tags.function(tags.variableName), color: "#1d4ed8" },
  { tag: tags.operator, color: "#374151" },
]);

/** Completion candidates for the word before the cursor, from the schema. */
function completions(schema) {
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const s = schema.value;
    // Inside a string: node names.
    const quoted = before.match(/(['"])([^'"]*)$/);
    if (quoted && (before.split(quoted[1]).length - 1) % 2 === 1) {
      const from = context.pos - quoted[2].length;
      return { from, options: s.names.map((n) => ({ label: n, type: "text" })), validFor: /^[^'"]*$/ };
    }
    const label = before.match(/(\[[^\]]*:|\(|[\w)]):\s*(\w*)$/);
    if (label) {
      const inRel = /\[[^\]]*:\s*\w*$/.test(before);
      // The schema lists labels and types with their counts.
      const names = (inRel ? s.types : s.labels).map((entry) => entry.name ?? entry);
      return {
        from: context.pos - label[2].length,
        options: names.map((n) => ({ label: n, type: inRel ? "type" : "class" })),
        validFor: /^\w*$/,
      };
    }
    const key = before.match(/\.(\w*)$/);
    if (key) {
      return { from: context.pos - key[1].length, options: s.keys.map((k) => ({ label: k, type: "property" })), validFor: /^\w*$/ };
    }
    const word = context.matchBefore(/\w+/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    return {
      from: word.from,
      options: [
        ...s.keywords.map((k) => ({ label: k, type: "keyword" })),
        ...s.functions.map((f) => ({ label: f, type: "function", apply: `${f}(` })),
      ],
      validFor: /^\w*$/,
    };
  };
}

/** Past queries, newest first. */
export function loadHistory() {
  try {
    const items = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(items) ? items.filter((q) => typeof q === "string") : [];
  } catch {
    return [];
  }
}

export function remember(query) {
  const items = [query, ...loadHistory().filter((q) => q !== query)].slice(0, HISTORY_MAX);
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(items));
  } catch {
    // A browser without storage just has no history.
  }
  return items;
}

/**
 * Makes the editor in `parent`. `onRun` is called with the text on Ctrl+Enter;
 * `schema.value` holds the completion vocabulary, filled in when it arrives.
 */
export function createEditor(parent, { onRun, schema }) {
  const keywords = { value: new Set() };
  const run = (view) => {
    onRun(view.state.doc.toString());
    return true;
  };
  let browsing = -1;
  const step = (delta) => (view) => {
    const items = loadHistory();
    const doc = view.state.doc;
    // Only from the first or last line, so the arrows still move inside a long query.
    const line = doc.lineAt(view.state.selection.main.head).number;
    if ((delta > 0 && line !== 1) || (delta < 0 && line !== doc.lines) || items.length === 0) return false;
    browsing = Math.max(-1, Math.min(items.length - 1, browsing + delta));
    const text = browsing < 0 ? "" : items[browsing];
    view.dispatch({ changes: { from: 0, to: doc.length, insert: text }, selection: { anchor: text.length } });
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        keymap.of([
          { key: "Mod-Enter", run },
          { key: "Ctrl-ArrowUp", run: step(1) },
          { key: "Ctrl-ArrowDown", run: step(-1) },
        ]),
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        cypherLanguage(keywords),
        syntaxHighlighting(style),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ override: [completions(schema)] }),
        placeholder("MATCH (n) RETURN n LIMIT 25   (Ctrl+Enter runs)"),
        EditorView.lineWrapping,
      ],
    }),
  });
  return {
    view,
    get text() {
      return view.state.doc.toString();
    },
    set text(value) {
      browsing = -1;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    },
    setKeywords(list) {
      keywords.value = new Set(list.map((k) => k.toUpperCase()));
    },
    /** Puts the cursor at a character offset (an error's position). */
    select(offset) {
      const at = Math.min(offset, view.state.doc.length);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
  };
}
