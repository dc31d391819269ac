//! Temporal functions and operators: the constructors `date`, `localtime`, `time`,
//! `localdatetime`, `datetime` and `duration` (from strings, maps and other temporal
//! values), their clocks (`*.transaction`, `*.statement`, `*.realtime`), `*.truncate`,
//! `datetime.fromepoch[millis]`, `duration.between` and its relatives, the component
//! accessors (`d.year`, `dt.timezone`) and arithmetic with durations.
//!
//! `functions` hands every temporal function but `timestamp()` to [`call`]; `expr`
//! uses [`temporal_field`] and [`temporal_arithmetic`]. Text forms are
//! read and printed by `crate::temporal`. Semantics follow Neo4j, which the TCK's
//! `expressions/temporal` scenarios were written against.

mod between;
mod construct;

use std::cell::OnceCell;
use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Timelike, Utc,
};

use crate::ast::BinaryOp;
use crate::graph::{Duration, Value};
use crate::plan::functions::Function;
use crate::span::Span;
use crate::temporal::{self as text, Amount, DurationBuilder, Zone, localize_preferring};

use super::describe::describe;
use super::{ExecError, Result};

use between::Measure;

/// The five temporal types a constructor, clock or truncation makes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::LocalTime => "localtime",
            Kind::Time => "time",
            Kind::LocalDateTime => "localdatetime",
            Kind::DateTime => "datetime",
        }
    }
}

/// Which clock a `now` function reads. A statement is its own transaction, so the
/// transaction and statement clocks are one: the first reading in the statement.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Clock {
    Statement,
    Realtime,
}

/// A temporal function, as this module evaluates it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Call {
    Make(Kind),
    Now(Kind, Clock),
    Truncate(Kind),
    Duration,
    Between(Measure),
    FromEpoch,
    FromEpochMillis,
    /// `partialDate`, `earliest`, `latest`: dates known to a month, a year or a bound.
    Partial(Function),
}

fn classify(function: Function) -> Option<Call> {
    use Function as F;
    use {Clock::*, Kind::*};
    Some(match function {
        F::Date => Call::Make(Date),
        F::LocalTime => Call::Make(LocalTime),
        F::Time => Call::Make(Time),
        F::LocalDateTime => Call::Make(LocalDateTime),
        F::DateTime => Call::Make(DateTime),
        F::DateTransaction | F::DateStatement => Call::Now(Date, Statement),
        F::LocalTimeTransaction | F::LocalTimeStatement => Call::Now(LocalTime, Statement),
        F::TimeTransaction | F::TimeStatement => Call::Now(Time, Statement),
        F::LocalDateTimeTransaction | F::LocalDateTimeStatement => {
            Call::Now(LocalDateTime, Statement)
        }
        F::DateTimeTransaction | F::DateTimeStatement => Call::Now(DateTime, Statement),
        F::DateRealtime => Call::Now(Date, Realtime),
        F::LocalTimeRealtime => Call::Now(LocalTime, Realtime),
        F::TimeRealtime => Call::Now(Time, Realtime),
        F::LocalDateTimeRealtime => Call::Now(LocalDateTime, Realtime),
        F::DateTimeRealtime => Call::Now(DateTime, Realtime),
        F::DateTruncate => Call::Truncate(Date),
        F::LocalTimeTruncate => Call::Truncate(LocalTime),
        F::TimeTruncate => Call::Truncate(Time),
        F::LocalDateTimeTruncate => Call::Truncate(LocalDateTime),
        F::DateTimeTruncate => Call::Truncate(DateTime),
        F::Duration => Call::Duration,
        F::DurationBetween => Call::Between(Measure::All),
        F::DurationInMonths => Call::Between(Measure::Months),
        F::DurationInDays => Call::Between(Measure::Days),
        F::DurationInSeconds => Call::Between(Measure::Seconds),
        F::DateTimeFromEpoch => Call::FromEpoch,
        F::DateTimeFromEpochMillis => Call::FromEpochMillis,
        F::PartialDate | F::Earliest | F::Latest => Call::Partial(function),
        _ => return None,
    })
}

