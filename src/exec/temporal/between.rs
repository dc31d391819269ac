//! `duration.between`, `duration.inMonths`, `duration.inDays` and `duration.inSeconds`
//! (TCK Temporal10), computed as Neo4j does with `java.time`: the two values are first
//! given the parts the other has (a date gets midnight, a time gets the other's date, a
//! local value gets the other's zone), then counted in whole months, whole days and
//! nanoseconds.

use chrono::{
    DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeDelta, Utc,
};

use crate::graph::{Duration, Value};
use crate::temporal::{self, Zone, localize, localize_preferring};

/// What a `duration.*` function counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Measure {
    /// `duration.between`: months, then days, then the rest.
    All,
    Months,
    Days,
    Seconds,
}

/// The unit one `until` counts in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Unit {
    Months,
    Days,
    Nanos,
}

/// A temporal value as an operand of `until`.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Point {
    Date(NaiveDate),
    LocalTime(NaiveTime),
    Time(NaiveTime, FixedOffset),
    Local(NaiveDateTime),
    Zoned(DateTime<Zone>),
}

impl Point {
    fn of(v: &Value) -> Option<Point> {
        Some(match v {
            Value::Date(d) => Point::Date(*d),
            Value::LocalTime(t) => Point::LocalTime(*t),
            Value::Time(t, o) => Point::Time(*t, *o),
            Value::LocalDateTime(d) => Point::Local(*d),
            Value::DateTime(d) => Point::Zoned(*d),
            _ => return None,
        })
    }

    fn date(self) -> Option<NaiveDate> {
        match self {
            Point::Date(d) => Some(d),
            Point::Local(d) => Some(d.date()),
            Point::Zoned(d) => Some(d.naive_local().date()),
            _ => None,
        }
    }

    fn has_time(self) -> bool {
        !matches!(self, Point::Date(_))
    }

    fn zone(self) -> Option<Zone> {
        match self {
            Point::Time(_, o) => Some(Zone::Fixed(o)),
            Point::Zoned(d) => Some(d.timezone()),
            _ => None,
        }
    }

    fn attach_time(self) -> Point {
        match self {
            Point::Date(d) => Point::Local(d.and_time(NaiveTime::MIN)),
            other => other,
        }
    }

    fn attach_date(self, date: NaiveDate) -> Option<Point> {
        Some(match self {
            Point::LocalTime(t) => Point::Local(date.and_time(t)),
            Point::Time(t, o) => Point::Zoned(localize(date.and_time(t), Zone::Fixed(o))?),
            other => other,
        })
    }

    fn attach_zone(self, zone: Zone, now: DateTime<Utc>) -> Option<Point> {
        Some(match self {
            Point::LocalTime(t) => Point::Time(t, zone.offset_at(&now.naive_utc())),
            Point::Local(d) => Point::Zoned(localize(d, zone)?),
            other => other,
        })
    }

    /// The point moved by whole months or days on its local time line.
    fn plus(self, months: i64, days: i64) -> Option<Point> {
        let shift = |d: NaiveDateTime| -> Option<NaiveDateTime> {
            let d = if months >= 0 {
                d.checked_add_months(Months::new(u32::try_from(months).ok()?))?
            } else {
                d.checked_sub_months(Months::new(u32::try_from(-months).ok()?))?
            };
            d.checked_add_signed(TimeDelta::try_days(days)?)
        };
        Some(match self {
            Point::Date(d) => Point::Date(shift(d.and_time(NaiveTime::MIN))?.date()),
            Point::Local(d) => Point::Local(shift(d)?),
            Point::Zoned(d) => Point::Zoned(localize_preferring(
                shift(d.naive_local())?,
                d.timezone(),
                Some(d.offset().fix()),
            )?),
            other => other,
        })
    }
}

