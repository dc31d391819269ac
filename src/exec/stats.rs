//! A write statement's side effects, counted as Neo4j counts them: what can be seen
//! before and after it, element by element.

use crate::graph::{Before, Graph, Value};
use crate::result::Stats;

use super::write;

/// What a statement changed, as the openCypher TCK defines side effects: the difference
/// between what can be seen before and after. A property whose value changed counts as
/// one removed and one added; labels count when a label name appears in or disappears
/// from the graph; deleting an element also removes its properties.
///
/// `before` holds the elements the statement changed as they were before it; names of
/// keys and labels are read from `after`, where none is forgotten during a statement.
pub(super) fn side_effects(before: &Before, after: &Graph, touched: &write::Touched) -> Stats {
    let mut stats = Stats::default();
    let mut props = |b: Option<&crate::graph::Props>, a: Option<&crate::graph::Props>| {
        let named = |g: &Graph, p: Option<&crate::graph::Props>| -> Vec<(String, Value)> {
            p.map(|p| {
                p.iter()
                    .map(|(k, v)| (g.key_name(k).to_string(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
        };
        let (old, new) = (named(after, b), named(after, a));
        let same = |x: &(String, Value), y: &(String, Value)| {
            x.0 == y.0 && x.1 == y.1 && x.1.type_name() == y.1.type_name()
        };
        stats.props_removed += old
            .iter()
            .filter(|o| !new.iter().any(|n| same(o, n)))
            .count();
        stats.props_set += new
            .iter()
            .filter(|n| !old.iter().any(|o| same(o, n)))
            .count();
    };
    for id in &touched.nodes {
        let (b, a) = (before.node(after, *id), after.node(*id));
        let reused = b.is_some() && touched.created_nodes.contains(id);
        match (b.is_some(), a.is_some()) {
            (false, true) => stats.nodes_created += 1,
            (true, false) => stats.nodes_deleted += 1,
            (true, true) if reused => {
                stats.nodes_created += 1;
                stats.nodes_deleted += 1;
            }
            _ => {}
        }
        if reused {
            props(b.as_ref().map(|n| &n.props), None);
            props(None, a.as_ref().map(|n| &n.props));
        } else {
            props(b.as_ref().map(|n| &n.props), a.as_ref().map(|n| &n.props));
        }
    }
    for id in &touched.rels {
        let (b, a) = (before.rel(after, *id), after.rel(*id));
        let reused = b.is_some() && touched.created_rels.contains(id);
        match (b.is_some(), a.is_some()) {
            (false, true) => stats.rels_created += 1,
            (true, false) => stats.rels_deleted += 1,
            (true, true) if reused => {
                stats.rels_created += 1;
                stats.rels_deleted += 1;
            }
            _ => {}
        }
        if reused {
            props(b.as_ref().map(|r| &r.props), None);
            props(None, a.as_ref().map(|r| &r.props));
        } else {
            props(b.as_ref().map(|r| &r.props), a.as_ref().map(|r| &r.props));
        }
    }
    let symbols = 0..after.label_counts().len() as crate::graph::Symbol;
    for label in symbols {
        let old = before.label_count(after, label) > 0;
        let new = after.label_count(label) > 0;
        stats.labels_added += usize::from(new && !old);
        stats.labels_removed += usize::from(old && !new);
    }
    stats
}
