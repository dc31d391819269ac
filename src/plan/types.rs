//! Static types, as far as the planner can know them: enough to reject at compile time
//! what can never work (`123 AND true`, `1 IN true`, `WITH 1 AS n MATCH (n)`), as the
//! openCypher TCK expects.

use crate::ast::BinaryOp;
use crate::graph::Value;
use crate::span::Span;

use super::PlanError;
use super::functions::Function;
use super::logical::{Expr, ExprKind};
use super::{Scope, VarKind};

/// A type known at plan time.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StaticType {
    Null,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
    Node,
    Rel,
    Path,
}

impl StaticType {
    pub fn name(self) -> &'static str {
        match self {
            StaticType::Null => "Null",
            StaticType::Bool => "Boolean",
            StaticType::Int => "Integer",
            StaticType::Float => "Float",
            StaticType::String => "String",
            StaticType::List => "List",
            StaticType::Map => "Map",
            StaticType::Node => "Node",
            StaticType::Rel => "Relationship",
            StaticType::Path => "Path",
        }
    }

    fn of_value(v: &Value) -> Option<StaticType> {
        Some(match v {
            Value::Null => StaticType::Null,
            Value::Bool(_) => StaticType::Bool,
            Value::Int(_) => StaticType::Int,
            Value::Float(_) => StaticType::Float,
            Value::String(_) => StaticType::String,
            Value::List(_) => StaticType::List,
            Value::Map(_) => StaticType::Map,
            _ => return None,
        })
    }

    fn is_number(self) -> bool {
        matches!(self, StaticType::Int | StaticType::Float)
    }
}

/// The static type of a planned expression, if the planner can tell.
pub(super) fn infer(expr: &Expr, scope: &Scope) -> Option<StaticType> {
    Some(match &expr.kind {
        ExprKind::Const(v) => return StaticType::of_value(v),
        ExprKind::Slot(slot) => {
            let kind = scope
                .vars
                .iter()
                .rev()
                .find(|(_, v)| v.slot == *slot)
                .map(|(_, v)| v.kind)?;
            match kind {
                VarKind::Node => StaticType::Node,
                VarKind::Rel => StaticType::Rel,
                VarKind::RelList => StaticType::List,
                VarKind::Path => StaticType::Path,
                VarKind::Known(t) => t,
                VarKind::Value => return None,
            }
        }
        ExprKind::List(_) | ExprKind::ListComprehension { .. } => StaticType::List,
        ExprKind::Map(_) | ExprKind::MapProjection { .. } => StaticType::Map,
        ExprKind::IsNull { .. } | ExprKind::HasLabels { .. } | ExprKind::Quantifier { .. } => {
            StaticType::Bool
        }
        ExprKind::Unary {
            op: crate::ast::UnaryOp::Not,
            ..
        } => StaticType::Bool,
        ExprKind::Binary { op, lhs, rhs } => match op {
            BinaryOp::Or
            | BinaryOp::Xor
            | BinaryOp::And
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::StartsWith
            | BinaryOp::EndsWith
            | BinaryOp::Contains
            | BinaryOp::RegexMatch => StaticType::Bool,
            _ => {
                let (l, r) = (infer(lhs, scope)?, infer(rhs, scope)?);
                match (op, l, r) {
                    (BinaryOp::Add, StaticType::List, _) | (BinaryOp::Add, _, StaticType::List) => {
                        StaticType::List
                    }
                    (BinaryOp::Add, StaticType::String, _)
                    | (BinaryOp::Add, _, StaticType::String) => StaticType::String,
                    (BinaryOp::Pow, _, _) => StaticType::Float,
                    (_, StaticType::Int, StaticType::Int) => StaticType::Int,
                    (_, a, b) if a.is_number() && b.is_number() => StaticType::Float,
                    _ => return None,
                }
            }
        },
        ExprKind::Call { function, .. } => match function {
            Function::Labels
            | Function::Keys
            | Function::Nodes
            | Function::Relationships
            | Function::Tail
            | Function::Range
            | Function::Split => StaticType::List,
            Function::ToString
            | Function::ToLower
            | Function::ToUpper
            | Function::Trim
            | Function::Type
            | Function::Substring
            | Function::Replace => StaticType::String,
            Function::Size | Function::Length | Function::Id => StaticType::Int,
            Function::StartNode | Function::EndNode => StaticType::Node,
            Function::Properties => StaticType::Map,
            _ => return None,
        },
        _ => return None,
    })
}

fn invalid(what: String, span: Span) -> PlanError {
    PlanError::TypeMismatch {
        problem: what,
        span,
    }
}