/// The duration from `a` to `b`; `Ok(None)` when either is not temporal.
pub(super) fn between(
    measure: Measure,
    a: &Value,
    b: &Value,
    now: DateTime<Utc>,
) -> Result<Option<Duration>, String> {
    let (Some(from), Some(to)) = (Point::of(a), Point::of(b)) else {
        return Ok(None);
    };
    let out_of_range = || "the duration is out of range".to_string();
    let count = |from, unit| until(from, to, unit, now).ok_or_else(out_of_range);
    let (months, days, nanos) = match measure {
        Measure::Months => (count(from, Unit::Months)?, 0, 0),
        Measure::Days => (0, count(from, Unit::Days)?, 0),
        Measure::Seconds => (0, 0, count(from, Unit::Nanos)?),
        Measure::All if from.date().is_some() && to.date().is_some() => {
            let months = count(from, Unit::Months)?;
            let from = from.plus(months as i64, 0).ok_or_else(out_of_range)?;
            let days = count(from, Unit::Days)?;
            let from = from.plus(0, days as i64).ok_or_else(out_of_range)?;
            (months, days, count(from, Unit::Nanos)?)
        }
        Measure::All => (0, 0, count(from, Unit::Nanos)?),
    };
    let whole = |i: i128| i64::try_from(i).map_err(|_| out_of_range());
    temporal::duration(whole(months)?, whole(days)?, 0, nanos)
        .map(Some)
        .ok_or_else(out_of_range)
}

/// Neo4j's `TemporalValue.until`: both sides completed with what the other has, then
/// counted in `unit`.
fn until(from: Point, to: Point, unit: Unit, now: DateTime<Utc>) -> Option<i128> {
    let (mut from, mut to) = (from, to);
    if unit == Unit::Nanos {
        (from, to) = (from.attach_time(), to.attach_time());
    } else if from.has_time() && !to.has_time() {
        to = to.attach_time();
    } else if to.has_time() && !from.has_time() {
        from = from.attach_time();
    }
    match (from.date(), to.date()) {
        (Some(d), None) => to = to.attach_date(d)?,
        (None, Some(d)) => from = from.attach_date(d)?,
        _ => {}
    }
    match (from.zone(), to.zone()) {
        (Some(z), None) => to = to.attach_zone(z, now)?,
        (None, Some(z)) => from = from.attach_zone(z, now)?,
        _ => {}
    }
    Some(match (from, to) {
        (Point::Date(a), Point::Date(b)) => match unit {
            Unit::Months => months_until(a, b),
            Unit::Days => i128::from((b - a).num_days()),
            Unit::Nanos => nanos(b.and_time(NaiveTime::MIN) - a.and_time(NaiveTime::MIN))?,
        },
        (Point::LocalTime(a), Point::LocalTime(b)) => time_until(a, b, unit),
        (Point::Time(a, oa), Point::Time(b, ob)) => {
            // Java moves the end to the start's offset, wrapping around midnight.
            let shift = TimeDelta::seconds(i64::from(oa.local_minus_utc() - ob.local_minus_utc()));
            time_until(a, b.overflowing_add_signed(shift).0, unit)
        }
        (Point::Local(a), Point::Local(b)) => local_until(a, b, unit)?,
        (Point::Zoned(a), Point::Zoned(b)) => match unit {
            Unit::Nanos => nanos(b.naive_utc() - a.naive_utc())?,
            _ => {
                let b = b.with_timezone(&a.timezone());
                local_until(a.naive_local(), b.naive_local(), unit)?
            }
        },
        _ => return None,
    })
}

fn time_until(a: NaiveTime, b: NaiveTime, unit: Unit) -> i128 {
    match unit {
        Unit::Nanos => nanos(b - a).unwrap_or(0),
        _ => 0,
    }
}