/// Whether [`call`] evaluates `function`.
pub(super) fn evaluates(function: Function) -> bool {
    classify(function).is_some()
}

/// Evaluates the temporal function `function`. `clock` is the statement's clock, set on
/// first use so that every reading in a statement agrees.
pub(super) fn call(
    function: Function,
    args: &[Value],
    clock: &OnceCell<DateTime<Utc>>,
    span: Span,
) -> Result<Value> {
    let Some(call) = classify(function) else {
        return Err(ExecError::InvalidArgument {
            message: format!("{}() is not a temporal function", function.name()),
            span,
        });
    };
    // A null argument gives null; no argument at all means now (TCK Temporal4 [13]).
    if args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let statement_now = *clock.get_or_init(Utc::now);
    evaluate(call, args, statement_now).map_err(|failure| match failure {
        Failure::Invalid(message) => ExecError::InvalidArgument {
            message: format!("{}(): {message}", function.name()),
            span,
        },
        Failure::Wrong(what, got) => ExecError::TypeMismatch {
            message: format!("{}() expects {what}, got {got}", function.name()),
            span,
        },
    })
}

/// Why a temporal function failed, before it is given the function's name and span.
enum Failure {
    /// A value of the right type that names no temporal value (`date('2015-13-01')`).
    Invalid(String),
    /// An argument of the wrong type: what was expected, and what came.
    Wrong(&'static str, String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Invalid(message)
    }
}

fn wrong(what: &'static str, got: &Value) -> Failure {
    Failure::Wrong(what, describe(got))
}

fn evaluate(
    call: Call,
    args: &[Value],
    statement_now: DateTime<Utc>,
) -> std::result::Result<Value, Failure> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    match call {
        Call::Make(kind) => Ok(make(kind, args.first(), statement_now)?),
        Call::Now(kind, clock) => {
            let instant = match clock {
                Clock::Statement => statement_now,
                Clock::Realtime => Utc::now(),
            };
            let zone = match args.first() {
                None => Zone::utc(),
                Some(Value::String(s)) => {
                    Zone::parse(s).ok_or_else(|| format!("unknown time zone '{s}'"))?
                }
                Some(other) => return Err(wrong("a time zone", other)),
            };
            Ok(now(kind, instant, zone))
        }
        Call::Truncate(kind) => {
            let fields = match args.get(2) {
                None => construct::Fields::default(),
                Some(Value::Map(m)) => construct::Fields::read(m)?,
                Some(other) => return Err(wrong("a map of components", other)),
            };
            let Value::String(unit) = arg(0) else {
                return Err(wrong("a unit name", arg(0)));
            };
            Ok(construct::truncate(
                kind,
                unit,
                arg(1),
                &fields,
                statement_now,
            )?)
        }
        Call::Duration => match arg(0) {
            Value::Map(m) => Ok(Value::Duration(duration_from_map(m)?)),
            Value::String(s) => text::parse_duration(s)
                .map(Value::Duration)
                .ok_or_else(|| Failure::Invalid(format!("cannot read a duration from '{s}'"))),
            d @ Value::Duration(_) => Ok(d.clone()),
            other => Err(wrong("a map or a string", other)),
        },
        Call::Between(measure) => {
            // A partial date starts on its first day and, as the end, covers its whole
            // period: `2014-12` to `2015-04` is five months. An open side gives null.
            let (from, to) = (
                crate::graph::partial::as_start(arg(0)),
                crate::graph::partial::as_end(arg(1)),
            );
            if from.is_null() || to.is_null() {
                return Ok(Value::Null);
            }
            between::between(measure, &from, &to, statement_now)?
                .map(Value::Duration)
                .ok_or_else(|| wrong("two temporal values", arg(0)))
        }
        Call::Partial(function) => partial(function, arg(0)),
        Call::FromEpoch | Call::FromEpochMillis => from_epoch(call, arg(0), arg(1)),
    }
}

