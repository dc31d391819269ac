//! MATCH patterns → scans and expansions. Each chain starts from its most selective node
//! (one already bound, then a name-index hit, then the rarest label) and expands outwards;
//! WHERE is split into conjuncts, each applied as soon as the slots it reads are bound.
//! Within one MATCH no relationship is matched twice (openCypher's uniqueness rule).

use std::collections::HashSet;

use crate::ast::{self, PatternDirection};
use crate::graph::Direction;

use super::logical::*;
use super::{PlanError, Planner, Scope, Var, VarKind};

type Result<T> = std::result::Result<T, PlanError>;

/// A WHERE conjunct waiting for its slots to be bound.
struct Pending {
    expr: Expr,
    reads: Vec<Slot>,
}

/// The slots a chain's elements were given.
struct ChainSlots {
    nodes: Vec<Slot>,
    rels: Vec<Slot>,
}

impl Planner<'_> {
    /// Plans `MATCH parts WHERE where_` into `ops`, binding the pattern's variables in
    /// `scope`.
    pub(super) fn plan_pattern(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
        parts: &[ast::PatternPart],
        where_: Option<&ast::Expr>,
    ) -> Result<()> {
        self.plan_pattern_in_mode(ops, scope, parts, where_, None)
    }

    /// Like [`Planner::plan_pattern`], with MATCH's optional time-respecting path mode.
    pub(super) fn plan_pattern_in_mode(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
        parts: &[ast::PatternPart],
        where_: Option<&ast::Expr>,
        time_order: Option<&ast::TimeOrder>,
    ) -> Result<()> {
        let mut bound: HashSet<Slot> = scope.slots().collect();
        let bound_before = bound.clone();
        let mut declared_here: Vec<String> = Vec::new();
        let chains = parts
            .iter()
            .map(|part| self.declare_part(part, scope, &mut declared_here))
            .collect::<Result<Vec<_>>>()?;

        let mut pending = Vec::new();
        let mut pushed: Vec<Vec<(Slot, Expr)>> = vec![Vec::new(); parts.len()];
        if let Some(where_) = where_ {
            for conjunct in conjuncts(where_) {
                // For shortest paths this is semantics, not an optimization: Neo4j
                // searches for the shortest path that satisfies the predicate.
                if let Some((part, hop)) =
                    self.push_path_quantifier(conjunct, parts, scope, &bound_before, self.optimize)?
                {
                    pushed[part].push(hop);
                    continue;
                }
                let expr = self.expr_in(conjunct, scope, "in WHERE")?;
                super::types::check_predicate(&expr, scope)?;
                pending.push(pending_filter(expr));
            }
        }
        for (part, slots) in parts.iter().zip(&chains) {
            self.inline_filters(part, scope, slots, &mut pending)?;
        }

        let rel_count: usize = parts.iter().map(|p| p.element.chain.len()).sum();
        self.sole_unnamed_rel = rel_count == 1 && parts.iter().all(|p| p.variable.is_none());
        let mut unique = Uniqueness::default();
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by_key(|&i| parts[i].shortest.is_some());
        for i in order {
            let part = &parts[i];
            let slots = &chains[i];
            if part.shortest.is_some() {
                if let Some(mode) = time_order {
                    return Err(PlanError::InvalidPattern {
                        message: "TIME ORDERED does not apply to shortestPath".into(),
                        span: mode.span,
                    });
                }
                self.plan_shortest(ops, scope, part, slots, &mut bound, &pushed[i])?;
            } else {
                let time = time_order.map(|mode| TimeCheck {
                    keys: self.time_keys(mode),
                    strict: mode.strict,
                    slot: self.new_slot(),
                });
                self.plan_chain(
                    ops,
                    scope,
                    part,
                    slots,
                    &mut bound,
                    &mut unique,
                    &mut pending,
                    time,
                    &pushed[i],
                )?;
            }
            if let Some(variable) = &part.variable {
                let var = scope.get(&variable.name).expect("declared path");
                if part.shortest.is_none() {
                    let steps = part
                        .element
                        .chain
                        .iter()
                        .zip(&slots.rels)
                        .map(|((rel, _), slot)| match rel.range {
                            Some(_) => PathStep::Var(*slot),
                            None => PathStep::Single(*slot),
                        })
                        .collect();
                    ops.push(Op::BuildPath {
                        slot: var.slot,
                        start: slots.nodes[0],
                        steps,
                    });
                }
                bound.insert(var.slot);
            }
            flush(ops, &mut pending, &bound);
        }
        for p in pending {
            ops.push(Op::Filter(p.expr));
        }
        Ok(())
    }

    /// Gives every element of a chain a slot, declaring new variables in `scope`.
    fn declare_part(
        &mut self,
        part: &ast::PatternPart,
        scope: &mut Scope,
        declared_here: &mut Vec<String>,
    ) -> Result<ChainSlots> {
        let element = &part.element;
        let mut nodes = vec![self.declare_node(&element.start, scope)?];
        let mut rels = Vec::new();
        for (rel, node) in &element.chain {
            rels.push(self.declare_rel(rel, scope, declared_here)?);
            nodes.push(self.declare_node(node, scope)?);
        }
        if let Some(variable) = &part.variable {
            self.declare_new(scope, variable, VarKind::Path)?;
        }
        Ok(ChainSlots { nodes, rels })
    }

    fn declare_node(&mut self, node: &ast::NodePattern, scope: &mut Scope) -> Result<Slot> {
        let Some(variable) = &node.variable else {
            return Ok(self.new_slot());
        };
        if let Some(var) = scope.get(&variable.name) {
            return self.reuse_bound(scope, variable, var, VarKind::Node);
        }
        let slot = self.new_slot();
        scope.insert(
            &variable.name,
            Var {
                slot,
                kind: VarKind::Node,
            },
        );
        Ok(slot)
    }

    /// A pattern element naming a variable bound earlier: it must hold `expected` (or a
    /// value of unknown kind), and the pattern reuses its slot.
    fn reuse_bound(
        &mut self,
        scope: &Scope,
        variable: &ast::Ident,
        var: Var,
        expected: VarKind,
    ) -> Result<Slot> {
        if var.kind != expected && var.kind != VarKind::Value {
            return Err(kind_conflict(
                &variable.name,
                expected,
                var.kind,
                variable.span,
            ));
        }
        self.variable(scope, &variable.name, variable.span)?;
        Ok(var.slot)
    }

    fn declare_rel(
        &mut self,
        rel: &ast::RelPattern,
        scope: &mut Scope,
        declared_here: &mut Vec<String>,
    ) -> Result<Slot> {
        let kind = if rel.range.is_some() {
            VarKind::RelList
        } else {
            VarKind::Rel
        };
        let Some(variable) = &rel.variable else {
            return Ok(self.new_slot());
        };
        if let Some(var) = scope.get(&variable.name) {
            let list_kind = matches!(
                var.kind,
                VarKind::RelList | VarKind::Value | VarKind::Known(super::types::StaticType::List)
            );
            if declared_here.contains(&variable.name) || (kind == VarKind::RelList && !list_kind) {
                return Err(PlanError::VariableAlreadyBound {
                    name: variable.name.clone(),
                    span: variable.span,
                });
            }
            if kind == VarKind::RelList {
                // A list of relationships bound earlier: the walk must follow exactly it.
                self.variable(scope, &variable.name, variable.span)?;
                return Ok(var.slot);
            }
            return self.reuse_bound(scope, variable, var, VarKind::Rel);
        }
        let slot = self.new_slot();
        scope.insert(&variable.name, Var { slot, kind });
        declared_here.push(variable.name.clone());
        Ok(slot)
    }

    /// Inline `WHERE` of nodes and single relationships become ordinary conjuncts.
    fn inline_filters(
        &mut self,
        part: &ast::PatternPart,
        scope: &Scope,
        slots: &ChainSlots,
        pending: &mut Vec<Pending>,
    ) -> Result<()> {
        let element = &part.element;
        let nodes = std::iter::once(&element.start).chain(element.chain.iter().map(|(_, n)| n));
        for node in nodes {
            if let Some(where_) = &node.where_ {
                let expr = self.expr_in(where_, scope, "in WHERE")?;
                pending.push(pending_filter(expr));
            }
        }
        for ((rel, _), _slot) in element.chain.iter().zip(&slots.rels) {
            if let (Some(where_), None) = (&rel.where_, rel.range) {
                let expr = self.expr_in(where_, scope, "in WHERE")?;
                pending.push(pending_filter(expr));
            }
        }
        Ok(())
    }

    pub(super) fn node_filter(
        &mut self,
        node: &ast::NodePattern,
        scope: &Scope,
    ) -> Result<NodeFilter> {
        let labels = node
            .labels
            .iter()
            .map(|l| self.name(&l.name, NameKind::Label))
            .collect();
        let (props, prop_map) = self.property_filter(node.properties.as_ref(), scope)?;
        Ok(NodeFilter {
            labels,
            props,
            prop_map,
        })
    }

    fn rel_filter(
        &mut self,
        rel: &ast::RelPattern,
        scope: &Scope,
        hop_slot: Slot,
        pushed: &[(Slot, Expr)],
    ) -> Result<RelFilter> {
        let types = rel
            .types
            .iter()
            .map(|t| self.name(&t.name, NameKind::Type))
            .collect();
        let (props, prop_map) = self.property_filter(rel.properties.as_ref(), scope)?;
        let mut predicates = pushed.to_vec();
        let inline = match (&rel.where_, rel.range) {
            (Some(where_), Some(_)) => {
                // Inside the hop predicate the relationship variable is the single hop.
                let mut inner = scope.clone();
                if let Some(v) = &rel.variable {
                    inner.insert(
                        &v.name,
                        Var {
                            slot: hop_slot,
                            kind: VarKind::Rel,
                        },
                    );
                }
                Some((hop_slot, self.expr_in(where_, &inner, "in WHERE")?))
            }
            _ => None,
        };
        predicates.extend(inline);
        Ok(RelFilter {
            types,
            props,
            prop_map,
            predicates,
        })
    }

    #[allow(clippy::type_complexity)]
    fn property_filter(
        &mut self,
        properties: Option<&ast::Expr>,
        scope: &Scope,
    ) -> Result<(Vec<(Name, Expr)>, Option<Expr>)> {
        match properties {
            None => Ok((Vec::new(), None)),
            Some(ast::Expr {
                kind: ast::ExprKind::Map(entries),
                ..
            }) => {
                let mut props = Vec::new();
                for (key, value) in entries {
                    props.push((self.name(key, NameKind::Key), self.expr(value, scope)?));
                }
                Ok((props, None))
            }
            Some(
                other @ ast::Expr {
                    kind: ast::ExprKind::Parameter(_),
                    ..
                },
            ) => Err(PlanError::ParameterAsPropertyMap { span: other.span }),
            Some(other) => Ok((Vec::new(), Some(self.expr(other, scope)?))),
        }
    }

    /// `all(r IN relationships(p) WHERE pred)` and `none(...)` over a path of this MATCH
    /// become a per-hop predicate on each of its relationships, so a walk stops as soon
    /// as one hop fails instead of filtering finished paths. Only when `pred` reads
    /// nothing but the hop and variables bound before this MATCH.
    fn push_path_quantifier(
        &mut self,
        conjunct: &ast::Expr,
        parts: &[ast::PatternPart],
        scope: &Scope,
        bound_before: &HashSet<Slot>,
        optimize: bool,
    ) -> Result<Option<(usize, (Slot, Expr))>> {
        let ast::ExprKind::Quantifier {
            kind,
            variable,
            list,
            predicate: Some(predicate),
        } = &conjunct.kind
        else {
            return Ok(None);
        };
        if !matches!(kind, ast::QuantifierKind::All | ast::QuantifierKind::None) {
            return Ok(None);
        }
        let ast::ExprKind::FunctionCall {
            name,
            args,
            distinct: false,
        } = &list.kind
        else {
            return Ok(None);
        };
        let [
            ast::Expr {
                kind: ast::ExprKind::Variable(path),
                ..
            },
        ] = args.as_slice()
        else {
            return Ok(None);
        };
        if !name.eq_ignore_ascii_case("relationships") {
            return Ok(None);
        }
        let Some(part) = parts
            .iter()
            .position(|p| p.variable.as_ref().is_some_and(|v| &v.name == path))
        else {
            return Ok(None);
        };
        if parts[part].shortest.is_none() && !optimize {
            return Ok(None);
        }
        let hop = self.new_slot();
        let mut inner = scope.clone();
        inner.insert(
            &variable.name,
            Var {
                slot: hop,
                kind: VarKind::Rel,
            },
        );
        let mut planned = self.expr_in(predicate, &inner, "in WHERE")?;
        let mut reads = Vec::new();
        planned.slots(&mut reads);
        if reads.iter().any(|s| *s != hop && !bound_before.contains(s)) {
            return Ok(None);
        }
        if *kind == ast::QuantifierKind::None {
            let span = planned.span;
            planned = Expr::new(
                ExprKind::Unary {
                    op: ast::UnaryOp::Not,
                    operand: Box::new(planned),
                },
                span,
            );
        }
        Ok(Some((part, (hop, planned))))
    }

    /// The date keys of a time-ordered MATCH: as written, or `start_date` then `end_date`.
    fn time_keys(&self, mode: &ast::TimeOrder) -> Vec<Name> {
        if mode.keys.is_empty() {
            return vec![
                self.name("start_date", NameKind::Key),
                self.name("end_date", NameKind::Key),
            ];
        }
        mode.keys
            .iter()
            .map(|k| self.name(&k.name, NameKind::Key))
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_chain(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &Scope,
        part: &ast::PatternPart,
        slots: &ChainSlots,
        bound: &mut HashSet<Slot>,
        unique: &mut Uniqueness,
        pending: &mut Vec<Pending>,
        time: Option<TimeCheck>,
        pushed: &[(Slot, Expr)],
    ) -> Result<()> {
        let element = &part.element;
        let node_patterns: Vec<&ast::NodePattern> = std::iter::once(&element.start)
            .chain(element.chain.iter().map(|(_, n)| n))
            .collect();
        // A time-ordered chain is walked from its start, so that dates only grow.
        let anchor = if time.is_some() {
            0
        } else {
            self.choose_anchor(&node_patterns, &slots.nodes, bound, scope, pending)
        };
        let anchor_slot = slots.nodes[anchor];
        let filter = self.node_filter(node_patterns[anchor], scope)?;
        if bound.contains(&anchor_slot) {
            if !filter.is_empty() {
                ops.push(Op::CheckNode {
                    slot: anchor_slot,
                    filter,
                });
            }
        } else {
            let source = self.node_source(&filter, anchor_slot, pending);
            ops.push(Op::NodeScan {
                slot: anchor_slot,
                source,
                filter,
                unnamed: node_patterns[anchor].variable.is_none(),
            });
            bound.insert(anchor_slot);
        }
        flush(ops, pending, bound);
        // Rightwards from the anchor, then leftwards.
        for i in anchor..element.chain.len() {
            let (rel, _) = &element.chain[i];
            let (from, to) = (slots.nodes[i], slots.nodes[i + 1]);
            self.plan_expand(
                ops,
                scope,
                rel,
                node_patterns[i + 1],
                (from, slots.rels[i], to),
                false,
                bound,
                unique,
                time.clone(),
                pushed,
            )?;
            flush(ops, pending, bound);
        }
        for i in (0..anchor).rev() {
            let (rel, _) = &element.chain[i];
            let (from, to) = (slots.nodes[i + 1], slots.nodes[i]);
            self.plan_expand(
                ops,
                scope,
                rel,
                node_patterns[i],
                (from, slots.rels[i], to),
                true,
                bound,
                unique,
                None,
                pushed,
            )?;
            flush(ops, pending, bound);
        }
        Ok(())
    }

    /// The node to start a chain from: bound, then name-indexed, then the rarest label.
    fn choose_anchor(
        &self,
        nodes: &[&ast::NodePattern],
        slots: &[Slot],
        bound: &HashSet<Slot>,
        scope: &Scope,
        pending: &[Pending],
    ) -> usize {
        let score = |i: usize| -> (u8, usize) {
            if bound.contains(&slots[i]) {
                return (0, 0);
            }
            let node = nodes[i];
            let inline_name = node.properties.as_ref().is_some_and(|p| match &p.kind {
                ast::ExprKind::Map(entries) => entries.iter().any(|(k, _)| k == "name"),
                _ => false,
            });
            if inline_name
                || pending
                    .iter()
                    .any(|p| name_equality(&p.expr, slots[i]).is_some())
            {
                return (1, 0);
            }
            let rarest = node
                .labels
                .iter()
                .map(|l| {
                    self.graph
                        .label_symbol(&l.name)
                        .map_or(0, |s| self.graph.label_count(s))
                })
                .min();
            match rarest {
                Some(count) => (2, count),
                None => (3, 0),
            }
        };
        let _ = scope;
        (0..nodes.len()).min_by_key(|&i| score(i)).unwrap_or(0)
    }

    /// The cheapest way to find nodes meeting `filter` (the filter is still checked).
    fn node_source(&self, filter: &NodeFilter, slot: Slot, pending: &[Pending]) -> NodeSource {
        let name_key = self.graph.name_key();
        for (key, value) in &filter.props {
            if key.name == "name" && name_key.is_some() && reads_nothing_unbound(value) {
                return NodeSource::Name(value.clone());
            }
        }
        for p in pending {
            if let Some(value) = name_equality(&p.expr, slot) {
                return NodeSource::Name(value.clone());
            }
        }
        let rarest = filter.labels.iter().min_by_key(|l| {
            l.resolve(self.graph)
                .map_or(0, |s| self.graph.label_count(s))
        });
        match rarest {
            Some(label) => NodeSource::Label(label.clone()),
            None => NodeSource::All,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_expand(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &Scope,
        rel: &ast::RelPattern,
        to_pattern: &ast::NodePattern,
        (from, rel_slot, to): (Slot, Slot, Slot),
        reversed: bool,
        bound: &mut HashSet<Slot>,
        unique: &mut Uniqueness,
        time: Option<TimeCheck>,
        pushed: &[(Slot, Expr)],
    ) -> Result<()> {
        let mut direction = match rel.direction {
            PatternDirection::Right => Direction::Outgoing,
            PatternDirection::Left => Direction::Incoming,
            PatternDirection::Either => Direction::Both,
        };
        if reversed {
            direction = match direction {
                Direction::Outgoing => Direction::Incoming,
                Direction::Incoming => Direction::Outgoing,
                Direction::Both => Direction::Both,
            };
        }
        let hop_slot = self.new_slot();
        let rel_filter = self.rel_filter(rel, scope, hop_slot, pushed)?;
        let to_filter = self.node_filter(to_pattern, scope)?;
        let to_bound = bound.contains(&to);
        let rel_bound = bound.contains(&rel_slot);
        let uniq = unique.clone();
        match rel.range {
            None => {
                ops.push(Op::Expand(Box::new(Expand {
                    from,
                    rel: rel_slot,
                    to,
                    direction,
                    rel_filter,
                    to_filter,
                    to_bound,
                    rel_bound,
                    unique: uniq,
                    time,
                    memoize: false,
                })));
                unique.singles.push(rel_slot);
            }
            Some(range) => {
                let min = range.min.unwrap_or(1);
                ops.push(Op::VarExpand(Box::new(VarExpand {
                    from,
                    rels: rel_slot,
                    to,
                    direction,
                    min,
                    max: range.max,
                    rel_filter,
                    to_filter,
                    to_bound,
                    reversed,
                    unique: uniq,
                    rels_bound: rel_bound,
                    ends_only_candidate: self.sole_unnamed_rel
                        && rel.variable.is_none()
                        && time.is_none()
                        && !rel_bound
                        && !to_bound
                        && direction != Direction::Both
                        && min <= 1,
                    ends_only: false,
                    time,
                })));
                unique.lists.push(rel_slot);
            }
        }
        bound.insert(rel_slot);
        bound.insert(to);
        Ok(())
    }

    fn plan_shortest(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &Scope,
        part: &ast::PatternPart,
        slots: &ChainSlots,
        bound: &mut HashSet<Slot>,
        pushed: &[(Slot, Expr)],
    ) -> Result<()> {
        let element = &part.element;
        let [(rel, end)] = element.chain.as_slice() else {
            return Err(PlanError::InvalidPattern {
                message: "shortestPath needs a pattern with exactly one relationship".into(),
                span: part.span,
            });
        };
        for (node, slot) in [(&element.start, slots.nodes[0]), (end, slots.nodes[1])] {
            let filter = self.node_filter(node, scope)?;
            if bound.contains(&slot) {
                if !filter.is_empty() {
                    ops.push(Op::CheckNode { slot, filter });
                }
            } else {
                let source = self.node_source(&filter, slot, &[]);
                ops.push(Op::NodeScan {
                    slot,
                    source,
                    filter,
                    unnamed: node.variable.is_none(),
                });
                bound.insert(slot);
            }
        }
        let range = rel.range.unwrap_or(ast::Range {
            min: Some(1),
            max: Some(1),
        });
        let min = range.min.unwrap_or(1);
        if min > 1 {
            return Err(PlanError::InvalidPattern {
                message: "shortestPath's minimum length must be 0 or 1".into(),
                span: rel.span,
            });
        }
        let direction = match rel.direction {
            PatternDirection::Right => Direction::Outgoing,
            PatternDirection::Left => Direction::Incoming,
            PatternDirection::Either => Direction::Both,
        };
        let hop_slot = self.new_slot();
        let rel_filter = self.rel_filter(rel, scope, hop_slot, pushed)?;
        let path = match &part.variable {
            Some(v) => scope.get(&v.name).expect("declared path").slot,
            None => self.new_slot(),
        };
        ops.push(Op::ShortestPath(Box::new(ShortestPath {
            from: slots.nodes[0],
            to: slots.nodes[1],
            path,
            rels: rel.variable.as_ref().map(|_| slots.rels[0]),
            direction,
            min,
            max: range.max,
            rel_filter,
            all: part.shortest == Some(ast::ShortestKind::AllShortest),
            bidirectional: false,
        })));
        bound.insert(slots.rels[0]);
        bound.insert(path);
        Ok(())
    }
}

fn kind_conflict(name: &str, expected: VarKind, found: VarKind, span: crate::Span) -> PlanError {
    PlanError::VariableKindConflict {
        name: name.to_string(),
        expected: expected.describe(),
        found: found.describe(),
        span,
    }
}

/// `a AND b AND c` → `[a, b, c]`.
pub(super) fn conjuncts(expr: &ast::Expr) -> Vec<&ast::Expr> {
    match &expr.kind {
        ast::ExprKind::Binary {
            op: ast::BinaryOp::And,
            lhs,
            rhs,
        } => {
            let mut out = conjuncts(lhs);
            out.extend(conjuncts(rhs));
            out
        }
        _ => vec![expr],
    }
}

fn pending_filter(expr: Expr) -> Pending {
    let mut reads = Vec::new();
    expr.slots(&mut reads);
    Pending { expr, reads }
}

/// Adds every pending filter whose slots are all bound.
fn flush(ops: &mut Vec<Op>, pending: &mut Vec<Pending>, bound: &HashSet<Slot>) {
    let mut i = 0;
    while i < pending.len() {
        if pending[i].reads.iter().all(|s| bound.contains(s)) {
            let p = pending.remove(i);
            ops.push(Op::Filter(p.expr));
        } else {
            i += 1;
        }
    }
}

/// If `expr` is `slot.name = value` (either side) with a value that reads no slot, the value.
fn name_equality(expr: &Expr, slot: Slot) -> Option<&Expr> {
    let ExprKind::Binary {
        op: ast::BinaryOp::Eq,
        lhs,
        rhs,
    } = &expr.kind
    else {
        return None;
    };
    let is_name_of_slot = |e: &Expr| {
        matches!(&e.kind, ExprKind::Property { base, key }
            if key.name == "name" && matches!(base.kind, ExprKind::Slot(s) if s == slot))
    };
    if is_name_of_slot(lhs) && reads_nothing_unbound(rhs) {
        Some(rhs)
    } else if is_name_of_slot(rhs) && reads_nothing_unbound(lhs) {
        Some(lhs)
    } else {
        None
    }
}

/// Whether the expression can be evaluated before the pattern binds anything.
fn reads_nothing_unbound(expr: &Expr) -> bool {
    let mut reads = Vec::new();
    expr.slots(&mut reads);
    reads.is_empty()
}
