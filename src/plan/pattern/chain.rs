//! Planning one chain: choosing its anchor node and how to find it, then an expansion
//! (single, variable-length or shortest path) per relationship, outwards from the anchor.

use super::*;

impl Planner<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn plan_chain(
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

    pub(super) fn plan_shortest(
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
            return Err(PlanError::ShortestPathNeedsOneRelationship { span: part.span });
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
            return Err(PlanError::ShortestPathMinimumLength { span: rel.span });
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