/// Java's `LocalDateTime.until`: date units count whole days, so an end whose time of
/// day comes before the start's falls one day short.
fn local_until(a: NaiveDateTime, b: NaiveDateTime, unit: Unit) -> Option<i128> {
    if unit == Unit::Nanos {
        return nanos(b - a);
    }
    let mut end = b.date();
    if end > a.date() && b.time() < a.time() {
        end = end.pred_opt()?;
    } else if end < a.date() && b.time() > a.time() {
        end = end.succ_opt()?;
    }
    Some(match unit {
        Unit::Months => months_until(a.date(), end),
        _ => i128::from((end - a.date()).num_days()),
    })
}

/// Whole months from `a` to `b`, rounded toward zero (Java's `LocalDate.until(MONTHS)`).
fn months_until(a: NaiveDate, b: NaiveDate) -> i128 {
    let packed = |d: NaiveDate| {
        (i128::from(d.year()) * 12 + i128::from(d.month0())) * 32 + i128::from(d.day())
    };
    (packed(b) - packed(a)) / 32
}

fn nanos(delta: TimeDelta) -> Option<i128> {
    Some(i128::from(delta.num_seconds()) * 1_000_000_000 + i128::from(delta.subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::parse_iso_date;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
    }

    fn show(measure: Measure, a: Value, b: Value) -> String {
        between(measure, &a, &b, now())
            .unwrap()
            .unwrap()
            .to_string()
    }

    fn date(s: &str) -> Value {
        Value::Date(parse_iso_date(s).unwrap())
    }

    fn local(s: &str) -> Value {
        Value::LocalDateTime(temporal::parse_iso_local_datetime(s).unwrap())
    }

    fn zoned(s: &str) -> Value {
        let (local, zone) = temporal::parse_zoned_datetime(s).unwrap();
        Value::DateTime(localize(local, zone.zone().unwrap()).unwrap())
    }

    fn time(s: &str) -> Value {
        Value::LocalTime(temporal::parse_iso_time(s).unwrap())
    }

    #[test]
    fn between_counts_months_then_days_then_time() {
        assert_eq!(
            show(Measure::All, date("1984-10-11"), date("2015-06-24")),
            "P30Y8M13D"
        );
        assert_eq!(
            show(
                Measure::All,
                local("2015-07-21T21:40:32.142"),
                date("2015-06-24")
            ),
            "P-27DT-21H-40M-32.142S"
        );
        assert_eq!(
            show(
                Measure::All,
                zoned("2014-07-21T21:40:36.143+0200"),
                zoned("2015-07-21T21:40:32.142+0100")
            ),
            "P1YT59M55.999S"
        );
    }

    #[test]
    fn a_date_against_a_time_uses_the_dates_midnight() {
        assert_eq!(
            show(Measure::All, date("1984-10-11"), time("16:30")),
            "PT16H30M"
        );
        assert_eq!(
            show(Measure::All, time("14:30"), date("2015-06-24")),
            "PT-14H-30M"
        );
        assert_eq!(
            show(Measure::Months, date("1984-10-11"), time("16:30")),
            "PT0S"
        );
    }

    #[test]
    fn months_round_toward_zero_when_negative() {
        assert_eq!(
            show(
                Measure::Months,
                date("2018-07-21"),
                zoned("2016-07-21T21:40:32.142+0100")
            ),
            "P-1Y-11M"
        );
    }

    #[test]
    fn seconds_cross_daylight_saving_changes_exactly() {
        let from = zoned("2017-10-29T00:00[Europe/Stockholm]");
        assert_eq!(
            show(Measure::Seconds, from.clone(), local("2017-10-29T04:00")),
            "PT5H"
        );
        assert_eq!(show(Measure::Seconds, from, date("2017-10-30")), "PT25H");
    }

    #[test]
    fn fractions_keep_their_sign() {
        assert_eq!(
            show(Measure::Seconds, time("12:44:54.7"), time("12:34:55.3")),
            "PT-9M-59.4S"
        );
        assert_eq!(
            show(
                Measure::Seconds,
                local("2014-07-21T21:40:36.143"),
                local("2014-07-21T21:40:36.142")
            ),
            "PT-0.001S"
        );
    }
}
