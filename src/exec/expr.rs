//! Expression evaluation, with Cypher's null rules: most operators on null give null,
//! and AND / OR / XOR / NOT use three-valued logic.

use std::collections::BTreeMap;

use crate::ast::{BinaryOp, QuantifierKind, UnaryOp};
use crate::graph::{NodeId, RelId, Value};
use crate::plan::logical::{Expr, ExprKind, MapProjectionItem, Name, Pipeline, Slot};
use crate::span::Span;

use super::{ExecError, Flow, Reader, Result, Row, get, set};

// Updates, aggregation and matching name values through these as well.
pub(crate) use super::describe::{describe, type_error};

fn truth(value: &Value, span: Span) -> Result<Option<bool>> {
    match value {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(type_error(
            format!("expected a Boolean, got {}", describe(other)),
            span,
        )),
    }
}

impl Reader<'_> {
    /// Evaluates `expr` against `row` (comprehensions bind their variable in it).
    pub(crate) fn eval(&self, expr: &Expr, row: &mut Row) -> Result<Value> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Param(name) => self.parameter(name, span),
            ExprKind::Slot(slot) => {
                let value = get(row, *slot);
                // A list or map is copied deep: charge the copy before making it.
                if matches!(value, Value::List(_) | Value::Map(_)) {
                    self.charge(super::extent::extent(value, usize::MAX).bytes)?;
                }
                Ok(value.clone())
            }
            ExprKind::Property { base, key } => {
                let base = self.eval(base, row)?;
                self.property(&base, key, span)
            }
            ExprKind::Index { base, index } => {
                let base = self.eval(base, row)?;
                let index = self.eval(index, row)?;
                self.index(base, index, span)
            }
            ExprKind::Slice { base, from, to } => {
                let base = self.eval(base, row)?;
                let from = from.as_ref().map(|e| self.eval(e, row)).transpose()?;
                let to = to.as_ref().map(|e| self.eval(e, row)).transpose()?;
                slice(base, from, to, span)
            }
            ExprKind::HasLabels { base, labels } => self.has_labels(base, labels, row, span),
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand, row)?;
                unary(*op, v, span)
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, row, span),
            ExprKind::IsNull { operand, negated } => {
                let null = self.eval(operand, row)?.is_null();
                Ok(Value::Bool(null != *negated))
            }
            ExprKind::List(items) => Ok(Value::List(self.eval_all(items, row)?)),
            ExprKind::Map(entries) => {
                let mut out = BTreeMap::new();
                for (k, e) in entries {
                    out.insert(k.clone(), self.eval(e, row)?);
                }
                Ok(Value::Map(out))
            }
            ExprKind::Call { function, args } => {
                let values = self.eval_all(args, row)?;
                self.call(*function, values, span)
            }
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => self.case(operand.as_deref(), whens, else_.as_deref(), row),
            ExprKind::ListComprehension {
                slot,
                list,
                filter,
                map,
            } => self.list_comprehension(*slot, list, filter.as_deref(), map.as_deref(), row),
            ExprKind::Quantifier {
                kind,
                slot,
                list,
                predicate,
            } => self.quantifier(*kind, *slot, list, predicate.as_deref(), row, span),
            ExprKind::Reduce {
                accumulator,
                init,
                slot,
                list,
                expr,
            } => self.reduce(*accumulator, init, *slot, list, expr, row),
            ExprKind::Subquery { pipeline, collect } => {
                self.subquery(pipeline, collect.as_deref(), row)
            }
            ExprKind::MapProjection { base, items } => {
                let base = self.eval(base, row)?;
                self.map_projection(base, items, row, span)
            }
        }
    }

    fn eval_all(&self, exprs: &[Expr], row: &mut Row) -> Result<Vec<Value>> {
        let mut out = Vec::with_capacity(exprs.len());
        for e in exprs {
            out.push(self.eval(e, row)?);
        }
        Ok(out)
    }

    fn parameter(&self, name: &str, span: Span) -> Result<Value> {
        self.ctx
            .params
            .get(name)
            .cloned()
            .ok_or_else(|| ExecError::MissingParameter {
                name: name.to_string(),
                span,
            })
    }

    fn has_labels(&self, base: &Expr, labels: &[Name], row: &mut Row, span: Span) -> Result<Value> {
        match self.eval(base, row)? {
            Value::Node(n) => Ok(Value::Bool(labels.iter().all(|l| {
                l.resolve(self.graph)
                    .is_some_and(|s| self.graph.has_label(n, s))
            }))),
            Value::Null => Ok(Value::Null),
            other => Err(type_error(
                format!("expected a Node, got {}", describe(&other)),
                span,
            )),
        }
    }

    /// `[x IN list WHERE filter | map]`.
    fn list_comprehension(
        &self,
        slot: Slot,
        list: &Expr,
        filter: Option<&Expr>,
        map: Option<&Expr>,
        row: &mut Row,
    ) -> Result<Value> {
        let Some(items) = self.list_operand(list, row)? else {
            return Ok(Value::Null);
        };
        self.charge(items.len() * std::mem::size_of::<Value>())?;
        let mut out = Vec::new();
        for item in items {
            self.ctx.check_now()?;
            set(row, slot, item.clone());
            if let Some(f) = filter
                && !matches!(self.eval(f, row)?, Value::Bool(true))
            {
                continue;
            }
            out.push(match map {
                Some(m) => self.eval(m, row)?,
                None => item,
            });
        }
        Ok(Value::List(out))
    }

    /// `all / any / none / single(x IN list WHERE predicate)`.
    fn quantifier(
        &self,
        kind: QuantifierKind,
        slot: Slot,
        list: &Expr,
        predicate: Option<&Expr>,
        row: &mut Row,
        span: Span,
    ) -> Result<Value> {
        let Some(items) = self.list_operand(list, row)? else {
            return Ok(Value::Null);
        };
        let (mut trues, mut nulls, mut falses) = (0usize, 0usize, 0usize);
        for item in items {
            self.check_limits()?;
            set(row, slot, item);
            let v = match predicate {
                Some(p) => self.eval(p, row)?,
                None => get(row, slot).clone(),
            };
            match truth(&v, span)? {
                Some(true) => trues += 1,
                Some(false) => falses += 1,
                None => nulls += 1,
            }
        }
        Ok(quantify(kind, trues, falses, nulls))
    }

    /// `reduce(acc = init, x IN list | expr)`.
    fn reduce(
        &self,
        accumulator: Slot,
        init: &Expr,
        slot: Slot,
        list: &Expr,
        expr: &Expr,
        row: &mut Row,
    ) -> Result<Value> {
        let init = self.eval(init, row)?;
        let Some(items) = self.list_operand(list, row)? else {
            return Ok(Value::Null);
        };
        set(row, accumulator, init);
        for item in items {
            // One step can double the accumulator: read the clock and the heap each time,
            // and keep the accumulator shallow enough to compare, print and drop.
            self.ctx.check_now()?;
            set(row, slot, item);
            let next = self.eval(expr, row)?;
            super::extent::check_depth(&next)?;
            set(row, accumulator, next);
        }
        Ok(get(row, accumulator).clone())
    }

    /// A pattern predicate or EXISTS (whether a row comes out) or a pattern
    /// comprehension (`collect` of each row that comes out).
    fn subquery(
        &self,
        pipeline: &Pipeline,
        collect: Option<&Expr>,
        row: &mut Row,
    ) -> Result<Value> {
        let mut found = Vec::new();
        let mut any = false;
        self.run(&pipeline.ops, vec![row.clone()], &mut |mut r| {
            any = true;
            match collect {
                Some(map) => {
                    found.push(self.eval(map, &mut r)?);
                    Ok(Flow::Continue)
                }
                None => Ok(Flow::Stop),
            }
        })?;
        Ok(match collect {
            Some(_) => Value::List(found),
            None => Value::Bool(any),
        })
    }

    fn list_operand(&self, list: &Expr, row: &mut Row) -> Result<Option<Vec<Value>>> {
        match self.eval(list, row)? {
            Value::List(items) => Ok(Some(items)),
            Value::Null => Ok(None),
            other => Err(type_error(
                format!("expected a List, got {}", describe(&other)),
                list.span,
            )),
        }
    }

    fn case(
        &self,
        operand: Option<&Expr>,
        whens: &[(Expr, Expr)],
        else_: Option<&Expr>,
        row: &mut Row,
    ) -> Result<Value> {
        let subject = operand.map(|o| self.eval(o, row)).transpose()?;
        for (when, then) in whens {
            let w = self.eval(when, row)?;
            let hit = match &subject {
                Some(s) => s.cypher_eq(&w) == Some(true),
                None => matches!(w, Value::Bool(true)),
            };
            if hit {
                return self.eval(then, row);
            }
        }
        match else_ {
            Some(e) => self.eval(e, row),
            None => Ok(Value::Null),
        }
    }

    /// `base.key` for nodes, relationships, maps and temporal values.
    pub(crate) fn property(&self, base: &Value, key: &Name, span: Span) -> Result<Value> {
        Ok(match base {
            Value::Null => Value::Null,
            Value::Node(n) => self.node_prop(*n, key, span)?,
            Value::Rel(r) => self.rel_prop(*r, key, span)?,
            Value::Map(m) => m.get(&key.name).cloned().unwrap_or(Value::Null),
            Value::Date(_)
            | Value::DateTime(_)
            | Value::LocalDateTime(_)
            | Value::Duration(_)
            | Value::LocalTime(_)
            | Value::Time(..) => {
                super::temporal::temporal_field(base, &key.name).ok_or_else(|| {
                    type_error(
                        format!("{} has no field `{}`", base.type_name(), key.name),
                        span,
                    )
                })?
            }
            other => {
                return Err(type_error(
                    format!("cannot read property `{}` of {}", key.name, describe(other)),
                    span,
                ));
            }
        })
    }

    /// A property of a node; reading one of a deleted node is an error. The columns
    /// are cleared when a node is deleted, so only an absent property needs the node
    /// looked up (a cache miss per row saved on a found one).
    fn node_prop(&self, n: NodeId, key: &Name, span: Span) -> Result<Value> {
        let found = key
            .resolve(self.graph)
            .and_then(|k| self.graph.node_property(n, k));
        stored(found, || self.graph.contains_node(n), "node", span)
    }

    /// A property of a relationship, as [`Reader::node_prop`].
    fn rel_prop(&self, r: RelId, key: &Name, span: Span) -> Result<Value> {
        let found = key
            .resolve(self.graph)
            .and_then(|k| self.graph.rel_property(r, k));
        stored(found, || self.graph.contains_rel(r), "relationship", span)
    }

    fn index(&self, base: Value, index: Value, span: Span) -> Result<Value> {
        Ok(match (base, index) {
            (Value::Null, _) | (_, Value::Null) => Value::Null,
            (Value::List(items), Value::Int(i)) => {
                let len = items.len() as i64;
                let i = if i < 0 { len + i } else { i };
                if (0..len).contains(&i) {
                    items[i as usize].clone()
                } else {
                    Value::Null
                }
            }
            (Value::List(_), other) => {
                return Err(type_error(
                    format!("a list index must be an Integer, not {}", describe(&other)),
                    span,
                ));
            }
            (Value::Map(m), Value::String(k)) => m.get(&*k).cloned().unwrap_or(Value::Null),
            (base @ (Value::Node(_) | Value::Rel(_)), Value::String(k)) => {
                let name = Name::new(&k, crate::plan::logical::NameKind::Key, self.graph);
                self.property(&base, &name, span)?
            }
            (base @ (Value::Map(_) | Value::Node(_) | Value::Rel(_)), other) => {
                return Err(type_error(
                    format!(
                        "a {} key must be a String, not {}",
                        base.type_name(),
                        describe(&other)
                    ),
                    span,
                ));
            }
            (other, _) => {
                return Err(type_error(
                    format!("cannot index into {}", describe(&other)),
                    span,
                ));
            }
        })
    }

    fn binary(
        &self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        row: &mut Row,
        span: Span,
    ) -> Result<Value> {
        // AND and OR decide on one side when they can (false AND x is false even if x errs
        // would be nice, but Cypher evaluates both; we keep both for type checks).
        match op {
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
                let l = truth(&self.eval(lhs, row)?, lhs.span)?;
                let r = truth(&self.eval(rhs, row)?, rhs.span)?;
                return Ok(logic(op, l, r));
            }
            _ => {}
        }
        let l = self.eval(lhs, row)?;
        let r = self.eval(rhs, row)?;
        if op == BinaryOp::RegexMatch {
            return self.regex_match(l, r, span);
        }
        if op == BinaryOp::Add {
            self.charge(sum_bytes(&l, &r))?;
        }
        binary(op, l, r, span)
    }

    fn regex_match(&self, l: Value, r: Value, span: Span) -> Result<Value> {
        let (Value::String(text), Value::String(pattern)) = (&l, &r) else {
            return Ok(Value::Null);
        };
        let mut cache = self.regexes.borrow_mut();
        if !cache.contains_key(&**pattern) {
            let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                ExecError::InvalidArgument {
                    message: format!("invalid regular expression: {e}"),
                    span,
                }
            })?;
            cache.insert(pattern.to_string(), re);
        }
        Ok(Value::Bool(cache[&**pattern].is_match(text)))
    }

    fn map_projection(
        &self,
        base: Value,
        items: &[MapProjectionItem],
        row: &mut Row,
        span: Span,
    ) -> Result<Value> {
        let mut out = BTreeMap::new();
        let all = |out: &mut BTreeMap<String, Value>| -> Result<()> {
            match &base {
                Value::Node(n) => {
                    if let Some(node) = self.graph.node(*n) {
                        for (k, v) in node.props.iter() {
                            out.insert(self.graph.key_name(k).to_string(), v.clone());
                        }
                    }
                }
                Value::Rel(r) => {
                    if let Some(rel) = self.graph.rel(*r) {
                        for (k, v) in rel.props.iter() {
                            out.insert(self.graph.key_name(k).to_string(), v.clone());
                        }
                    }
                }
                Value::Map(m) => out.extend(m.clone()),
                other => {
                    return Err(type_error(
                        format!("cannot project properties of {}", describe(other)),
                        span,
                    ));
                }
            }
            Ok(())
        };
        if base.is_null() {
            return Ok(Value::Null);
        }
        for item in items {
            match item {
                MapProjectionItem::AllProperties => all(&mut out)?,
                MapProjectionItem::Property(key) => {
                    out.insert(key.name.clone(), self.property(&base, key, span)?);
                }
                MapProjectionItem::Entry(key, e) => {
                    out.insert(key.clone(), self.eval(e, row)?);
                }
            }
        }
        Ok(Value::Map(out))
    }
}

