//! Declaring a pattern's variables: a slot per node and relationship (reusing bound ones,
//! checking their kinds) and the filters their labels, types and property maps become.

use super::*;

impl Planner<'_> {
    /// Gives every element of a chain a slot, declaring new variables in `scope`.
    pub(super) fn declare_part(
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
                VarKind::RelList
                    | VarKind::Value
                    | VarKind::Known(crate::plan::types::StaticType::List)
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
    pub(super) fn inline_filters(
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

    pub(in crate::plan) fn node_filter(
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

    pub(super) fn rel_filter(
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
}
