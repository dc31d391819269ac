//! Numeric functions: `abs`, `ceil`, `floor`, `round`, `sign`, roots, logarithms,
//! constants, `rand` and trigonometry (angles in radians).

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::{ExecError, Result};

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::Abs => abs,
        F::Ceil => ceil,
        F::Floor => floor,
        F::Round => round,
        F::Sign => sign,
        F::Sqrt => sqrt,
        F::Exp => exp,
        F::Log => log,
        F::Log10 => log10,
        F::E => e,
        F::Pi => pi,
        F::Rand => rand,
        F::Sin => sin,
        F::Cos => cos,
        F::Tan => tan,
        F::Cot => cot,
        F::Asin => asin,
        F::Acos => acos,
        F::Atan => atan,
        F::Atan2 => atan2,
        F::Haversin => haversin,
        F::Degrees => degrees,
        F::Radians => radians,
        _ => return None,
    })
}

/// A float function of the first argument, which must be a number.
fn unary(args: &Args, f: fn(f64) -> f64) -> Result<Value> {
    Ok(Value::Float(f(args.number(0)?)))
}

fn abs(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Int(i) => Ok(Value::Int(i.checked_abs().ok_or_else(|| {
            ExecError::Arithmetic {
                message: "integer overflow".into(),
                span: args.span,
            }
        })?)),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        other => Err(args.wrong("a number", &other)),
    }
}

fn ceil(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::ceil)
}

fn floor(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::floor)
}

/// `round(x[, precision[, mode]])`; the mode is accepted and ignored.
fn round(_: &Reader, args: Args) -> Result<Value> {
    let f = args.number(0)?;
    let digits = match args.get(1) {
        Value::Int(p) => *p,
        Value::Null => 0,
        other => return Err(args.wrong("an integer precision", other)),
    };
    let factor = 10f64.powi(digits as i32);
    // Cypher rounds half away from zero... for positives; -2.5 rounds to -2.
    let scaled = f * factor;
    let rounded = if scaled < 0.0 && (scaled.fract() + 0.5).abs() < f64::EPSILON {
        scaled.ceil()
    } else {
        scaled.round()
    };
    Ok(Value::Float(rounded / factor))
}

fn sign(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Int(i) => Ok(Value::Int(i.signum())),
        Value::Float(f) => Ok(Value::Int(if f > 0.0 {
            1
        } else if f < 0.0 {
            -1
        } else {
            0
        })),
        other => Err(args.wrong("a number", &other)),
    }
}

fn sqrt(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::sqrt)
}

fn exp(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::exp)
}

fn log(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::ln)
}

fn log10(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::log10)
}

fn e(_: &Reader, _: Args) -> Result<Value> {
    Ok(Value::Float(std::f64::consts::E))
}

fn pi(_: &Reader, _: Args) -> Result<Value> {
    Ok(Value::Float(std::f64::consts::PI))
}

fn rand(_: &Reader, _: Args) -> Result<Value> {
    Ok(Value::Float(pseudo_random()))
}

fn sin(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::sin)
}

fn cos(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::cos)
}

fn tan(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::tan)
}

fn cot(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, |x| 1.0 / x.tan())
}

fn asin(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::asin)
}

fn acos(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::acos)
}

fn atan(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::atan)
}

fn atan2(_: &Reader, args: Args) -> Result<Value> {
    if args.get(1).is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::Float(args.number(0)?.atan2(args.number(1)?)))
}

fn haversin(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, |x| (1.0 - x.cos()) / 2.0)
}

fn degrees(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::to_degrees)
}

fn radians(_: &Reader, args: Args) -> Result<Value> {
    unary(&args, f64::to_radians)
}

/// A cheap pseudo-random float in [0, 1) without another dependency.
fn pseudo_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}