/// `partialDate(text)` reads the CSV forms (`2015-04`, `2015`, `<2017-06-08`); `earliest(d)`
/// and `latest(d)` are the first and last day a date may be (null for an open side).
fn partial(function: Function, v: &Value) -> std::result::Result<Value, Failure> {
    match (function, v) {
        (Function::PartialDate, Value::String(s)) => crate::graph::partial::parse_partial_date(s)
            .ok_or_else(|| Failure::Invalid(format!("cannot read a date from '{s}'"))),
        (Function::PartialDate, Value::Date(_) | Value::PartialDate(_)) => Ok(v.clone()),
        (Function::PartialDate, other) => Err(wrong("a string", other)),
        (_, Value::Date(_)) => Ok(v.clone()),
        (Function::Earliest, Value::PartialDate(p)) => {
            Ok(p.earliest().map_or(Value::Null, Value::Date))
        }
        (_, Value::PartialDate(p)) => Ok(p.latest().map_or(Value::Null, Value::Date)),
        (_, other) => Err(wrong("a date", other)),
    }
}

/// `datetime.fromepoch(seconds, nanoseconds)` and `datetime.fromepochmillis(millis)`, in UTC.
fn from_epoch(call: Call, a: &Value, b: &Value) -> std::result::Result<Value, Failure> {
    let instant = match (call, a, b) {
        (Call::FromEpoch, Value::Int(s), Value::Int(n)) => Utc
            .timestamp_opt(*s, 0)
            .single()
            .and_then(|d| d.checked_add_signed(TimeDelta::nanoseconds(*n))),
        (Call::FromEpochMillis, Value::Int(ms), _) => Utc.timestamp_millis_opt(*ms).single(),
        (_, Value::Int(_), other) | (_, other, _) => return Err(wrong("integers", other)),
    };
    instant
        .map(|d| Value::DateTime(d.with_timezone(&Zone::utc())))
        .ok_or_else(|| Failure::Invalid("the instant is out of range".into()))
}

/// `date(x)` and its siblings: now, or made from a string, a map or another value.
fn make(
    kind: Kind,
    arg: Option<&Value>,
    statement_now: DateTime<Utc>,
) -> std::result::Result<Value, String> {
    match arg {
        None => Ok(now(kind, statement_now, Zone::utc())),
        Some(Value::String(s)) => construct::from_string(kind, s, statement_now),
        Some(Value::Map(m)) => {
            let fields = construct::Fields::read(m)?;
            match fields.timezone() {
                Some(zone) if fields.only_timezone() => Ok(now(kind, statement_now, zone)),
                _ => construct::from_map(kind, &fields, statement_now),
            }
        }
        Some(v) => construct::from_value(kind, v),
    }
}

/// The value of type `kind` that `instant` is in `zone`.
fn now(kind: Kind, instant: DateTime<Utc>, zone: Zone) -> Value {
    let zoned = instant.with_timezone(&zone);
    let local = zoned.naive_local();
    match kind {
        Kind::Date => Value::Date(local.date()),
        Kind::LocalTime => Value::LocalTime(local.time()),
        Kind::Time => Value::Time(local.time(), zoned.offset().fix()),
        Kind::LocalDateTime => Value::LocalDateTime(local),
        Kind::DateTime => Value::DateTime(zoned),
    }
}

/// `duration({days: 14, hours: 16})`: units may repeat kinds and carry fractions.
fn duration_from_map(m: &BTreeMap<String, Value>) -> std::result::Result<Duration, String> {
    let mut builder = DurationBuilder::default();
    for (unit, value) in m {
        let amount = match value {
            Value::Int(i) => Amount::Int(*i),
            Value::Float(f) => Amount::Float(*f),
            Value::Null => continue,
            other => {
                return Err(format!(
                    "`{unit}` must be a number, not {}",
                    other.type_name()
                ));
            }
        };
        builder
            .add(unit, amount)
            .ok_or_else(|| format!("`{unit}` is not a duration unit"))?;
    }
    builder
        .build()
        .ok_or_else(|| "the duration is out of range".into())
}

