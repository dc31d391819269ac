//! One clause at a time: reading clauses become scans, expansions and filters; updating
//! clauses become write operators that the executor applies row by row.

use crate::ast::{self, Clause, PatternDirection};

use super::logical::*;
use super::projection::ProjectionKind;
use super::{PlanError, Planner, Scope, Var, VarKind};

type Result<T> = std::result::Result<T, PlanError>;

impl Planner<'_> {
    /// Plans one clause; returns the columns when it is a RETURN.
    pub(super) fn plan_clause(
        &mut self,
        clause: &Clause,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
    ) -> Result<Option<Vec<String>>> {
        match clause {
            Clause::Match(m) => self.plan_match(ops, scope, m)?,
            Clause::Unwind { expr, variable, .. } => {
                let expr = self.expr_in(expr, scope, "in UNWIND")?;
                let slot = self.declare_new(scope, variable, VarKind::Value)?;
                ops.push(Op::Unwind { expr, slot });
            }
            Clause::With {
                projection,
                where_,
                span,
            } => {
                let where_ = where_.as_ref();
                self.plan_projection(ops, scope, projection, ProjectionKind::With, where_, *span)?;
            }
            Clause::Return { projection, span } => {
                let columns = self.plan_projection(
                    ops,
                    scope,
                    projection,
                    ProjectionKind::Return,
                    None,
                    *span,
                )?;
                return Ok(Some(columns));
            }
            Clause::Create { pattern, .. } => {
                let mut patterns = Vec::new();
                for part in pattern {
                    patterns.push(self.create_pattern(part, scope)?);
                }
                ops.push(Op::Create(patterns));
            }
            Clause::Merge(merge) => self.plan_merge(ops, scope, merge)?,
            Clause::Set { items, .. } => {
                let set = items
                    .iter()
                    .map(|item| self.set_op(item, scope))
                    .collect::<Result<Vec<_>>>()?;
                ops.push(Op::Set(set));
            }
            Clause::Remove { items, .. } => {
                let mut set = Vec::new();
                for item in items {
                    set.push(match item {
                        ast::RemoveItem::Property { target, key } => SetOp::Property {
                            target: self.expr(target, scope)?,
                            key: key.name.clone(),
                            value: Expr::new(ExprKind::Const(crate::graph::Value::Null), key.span),
                        },
                        ast::RemoveItem::Labels { variable, labels } => SetOp::RemoveLabels {
                            target: self.variable_expr(variable, scope)?,
                            labels: labels.iter().map(|l| l.name.clone()).collect(),
                        },
                    });
                }
                ops.push(Op::Set(set));
            }
            Clause::Delete { detach, exprs, .. } => {
                let exprs = exprs
                    .iter()
                    .map(|e| self.expr_in(e, scope, "in DELETE"))
                    .collect::<Result<Vec<_>>>()?;
                for e in &exprs {
                    if let Some(t) = super::types::infer(e, scope)
                        && !matches!(
                            t,
                            super::types::StaticType::Node
                                | super::types::StaticType::Rel
                                | super::types::StaticType::Path
                                | super::types::StaticType::Null
                        )
                    {
                        return Err(PlanError::DeleteOfNonEntity {
                            found: t.name(),
                            span: e.span,
                        });
                    }
                }
                ops.push(Op::Delete {
                    exprs,
                    detach: *detach,
                });
            }
            Clause::Call { procedure, span } => {
                return Err(PlanError::Unsupported {
                    what: format!("procedure `{}` (CALL)", procedure.name),
                    span: *span,
                });
            }
        }
        Ok(None)
    }

    fn plan_match(&mut self, ops: &mut Vec<Op>, scope: &mut Scope, m: &ast::Match) -> Result<()> {
        let mode = m.time_order.as_ref();
        if !m.optional {
            return self.plan_pattern_in_mode(ops, scope, &m.pattern, m.where_.as_ref(), mode);
        }
        let before: Vec<_> = scope.slots().collect();
        let mut inner_ops = Vec::new();
        self.plan_pattern_in_mode(&mut inner_ops, scope, &m.pattern, m.where_.as_ref(), mode)?;
        let nulls = scope.slots().filter(|s| !before.contains(s)).collect();
        let pipeline = Pipeline {
            ops: inner_ops,
            reads: Vec::new(),
        };
        ops.push(Op::Optional {
            pipeline: Box::new(pipeline),
            nulls,
        });
        Ok(())
    }

    fn variable_expr(&mut self, variable: &ast::Ident, scope: &Scope) -> Result<Expr> {
        let var = self.variable(scope, &variable.name, variable.span)?;
        Ok(Expr::new(ExprKind::Slot(var.slot), variable.span))
    }

    fn set_op(&mut self, item: &ast::SetItem, scope: &Scope) -> Result<SetOp> {
        Ok(match item {
            ast::SetItem::Property { target, key, value } => SetOp::Property {
                target: self.expr(target, scope)?,
                key: key.name.clone(),
                value: self.expr_in(value, scope, "in SET")?,
            },
            ast::SetItem::Replace { variable, value } => SetOp::Replace {
                target: self.variable_expr(variable, scope)?,
                value: self.expr_in(value, scope, "in SET")?,
            },
            ast::SetItem::Merge { variable, value } => SetOp::Merge {
                target: self.variable_expr(variable, scope)?,
                value: self.expr_in(value, scope, "in SET")?,
            },
            ast::SetItem::Labels { variable, labels } => SetOp::AddLabels {
                target: self.variable_expr(variable, scope)?,
                labels: labels.iter().map(|l| l.name.clone()).collect(),
            },
        })
    }

    /// A CREATE pattern: new nodes get slots, bound variables are reused; every
    /// relationship needs one type and a direction.
    fn create_pattern(
        &mut self,
        part: &ast::PatternPart,
        scope: &mut Scope,
    ) -> Result<CreatePattern> {
        if part.shortest.is_some() {
            return Err(PlanError::CreateShortestPath { span: part.span });
        }
        let element = &part.element;
        // `CREATE (a)` with `a` bound would create nothing: Cypher calls it an error.
        if element.chain.is_empty()
            && let Some(v) = &element.start.variable
            && scope.get(&v.name).is_some()
        {
            return Err(PlanError::VariableAlreadyBound {
                name: v.name.clone(),
                span: v.span,
            });
        }
        let mut nodes = vec![self.create_node(&element.start, scope)?];
        let mut rels = Vec::new();
        for (rel, node) in &element.chain {
            nodes.push(self.create_node(node, scope)?);
            let (start, end) = {
                let (a, b) = (nodes[nodes.len() - 2].slot, nodes[nodes.len() - 1].slot);
                match rel.direction {
                    PatternDirection::Right => (a, b),
                    PatternDirection::Left => (b, a),
                    PatternDirection::Either => {
                        return Err(PlanError::CreateUndirected { span: rel.span });
                    }
                }
            };
            rels.push(self.create_rel(rel, scope, start, end)?);
        }
        let path = match &part.variable {
            Some(v) => {
                let slot = self.declare_new(scope, v, VarKind::Path)?;
                Some((
                    slot,
                    nodes.iter().map(|n| n.slot).collect(),
                    rels.iter().map(|r| r.slot).collect(),
                ))
            }
            None => None,
        };
        Ok(CreatePattern { nodes, rels, path })
    }

    fn create_node(&mut self, node: &ast::NodePattern, scope: &mut Scope) -> Result<CreateNode> {
        let labels: Vec<String> = node.labels.iter().map(|l| l.name.clone()).collect();
        if let Some(variable) = &node.variable
            && let Some(var) = scope.get(&variable.name)
        {
            if !labels.is_empty() || node.properties.is_some() {
                return Err(PlanError::VariableAlreadyBound {
                    name: variable.name.clone(),
                    span: variable.span,
                });
            }
            if var.kind != VarKind::Node && var.kind != VarKind::Value {
                return Err(PlanError::VariableKindConflict {
                    name: variable.name.clone(),
                    expected: VarKind::Node.describe(),
                    found: var.kind.describe(),
                    span: variable.span,
                });
            }
            self.variable(scope, &variable.name, variable.span)?;
            return Ok(CreateNode {
                slot: var.slot,
                existing: true,
                labels,
                props: None,
            });
        }
        let props = node
            .properties
            .as_ref()
            .map(|p| self.expr(p, scope))
            .transpose()?;
        let slot = self.new_slot();
        if let Some(variable) = &node.variable {
            scope.insert(
                &variable.name,
                Var {
                    slot,
                    kind: VarKind::Node,
                },
            );
        }
        Ok(CreateNode {
            slot,
            existing: false,
            labels,
            props,
        })
    }

    fn create_rel(
        &mut self,
        rel: &ast::RelPattern,
        scope: &mut Scope,
        start: Slot,
        end: Slot,
    ) -> Result<CreateRel> {
        if rel.range.is_some() {
            return Err(PlanError::CreateVariableLength { span: rel.span });
        }
        let rel_type = match rel.types.as_slice() {
            [one] => one.name.clone(),
            _ => {
                return Err(PlanError::RelationshipTypeCount {
                    clause: "to create",
                    span: rel.span,
                });
            }
        };
        let props = rel
            .properties
            .as_ref()
            .map(|p| self.expr(p, scope))
            .transpose()?;
        let slot = match &rel.variable {
            Some(variable) => self.declare_new(scope, variable, VarKind::Rel)?,
            None => self.new_slot(),
        };
        Ok(CreateRel {
            slot,
            start,
            end,
            rel_type,
            props,
        })
    }

    fn plan_merge(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
        merge: &ast::Merge,
    ) -> Result<()> {
        let part = &merge.part;
        for (rel, _) in &part.element.chain {
            if rel.types.len() != 1 {
                return Err(PlanError::RelationshipTypeCount {
                    clause: "in MERGE",
                    span: rel.span,
                });
            }
            if rel.range.is_some() {
                return Err(PlanError::MergeVariableLength { span: rel.span });
            }
        }
        // The matcher binds the pattern's variables; the creator must bind the same slots.
        let mut match_scope = scope.clone();
        let mut matcher_ops = Vec::new();
        self.plan_pattern(
            &mut matcher_ops,
            &mut match_scope,
            std::slice::from_ref(part),
            None,
        )?;
        let mut create_scope = scope.clone();
        let mut create = self.merge_create_pattern(part, &mut create_scope)?;
        // Point the creator at the matcher's slots so later clauses see one binding.
        for (name, var) in &match_scope.vars {
            if let Some(created) = create_scope.get(name)
                && created.slot != var.slot
            {
                for node in &mut create.nodes {
                    if node.slot == created.slot {
                        node.slot = var.slot;
                    }
                }
                for rel in &mut create.rels {
                    if rel.slot == created.slot {
                        rel.slot = var.slot;
                    }
                    if rel.start == created.slot {
                        rel.start = var.slot;
                    }
                    if rel.end == created.slot {
                        rel.end = var.slot;
                    }
                }
                if let Some((slot, nodes, rels)) = &mut create.path {
                    for s in std::iter::once(slot)
                        .chain(nodes.iter_mut())
                        .chain(rels.iter_mut())
                    {
                        if *s == created.slot {
                            *s = var.slot;
                        }
                    }
                }
            }
        }
        *scope = match_scope;
        let on_create = merge
            .on_create
            .iter()
            .map(|i| self.set_op(i, scope))
            .collect::<Result<_>>()?;
        let on_match = merge
            .on_match
            .iter()
            .map(|i| self.set_op(i, scope))
            .collect::<Result<_>>()?;
        ops.push(Op::Merge(Box::new(MergePlan {
            matcher: Pipeline {
                ops: matcher_ops,
                reads: Vec::new(),
            },
            create,
            on_create,
            on_match,
        })));
        Ok(())
    }

    /// MERGE may create undirected relationships (left to right), unlike CREATE.
    fn merge_create_pattern(
        &mut self,
        part: &ast::PatternPart,
        scope: &mut Scope,
    ) -> Result<CreatePattern> {
        let mut directed = part.clone();
        for (rel, _) in &mut directed.element.chain {
            if rel.direction == PatternDirection::Either {
                rel.direction = PatternDirection::Right;
            }
        }
        // Node variables bound by this MERGE's own pattern are new here, even when the
        // pattern repeats them: only the first occurrence creates.
        self.create_pattern(&directed, scope)
    }
}