fn logic(op: BinaryOp, l: Option<bool>, r: Option<bool>) -> Value {
    let result = match op {
        BinaryOp::And => match (l, r) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinaryOp::Or => match (l, r) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        _ => match (l, r) {
            (Some(a), Some(b)) => Some(a != b),
            _ => None,
        },
    };
    result.map_or(Value::Null, Value::Bool)
}

fn quantify(kind: QuantifierKind, trues: usize, falses: usize, nulls: usize) -> Value {
    let result = match kind {
        QuantifierKind::All => {
            if falses > 0 {
                Some(false)
            } else if nulls > 0 {
                None
            } else {
                Some(true)
            }
        }
        QuantifierKind::Any => {
            if trues > 0 {
                Some(true)
            } else if nulls > 0 {
                None
            } else {
                Some(false)
            }
        }
        QuantifierKind::None => {
            if trues > 0 {
                Some(false)
            } else if nulls > 0 {
                None
            } else {
                Some(true)
            }
        }
        QuantifierKind::Single => {
            if trues > 1 {
                Some(false)
            } else if nulls > 0 {
                None
            } else {
                Some(trues == 1)
            }
        }
    };
    result.map_or(Value::Null, Value::Bool)
}

fn unary(op: UnaryOp, v: Value, span: Span) -> Result<Value> {
    Ok(match (op, v) {
        (_, Value::Null) => Value::Null,
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnaryOp::Neg, Value::Int(i)) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| arithmetic("integer overflow", span))?,
        ),
        (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
        (UnaryOp::Neg, Value::Duration(d)) => Value::Duration(crate::graph::Duration {
            months: -d.months,
            days: -d.days,
            seconds: -d.seconds,
            nanos: -d.nanos,
        }),
        (UnaryOp::Plus, v @ (Value::Int(_) | Value::Float(_) | Value::Duration(_))) => v,
        (op, other) => {
            let wanted = if op == UnaryOp::Not {
                "a Boolean"
            } else {
                "a number"
            };
            return Err(type_error(
                format!("expected {wanted}, got {}", describe(&other)),
                span,
            ));
        }
    })
}