// ── Accessors ──

/// `date.year`, `datetime.timezone`, `duration.days` and the like; `None` when the value
/// has no such component.
pub(super) fn temporal_field(v: &Value, field: &str) -> Option<Value> {
    if let Value::Duration(d) = v {
        return duration_field(d, field).map(Value::Int);
    }
    let (date, time) = match v {
        Value::Date(d) => (Some(*d), None),
        Value::LocalTime(t) | Value::Time(t, _) => (None, Some(*t)),
        Value::LocalDateTime(d) => (Some(d.date()), Some(d.time())),
        Value::DateTime(d) => (Some(d.naive_local().date()), Some(d.naive_local().time())),
        _ => return None,
    };
    if let Some(i) = date.and_then(|d| date_field(d, field)) {
        return Some(Value::Int(i));
    }
    if let Some(i) = time.and_then(|t| time_field(t, field)) {
        return Some(Value::Int(i));
    }
    zone_field(v, field)
}

fn date_field(d: NaiveDate, field: &str) -> Option<i64> {
    Some(i64::from(match field {
        "year" => d.year(),
        "quarter" => construct::quarter(d) as i32,
        "month" => d.month() as i32,
        "week" => d.iso_week().week() as i32,
        "weekYear" => d.iso_week().year(),
        "day" => d.day() as i32,
        "ordinalDay" => d.ordinal() as i32,
        "weekDay" | "dayOfWeek" => d.weekday().number_from_monday() as i32,
        "dayOfQuarter" => construct::day_of_quarter(d) as i32,
        _ => return None,
    }))
}

fn time_field(t: NaiveTime, field: &str) -> Option<i64> {
    Some(i64::from(match field {
        "hour" => t.hour(),
        "minute" => t.minute(),
        "second" => t.second(),
        "millisecond" => t.nanosecond() / 1_000_000,
        "microsecond" => t.nanosecond() / 1_000,
        "nanosecond" => t.nanosecond(),
        _ => return None,
    }))
}

/// `timezone`, `offset`, `offsetMinutes`, `offsetSeconds`, and for date-times
/// `epochSeconds` and `epochMillis`.
fn zone_field(v: &Value, field: &str) -> Option<Value> {
    let (zone, offset) = match v {
        Value::Time(_, o) => (Zone::Fixed(*o), *o),
        Value::DateTime(d) => (d.timezone(), d.offset().fix()),
        _ => return None,
    };
    let seconds = i64::from(offset.local_minus_utc());
    Some(match (field, v) {
        ("timezone", _) => Value::from(text::format_zone(zone)),
        ("offset", _) => Value::from(text::format_offset(&offset)),
        ("offsetMinutes", _) => Value::Int(seconds / 60),
        ("offsetSeconds", _) => Value::Int(seconds),
        ("epochSeconds", Value::DateTime(d)) => Value::Int(d.timestamp()),
        ("epochMillis", Value::DateTime(d)) => Value::Int(d.timestamp_millis()),
        _ => return None,
    })
}

fn duration_field(d: &Duration, field: &str) -> Option<i64> {
    let nanos = i128::from(d.seconds) * 1_000_000_000 + i128::from(d.nanos);
    let of_second = i64::from(d.nanos);
    Some(match field {
        "years" => d.months / 12,
        "quarters" => d.months / 3,
        "months" => d.months,
        "weeks" => d.days / 7,
        "days" => d.days,
        "hours" => d.seconds / 3600,
        "minutes" => d.seconds / 60,
        "seconds" => d.seconds,
        "milliseconds" => i64::try_from(nanos / 1_000_000).ok()?,
        "microseconds" => i64::try_from(nanos / 1_000).ok()?,
        "nanoseconds" => i64::try_from(nanos).ok()?,
        "quartersOfYear" => d.months % 12 / 3,
        "monthsOfQuarter" => d.months % 3,
        "monthsOfYear" => d.months % 12,
        "daysOfWeek" => d.days % 7,
        "minutesOfHour" => d.seconds / 60 % 60,
        "secondsOfMinute" => d.seconds % 60,
        "millisecondsOfSecond" => of_second / 1_000_000,
        "microsecondsOfSecond" => of_second / 1_000,
        "nanosecondsOfSecond" => of_second,
        _ => return None,
    })
}

