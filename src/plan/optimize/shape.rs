//! Questions about operators and expressions that more than one pass asks.

use crate::plan::logical::{Expand, Expr, ExprKind, Slot};

/// Whether an expansion's relationships and end nodes are conditioned by types alone,
/// nothing bound before, no uniqueness against other relationships and no time order.
pub(super) fn expands_by_type_only(expand: &Expand) -> bool {
    let rel = &expand.rel_filter;
    !expand.rel_bound
        && !expand.to_bound
        && expand.time.is_none()
        && expand.unique.singles.is_empty()
        && expand.unique.lists.is_empty()
        && rel.props.is_empty()
        && rel.prop_map.is_none()
        && rel.predicates.is_empty()
        && expand.to_filter.is_empty()
}

/// Whether `expr` reads any of `slots`.
pub(super) fn reads_any(expr: &Expr, slots: &[Slot]) -> bool {
    let mut read = Vec::new();
    expr.slots(&mut read);
    read.iter().any(|s| slots.contains(s))
}

/// Whether `expr` reads nothing but `slots`.
pub(super) fn reads_within(expr: &Expr, slots: &[Slot]) -> bool {
    let mut read = Vec::new();
    expr.slots(&mut read);
    read.iter().all(|s| slots.contains(s))
}

/// Whether `expr` is a bare reference to one of `slots`.
pub(super) fn is_slot(expr: Option<&Expr>, slots: &[Slot]) -> bool {
    matches!(expr, Some(Expr { kind: ExprKind::Slot(s), .. }) if slots.contains(s))
}