fn arithmetic(message: &str, span: Span) -> ExecError {
    ExecError::Arithmetic {
        message: message.to_string(),
        span,
    }
}

/// Every binary operator but the logical ones and `=~`.
/// About how many bytes `l + r` allocates, when it concatenates strings or lists.
fn sum_bytes(l: &Value, r: &Value) -> usize {
    let size = |v: &Value| match v {
        Value::String(s) => s.len(),
        Value::List(items) => super::extent::extent(v, usize::MAX)
            .bytes
            .max(items.len() * std::mem::size_of::<Value>()),
        _ => std::mem::size_of::<Value>(),
    };
    match (l, r) {
        (Value::String(_) | Value::List(_), _) | (_, Value::String(_) | Value::List(_)) => {
            size(l).saturating_add(size(r))
        }
        _ => 0,
    }
}

pub(crate) fn binary(op: BinaryOp, l: Value, r: Value, span: Span) -> Result<Value> {
    use Value::*;
    match op {
        BinaryOp::Eq => return Ok(l.cypher_eq(&r).map_or(Null, Bool)),
        BinaryOp::Ne => return Ok(l.cypher_eq(&r).map_or(Null, |b| Bool(!b))),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let nan = |v: &Value| matches!(v, Float(f) if f.is_nan());
            if (nan(&l) && r.as_f64().is_some()) || (nan(&r) && l.as_f64().is_some()) {
                return Ok(Bool(false));
            }
            return Ok(match l.cypher_cmp(&r) {
                None => Null,
                Some(o) => Bool(match op {
                    BinaryOp::Lt => o.is_lt(),
                    BinaryOp::Le => o.is_le(),
                    BinaryOp::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }),
            });
        }
        BinaryOp::In => return in_list(l, r, span),
        BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => {
            return Ok(match (&l, &r) {
                (String(a), String(b)) => Bool(match op {
                    BinaryOp::StartsWith => a.starts_with(&**b),
                    BinaryOp::EndsWith => a.ends_with(&**b),
                    _ => a.contains(&**b),
                }),
                _ => Null,
            });
        }
        _ => {}
    }
    if op == BinaryOp::Add {
        match (&l, &r) {
            (List(a), List(b)) => return Ok(List(a.iter().chain(b).cloned().collect())),
            (List(a), _) => {
                let mut out = a.clone();
                out.push(r);
                return Ok(List(out));
            }
            (_, List(b)) => {
                let mut out = vec![l];
                out.extend(b.iter().cloned());
                return Ok(List(out));
            }
            _ => {}
        }
    }
    if l.is_null() || r.is_null() {
        return Ok(Null);
    }
    if let Some(v) = super::temporal::temporal_arithmetic(op, &l, &r) {
        return v.ok_or_else(|| arithmetic("temporal arithmetic out of range", span));
    }
    Ok(match (op, &l, &r) {
        (BinaryOp::Add, String(a), String(b)) => Value::from(format!("{a}{b}")),
        (BinaryOp::Add, String(a), Int(_) | Float(_)) => {
            Value::from(format!("{a}{}", number_text(&r)))
        }
        (BinaryOp::Add, Int(_) | Float(_), String(b)) => {
            Value::from(format!("{}{b}", number_text(&l)))
        }
        (_, Int(a), Int(b)) => integer_op(op, *a, *b, span)?,
        (_, Int(_) | Float(_), Int(_) | Float(_)) => {
            let (a, b) = (l.as_f64().unwrap_or(0.0), r.as_f64().unwrap_or(0.0));
            Float(match op {
                BinaryOp::Add => a + b,
                BinaryOp::Sub => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::Div => a / b,
                BinaryOp::Mod => a % b,
                _ => a.powf(b),
            })
        }
        _ => {
            return Err(type_error(
                format!(
                    "cannot apply `{}` to {} and {}",
                    op.symbol(),
                    describe(&l),
                    describe(&r)
                ),
                span,
            ));
        }
    })
}