// ── Arithmetic ──

/// `temporal ± duration`, `duration + temporal`, `duration ± duration`,
/// `duration * number`, `number * duration` and `duration / number`; `None` when the
/// operands are none of these, `Some(None)` when the result is out of range.
pub(super) fn temporal_arithmetic(op: BinaryOp, l: &Value, r: &Value) -> Option<Option<Value>> {
    let sign = match op {
        BinaryOp::Add => 1,
        BinaryOp::Sub => -1,
        _ => 0,
    };
    Some(match (l, r) {
        (Value::Duration(a), Value::Duration(b)) if sign != 0 => text::duration(
            a.months.checked_add(sign * b.months)?,
            a.days.checked_add(sign * b.days)?,
            i128::from(a.seconds) + i128::from(sign * b.seconds),
            i128::from(a.nanos) + i128::from(sign * i64::from(b.nanos)),
        )
        .map(Value::Duration),
        (Value::Duration(d), Value::Int(_) | Value::Float(_)) if op == BinaryOp::Mul => {
            scale(d, r).map(Value::Duration)
        }
        (Value::Int(_) | Value::Float(_), Value::Duration(d)) if op == BinaryOp::Mul => {
            scale(d, l).map(Value::Duration)
        }
        (Value::Duration(d), Value::Int(_) | Value::Float(_)) if op == BinaryOp::Div => {
            let divisor = r.as_f64()?;
            let [m, days, s, n] =
                [d.months, d.days, d.seconds, i64::from(d.nanos)].map(|x| x as f64);
            (divisor != 0.0)
                .then(|| text::approximate(m / divisor, days / divisor, s / divisor, n / divisor))
                .flatten()
                .map(Value::Duration)
        }
        (Value::Duration(d), t) if sign == 1 && !matches!(t, Value::Duration(_)) => plus(t, d, 1)?,
        (t, Value::Duration(d)) if sign != 0 => plus(t, d, sign)?,
        _ => return None,
    })
}

/// `duration * number`: exact for integers, approximated for floats (Neo4j's
/// `DurationValue.mul`).
fn scale(d: &Duration, factor: &Value) -> Option<Duration> {
    match factor {
        Value::Int(k) => {
            let k = i128::from(*k);
            text::duration(
                i64::try_from(i128::from(d.months) * k).ok()?,
                i64::try_from(i128::from(d.days) * k).ok()?,
                i128::from(d.seconds) * k,
                i128::from(d.nanos) * k,
            )
        }
        Value::Float(f) => text::approximate(
            d.months as f64 * f,
            d.days as f64 * f,
            d.seconds as f64 * f,
            f64::from(d.nanos) * f,
        ),
        _ => None,
    }
}

