//! Scalar functions: the executor's side of the catalogue (`plan::functions`). A call
//! first applies the row's null rule, then runs the implementation its family's file
//! provides; a domain module's functions bring their implementation in their row.

mod conversion;
mod entity;
mod list;
mod math;
mod null;
mod path;
mod string;
mod temporal;

use crate::graph::Value;
use crate::plan::functions::{EXTENSIONS, Expected, Family, Function};
use crate::span::Span;

use super::describe::{describe, type_error};
use super::{ExecError, Reader, Result};

/// A function's implementation.
type Impl = fn(&Reader, Args) -> Result<Value>;

/// The implementations of one family: `None` for functions of other families.
type FamilyTable = fn(Function) -> Option<Impl>;

/// Where each family's implementations live. Aggregates are planned into aggregations
/// and domain functions carry their implementation, so neither has a file here.
fn family_table(family: Family) -> Option<FamilyTable> {
    Some(match family {
        Family::Entity => entity::implementation,
        Family::Path => path::implementation,
        Family::List => list::implementation,
        Family::String => string::implementation,
        Family::Conversion => conversion::implementation,
        Family::Null => null::implementation,
        Family::Math => math::implementation,
        Family::Temporal => temporal::implementation,
        Family::Aggregate | Family::Domain => return None,
    })
}

/// The arguments of one call, with what its errors need: the function and the span.
pub(super) struct Args {
    function: Function,
    values: Vec<Value>,
    span: Span,
}

impl Args {
    /// The `i`th argument, moved out (null when absent).
    fn take(&mut self, i: usize) -> Value {
        self.values
            .get_mut(i)
            .map_or(Value::Null, |v| std::mem::replace(v, Value::Null))
    }

    /// The `i`th argument (null when absent).
    fn get(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Null)
    }

    /// "f() expects `what`, got `got`".
    fn wrong(&self, what: &str, got: &Value) -> ExecError {
        type_error(
            format!(
                "{}() expects {what}, got {}",
                self.function.name(),
                describe(got)
            ),
            self.span,
        )
    }

    /// The `i`th argument as a string.
    fn string(&self, i: usize) -> Result<&str> {
        let v = self.get(i);
        v.as_str().ok_or_else(|| self.wrong("a string", v))
    }

    /// The `i`th argument as a number.
    fn number(&self, i: usize) -> Result<f64> {
        let v = self.get(i);
        v.as_f64().ok_or_else(|| self.wrong("a number", v))
    }

    /// The `i`th argument as a non-negative integer; `what` names it in the error.
    fn non_negative(&self, i: usize, what: &str) -> Result<usize> {
        match self.get(i) {
            Value::Int(n) if *n >= 0 => Ok(*n as usize),
            other => Err(ExecError::InvalidArgument {
                message: format!(
                    "{what} must be a non-negative integer, not {}",
                    describe(other)
                ),
                span: self.span,
            }),
        }
    }
}

impl Reader<'_> {
    pub(super) fn call(&self, function: Function, args: Vec<Value>, span: Span) -> Result<Value> {
        let info = function.info();
        if info.null_in_null_out && args.first().is_some_and(Value::is_null) {
            return Ok(Value::Null);
        }
        let args = Args {
            function,
            values: args,
            span,
        };
        if let Function::Extension(i) = function {
            let extension = &EXTENSIONS[usize::from(i)];
            return (extension.eval)(self.graph, &args.values)
                .map_err(|Expected(what)| args.wrong(what, args.get(0)));
        }
        match family_table(info.family).and_then(|table| table(function)) {
            Some(implementation) => implementation(self, args),
            // The catalogue's tests rule this out; a clear error beats a panic all the same.
            None => Err(ExecError::InvalidArgument {
                message: format!("{}() has no implementation", info.name),
                span,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every engine function has exactly one implementation, in its family's file, and
    /// no family's file implements a function the catalogue puts elsewhere.
    #[test]
    fn every_catalogue_function_has_one_implementation_in_its_family() {
        for function in Function::all() {
            let family = function.info().family;
            for candidate in Family::ALL {
                let found = family_table(candidate).and_then(|table| table(function));
                let expected = candidate == family && !matches!(function, Function::Extension(_));
                assert_eq!(
                    found.is_some(),
                    expected,
                    "{} ({}) in the {} family's file",
                    function.name(),
                    family.name(),
                    candidate.name()
                );
            }
            if let Function::Extension(i) = function {
                assert_eq!(family, Family::Domain);
                assert!(usize::from(i) < EXTENSIONS.len());
            } else {
                assert_ne!(family, Family::Domain, "{}", function.name());
                assert_ne!(family, Family::Aggregate, "{}", function.name());
            }
        }
    }
}