fn number_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::graph::value::format_float(*f),
        _ => String::new(),
    }
}

fn integer_op(op: BinaryOp, a: i64, b: i64, span: Span) -> Result<Value> {
    let overflow = || arithmetic("integer overflow", span);
    Ok(Value::Int(match op {
        BinaryOp::Add => a.checked_add(b).ok_or_else(overflow)?,
        BinaryOp::Sub => a.checked_sub(b).ok_or_else(overflow)?,
        BinaryOp::Mul => a.checked_mul(b).ok_or_else(overflow)?,
        BinaryOp::Div => {
            if b == 0 {
                return Err(arithmetic("division by zero", span));
            }
            a.checked_div(b).ok_or_else(overflow)?
        }
        BinaryOp::Mod => {
            if b == 0 {
                return Err(arithmetic("division by zero", span));
            }
            a.checked_rem(b).ok_or_else(overflow)?
        }
        _ => return Ok(Value::Float((a as f64).powf(b as f64))),
    }))
}

fn in_list(l: Value, r: Value, span: Span) -> Result<Value> {
    match r {
        Value::Null => Ok(Value::Null),
        Value::List(items) => {
            let mut unknown = false;
            for item in &items {
                match l.cypher_eq(item) {
                    Some(true) => return Ok(Value::Bool(true)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            Ok(if unknown {
                Value::Null
            } else {
                Value::Bool(false)
            })
        }
        other => Err(type_error(
            format!("IN expects a List, got {}", describe(&other)),
            span,
        )),
    }
}

fn slice(base: Value, from: Option<Value>, to: Option<Value>, span: Span) -> Result<Value> {
    let items = match base {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => {
            return Err(type_error(
                format!("cannot slice {}", describe(&other)),
                span,
            ));
        }
    };
    let len = items.len() as i64;
    let bound = |v: Option<Value>, default: i64| -> Result<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) })),
            Some(other) => Err(type_error(
                format!("a slice bound must be an Integer, not {}", describe(&other)),
                span,
            )),
        }
    };
    let (Some(start), Some(end)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if start >= end {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}

/// A stored property's value: null when the element has none, an error when the element
/// itself is gone (`exists` is asked only then).
fn stored(
    found: Option<&Value>,
    exists: impl FnOnce() -> bool,
    what: &str,
    span: Span,
) -> Result<Value> {
    match found {
        Some(value) => Ok(value.clone()),
        None if exists() => Ok(Value::Null),
        None => Err(ExecError::DeletedEntity {
            message: format!("the {what} was deleted"),
            span,
        }),
    }
}