/// A temporal value moved by `sign` times a duration, as Java's `plus(TemporalAmount)`:
/// months (clamped to the month's end), then days, then the time part. Dates move by the
/// whole days in the seconds; times of day wrap around midnight. `None` (outer) when `t`
/// is not temporal; `Some(None)` when the result is out of range.
fn plus(t: &Value, d: &Duration, sign: i64) -> Option<Option<Value>> {
    let time_delta = || {
        TimeDelta::try_seconds(sign * d.seconds)
            .map(|s| s + TimeDelta::nanoseconds(sign * i64::from(d.nanos)))
    };
    let calendar = |date: NaiveDate, extra_days: i64| -> Option<NaiveDate> {
        let months = sign * d.months;
        let date = if months >= 0 {
            date.checked_add_months(Months::new(u32::try_from(months).ok()?))?
        } else {
            date.checked_sub_months(Months::new(u32::try_from(-months).ok()?))?
        };
        let days = sign * d.days + extra_days;
        if days >= 0 {
            date.checked_add_days(Days::new(days.unsigned_abs()))
        } else {
            date.checked_sub_days(Days::new(days.unsigned_abs()))
        }
    };
    let local = |l: NaiveDateTime| -> Option<NaiveDateTime> {
        Some(calendar(l.date(), 0)?.and_time(l.time()))
    };
    Some(match t {
        Value::Date(date) => calendar(*date, sign * (d.seconds / 86_400)).map(Value::Date),
        Value::LocalTime(time) => {
            time_delta().map(|delta| Value::LocalTime(time.overflowing_add_signed(delta).0))
        }
        Value::Time(time, o) => {
            time_delta().map(|delta| Value::Time(time.overflowing_add_signed(delta).0, *o))
        }
        Value::LocalDateTime(l) => local(*l)
            .and_then(|l| l.checked_add_signed(time_delta()?))
            .map(Value::LocalDateTime),
        Value::DateTime(z) => local(z.naive_local())
            .and_then(|l| localize_preferring(l, z.timezone(), Some(z.offset().fix())))
            .and_then(|z| z.checked_add_signed(time_delta()?))
            .map(Value::DateTime),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dur(text: &str) -> Duration {
        text::parse_duration(text).unwrap()
    }

    fn render(v: Option<Option<Value>>) -> String {
        crate::result::ResultSet::default().render(&v.unwrap().unwrap())
    }

    #[test]
    fn dates_ignore_time_below_a_day_and_round_seconds_toward_zero() {
        let date = Value::Date(text::parse_iso_date("1984-10-11").unwrap());
        let d = Value::Duration(dur("P1M-14DT15H49M10S"));
        assert_eq!(
            render(temporal_arithmetic(BinaryOp::Add, &date, &d)),
            "1984-10-28"
        );
        assert_eq!(
            render(temporal_arithmetic(BinaryOp::Sub, &date, &d)),
            "1984-09-25"
        );
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        let date = Value::Date(text::parse_iso_date("2018-01-31").unwrap());
        let d = Value::Duration(dur("P1M"));
        assert_eq!(
            render(temporal_arithmetic(BinaryOp::Add, &date, &d)),
            "2018-02-28"
        );
    }

    #[test]
    fn durations_scale_exactly_by_integers_and_approximately_by_floats() {
        let d = Value::Duration(dur("P12Y5M14DT16H13M10.000000001S"));
        let times = |n: Value| render(temporal_arithmetic(BinaryOp::Mul, &d, &n));
        assert_eq!(times(Value::Int(2)), "P24Y10M28DT32H26M20.000000002S");
        assert_eq!(times(Value::Float(0.5)), "P6Y2M22DT13H21M8S");
        let half = render(temporal_arithmetic(BinaryOp::Div, &d, &Value::Float(0.5)));
        assert_eq!(half, "P24Y10M28DT32H26M20.000000002S");
        assert_eq!(
            temporal_arithmetic(BinaryOp::Div, &d, &Value::Int(0)),
            Some(None)
        );
    }

    #[test]
    fn duration_fields_split_each_unit() {
        let d = dur("P1Y4M10DT1H1M1.111111111S");
        let field = |f: &str| duration_field(&d, f).unwrap();
        assert_eq!(
            (
                field("quarters"),
                field("quartersOfYear"),
                field("monthsOfQuarter")
            ),
            (5, 1, 1)
        );
        assert_eq!((field("minutes"), field("milliseconds")), (61, 3_661_111));
        assert_eq!(field("nanosecondsOfSecond"), 111_111_111);
    }
}