/// Rejects operands whose static type can never suit the operator.
pub(super) fn check_binary(
    op: BinaryOp,
    lhs: &Expr,
    rhs: &Expr,
    scope: &Scope,
) -> Result<(), PlanError> {
    let (l, r) = (infer(lhs, scope), infer(rhs, scope));
    match op {
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
            for (ty, e) in [(l, lhs), (r, rhs)] {
                if let Some(t) = ty
                    && !matches!(t, StaticType::Bool | StaticType::Null)
                {
                    return Err(invalid(
                        format!("expected a Boolean, got a {}", t.name()),
                        e.span,
                    ));
                }
            }
        }
        BinaryOp::In => {
            if let Some(t) = r
                && !matches!(t, StaticType::List | StaticType::Null)
            {
                return Err(invalid(
                    format!("IN expects a List, got a {}", t.name()),
                    rhs.span,
                ));
            }
        }
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Pow => {
            for (ty, e) in [(l, lhs), (r, rhs)] {
                if let Some(
                    t @ (StaticType::Bool
                    | StaticType::String
                    | StaticType::List
                    | StaticType::Map
                    | StaticType::Node
                    | StaticType::Rel
                    | StaticType::Path),
                ) = ty
                {
                    return Err(invalid(format!("arithmetic on a {}", t.name()), e.span));
                }
            }
        }
        BinaryOp::Add => {
            for (ty, e) in [(l, lhs), (r, rhs)] {
                if let Some(
                    t @ (StaticType::Bool
                    | StaticType::Map
                    | StaticType::Node
                    | StaticType::Rel
                    | StaticType::Path),
                ) = ty
                    && !matches!(
                        (l, r),
                        (Some(StaticType::List), _) | (_, Some(StaticType::List))
                    )
                {
                    return Err(invalid(format!("cannot add a {}", t.name()), e.span));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `NOT x` needs a Boolean; a quantifier or comprehension needs a List.
pub(super) fn expect(expr: &Expr, scope: &Scope, wanted: StaticType) -> Result<(), PlanError> {
    if let Some(t) = infer(expr, scope)
        && t != wanted
        && t != StaticType::Null
    {
        return Err(invalid(
            format!("expected a {}, got a {}", wanted.name(), t.name()),
            expr.span,
        ));
    }
    Ok(())
}

/// Function arguments whose static type can never suit the function.
pub(super) fn check_call(
    function: Function,
    args: &[Expr],
    scope: &Scope,
    span: Span,
) -> Result<(), PlanError> {
    use StaticType as T;
    let Some(first) = args.first() else {
        return Ok(());
    };
    let Some(t) = infer(first, scope) else {
        return Ok(());
    };
    if t == T::Null {
        return Ok(());
    }
    let allowed: &[StaticType] = match function {
        Function::Labels => &[T::Node],
        Function::Type => &[T::Rel],
        Function::Properties | Function::Keys => &[T::Node, T::Rel, T::Map],
        Function::Length => &[T::Path],
        Function::Nodes | Function::Relationships => &[T::Path],
        Function::StartNode | Function::EndNode => &[T::Rel],
        Function::Size => &[T::List, T::String],
        Function::Id => &[T::Node, T::Rel],
        _ => return Ok(()),
    };
    if allowed.contains(&t) {
        return Ok(());
    }
    let _ = span;
    Err(invalid(
        format!("{}() cannot take a {}", function.name(), t.name()),
        first.span,
    ))
}

/// Reading a property of something that can never have properties.
pub(super) fn check_property_base(base: &Expr, scope: &Scope) -> Result<(), PlanError> {
    match infer(base, scope) {
        Some(
            t @ (StaticType::Bool
            | StaticType::Int
            | StaticType::Float
            | StaticType::String
            | StaticType::List),
        ) => Err(PlanError::PropertyOfNonMap {
            found: t.name(),
            span: base.span,
        }),
        Some(StaticType::Path) => Err(invalid("a path has no properties".into(), base.span)),
        _ => Ok(()),
    }
}

/// The kind of the elements of a list literal whose items all have one static type.
pub(super) fn element_kind(list: &Expr, scope: &Scope) -> VarKind {
    let ExprKind::List(items) = &list.kind else {
        return VarKind::Value;
    };
    let mut types = items.iter().map(|i| infer(i, scope));
    let Some(Some(first)) = types.next() else {
        return VarKind::Value;
    };
    if !types.all(|t| t == Some(first)) {
        return VarKind::Value;
    }
    match first {
        StaticType::Node => VarKind::Node,
        StaticType::Rel => VarKind::Rel,
        StaticType::Path => VarKind::Path,
        StaticType::Null => VarKind::Value,
        other => VarKind::Known(other),
    }
}

/// A WHERE condition must be able to be a Boolean.
pub(super) fn check_predicate(expr: &Expr, scope: &Scope) -> Result<(), PlanError> {
    expect(expr, scope, StaticType::Bool)
}
