//! Building temporal values: from strings, from maps of components (which may start
//! from another temporal value under `date`, `time` or `datetime`), from other temporal
//! values, and by truncation. Errors are plain messages; `exec::temporal` adds the span.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    Timelike, Utc,
};

use crate::graph::Value;
use crate::temporal::{self as text, Zone, localize};

use super::Kind;

type Result<T> = std::result::Result<T, String>;

const DATE_KEYS: [&str; 8] = [
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "ordinalDay",
    "quarter",
    "dayOfQuarter",
];
const TIME_KEYS: [&str; 6] = [
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
];

/// The components of a temporal map, checked and typed.
#[derive(Clone, Debug, Default)]
pub(super) struct Fields {
    ints: BTreeMap<&'static str, i64>,
    date: Option<Value>,
    time: Option<Value>,
    datetime: Option<Value>,
    timezone: Option<Zone>,
    /// `epochSeconds` or `epochMillis`, as nanoseconds since 1970-01-01T00:00Z.
    epoch_nanos: Option<i128>,
}

impl Fields {
    /// Reads a map such as `{year: 1984, week: 10, timezone: 'Europe/Stockholm'}`.
    pub(super) fn read(map: &BTreeMap<String, Value>) -> Result<Fields> {
        let mut fields = Fields::default();
        for (key, value) in map {
            if value.is_null() {
                continue;
            }
            let known = DATE_KEYS.iter().chain(&TIME_KEYS).find(|k| **k == key);
            match (key.as_str(), known, value) {
                (_, Some(k), Value::Int(i)) => {
                    fields.ints.insert(k, *i);
                }
                (_, Some(k), other) => {
                    return Err(format!(
                        "`{k}` must be an integer, not {}",
                        other.type_name()
                    ));
                }
                ("date", ..) => fields.date = Some(value.clone()),
                ("time", ..) => fields.time = Some(value.clone()),
                ("datetime", ..) => fields.datetime = Some(value.clone()),
                ("epochSeconds", _, Value::Int(i)) => {
                    fields.epoch_nanos = Some(i128::from(*i) * 1_000_000_000);
                }
                ("epochMillis", _, Value::Int(i)) => {
                    fields.epoch_nanos = Some(i128::from(*i) * 1_000_000);
                }
                ("timezone", _, Value::String(s)) => {
                    fields.timezone =
                        Some(Zone::parse(s).ok_or(format!("unknown time zone '{s}'"))?)
                }
                _ => return Err(format!("`{key}` is not a temporal component")),
            }
        }
        Ok(fields)
    }

    fn int(&self, key: &str) -> Option<i64> {
        self.ints.get(key).copied()
    }

    fn has(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.ints.contains_key(k))
    }

    /// Only a time zone: `datetime({timezone: 'Europe/Stockholm'})` means now, there.
    pub(super) fn only_timezone(&self) -> bool {
        self.timezone.is_some()
            && self.ints.is_empty()
            && self.date.is_none()
            && self.time.is_none()
            && self.datetime.is_none()
            && self.epoch_nanos.is_none()
    }

    pub(super) fn timezone(&self) -> Option<Zone> {
        self.timezone
    }
}

/// `kind` from a map of components (TCK Temporal1, Temporal3).
pub(super) fn from_map(kind: Kind, f: &Fields, now: DateTime<Utc>) -> Result<Value> {
    if let Some(nanos) = f.epoch_nanos {
        return from_epoch(kind, f, nanos);
    }
    let bases = [&f.date, &f.time, &f.datetime];
    let base_date = f.date.as_ref().or(f.datetime.as_ref()).map(date_of);
    let base_date = base_date.transpose()?;
    let base_time = f.time.as_ref().or(f.datetime.as_ref()).map(time_of);
    let base_time = base_time.transpose()?;
    // The zone the components are read in, when the base that gives the time has one.
    let time_base = f.time.as_ref().or(f.datetime.as_ref());
    let source = time_base.and_then(zone_of);
    if bases.iter().all(|b| b.is_none()) && !f.has(&DATE_KEYS) && !f.has(&TIME_KEYS) {
        return Err(format!("{} needs at least one component", kind.name()));
    }
    Ok(match kind {
        Kind::Date => Value::Date(required(build_date(f, base_date)?, "year")?),
        Kind::LocalTime => Value::LocalTime(required(build_time(f, base_time)?, "hour")?),
        Kind::Time => {
            let time = required(build_time(f, base_time)?, "hour")?;
            let source = time_base.and_then(offset_of);
            let target = f.timezone.map(|z| z.offset_at(&now.naive_utc()));
            let (time, offset) = match (source, target) {
                (Some(from), Some(to)) => (shift_offset(time, from, to), to),
                (Some(offset), None) | (None, Some(offset)) => (time, offset),
                (None, None) => (time, utc_offset()),
            };
            Value::Time(time, offset)
        }
        Kind::LocalDateTime => Value::LocalDateTime(local_datetime(f, base_date, base_time)?),
        Kind::DateTime => {
            let local = local_datetime(f, base_date, base_time)?;
            let zoned = match (source, f.timezone) {
                (Some(from), Some(to)) => localize(local, from).map(|d| d.with_timezone(&to)),
                (Some(zone), None) | (None, Some(zone)) => localize(local, zone),
                (None, None) => localize(local, Zone::utc()),
            };
            Value::DateTime(zoned.ok_or("the date-time is out of range")?)
        }
    })
}

/// `datetime({epochSeconds: 416779, nanosecond: 5, timezone: '+01:00'})`: an instant,
/// seen in the given zone (UTC by default).
fn from_epoch(kind: Kind, f: &Fields, nanos: i128) -> Result<Value> {
    let other_keys = f.date.is_some()
        || f.time.is_some()
        || f.datetime.is_some()
        || f.has(&DATE_KEYS)
        || f.has(&["hour", "minute", "second"]);
    if kind != Kind::DateTime || other_keys {
        return Err(
            "an epoch only goes with sub-second components and a time zone in datetime()".into(),
        );
    }
    let fraction = build_time(f, Some(NaiveTime::MIN))?.map_or(0, |t| t.nanosecond());
    let total = nanos + i128::from(fraction);
    let instant = i64::try_from(total.div_euclid(1_000_000_000))
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, total.rem_euclid(1_000_000_000) as u32))
        .ok_or("the instant is out of range")?;
    Ok(Value::DateTime(
        instant.with_timezone(&f.timezone.unwrap_or_else(Zone::utc)),
    ))
}

/// The zone a base value brings with it: its own for date-times, its offset for times.
fn zone_of(v: &Value) -> Option<Zone> {
    match v {
        Value::Time(_, o) => Some(Zone::Fixed(*o)),
        Value::DateTime(d) => Some(d.timezone()),
        _ => None,
    }
}

/// The offset a base value is in: a time's own, a date-time's at its instant.
fn offset_of(v: &Value) -> Option<FixedOffset> {
    match v {
        Value::Time(_, o) => Some(*o),
        Value::DateTime(d) => Some(d.offset().fix()),
        _ => None,
    }
}

fn date_of(v: &Value) -> Result<NaiveDate> {
    match v {
        Value::Date(d) => Ok(*d),
        Value::LocalDateTime(d) => Ok(d.date()),
        Value::DateTime(d) => Ok(d.naive_local().date()),
        other => Err(format!("cannot take a date from {}", other.type_name())),
    }
}

fn time_of(v: &Value) -> Result<NaiveTime> {
    match v {
        Value::LocalTime(t) | Value::Time(t, _) => Ok(*t),
        Value::LocalDateTime(d) => Ok(d.time()),
        Value::DateTime(d) => Ok(d.naive_local().time()),
        other => Err(format!("cannot take a time from {}", other.type_name())),
    }
}

fn required<T>(value: Option<T>, key: &str) -> Result<T> {
    value.ok_or_else(|| format!("`{key}` is required"))
}

fn local_datetime(
    f: &Fields,
    base_date: Option<NaiveDate>,
    base_time: Option<NaiveTime>,
) -> Result<NaiveDateTime> {
    let date = required(build_date(f, base_date)?, "year")?;
    let time = build_time(f, base_time)?.unwrap_or(NaiveTime::MIN);
    Ok(date.and_time(time))
}

/// The date the components name, each missing one taken from `base` in the same form
/// (calendar, week, ordinal or quarter); `None` when there are neither.
fn build_date(f: &Fields, base: Option<NaiveDate>) -> Result<Option<NaiveDate>> {
    let forms = [
        f.has(&["month", "day"]),
        f.has(&["week", "dayOfWeek"]),
        f.has(&["ordinalDay"]),
        f.has(&["quarter", "dayOfQuarter"]),
    ];
    if forms.iter().filter(|f| **f).count() > 1 {
        return Err("cannot mix calendar, week, ordinal and quarter components".into());
    }
    if base.is_none() && !f.has(&DATE_KEYS) {
        return Ok(None);
    }
    let pick = |key: &str, from_base: fn(NaiveDate) -> i64| {
        f.int(key).or(base.map(from_base)).unwrap_or(1)
    };
    let year = || -> Result<i32> {
        let year = f.int("year").or(base.map(|b| i64::from(b.year())));
        to_i32(required(year, "year")?)
    };
    let date = if forms[1] {
        let week_year = f
            .int("year")
            .or(base.map(|b| i64::from(b.iso_week().year())));
        let week = pick("week", |b| i64::from(b.iso_week().week()));
        let day = pick("dayOfWeek", |b| i64::from(b.weekday().number_from_monday()));
        let day = text::weekday(to_u32(day)?).ok_or("`dayOfWeek` must be 1 to 7")?;
        NaiveDate::from_isoywd_opt(to_i32(required(week_year, "year")?)?, to_u32(week)?, day)
    } else if forms[2] {
        NaiveDate::from_yo_opt(year()?, to_u32(pick("ordinalDay", |b| b.ordinal().into()))?)
    } else if forms[3] {
        let quarter = pick("quarter", |b| quarter(b).into());
        let day = pick("dayOfQuarter", |b| day_of_quarter(b).into());
        quarter_date(year()?, to_u32(quarter)?, to_u32(day)?)
    } else {
        let month = to_u32(pick("month", |b| b.month().into()))?;
        let year = year()?;
        let day = match (f.int("day"), base) {
            (Some(d), _) => to_u32(d)?,
            // A day taken from the base is clamped to the new month, as Java's `withMonth`.
            (None, Some(b)) => b.day().min(days_in_month(year, month).unwrap_or(31)),
            (None, None) => 1,
        };
        NaiveDate::from_ymd_opt(year, month, day)
    };
    date.map(Some)
        .ok_or_else(|| "the date components name no valid date".into())
}

/// The time the components name, missing ones from `base` (or zero); the sub-second
/// components, when any is given, replace the base's fraction as a whole.
fn build_time(f: &Fields, base: Option<NaiveTime>) -> Result<Option<NaiveTime>> {
    if base.is_none() && !f.has(&TIME_KEYS) {
        return Ok(None);
    }
    let pick = |key: &str, from_base: fn(NaiveTime) -> u32| {
        f.int(key)
            .unwrap_or(base.map_or(0, |b| i64::from(from_base(b))))
    };
    let nanos = if f.has(&["millisecond", "microsecond", "nanosecond"]) {
        let part = |key: &str, limit: i64| match f.int(key) {
            Some(v) if !(0..limit).contains(&v) => Err(format!("`{key}` is out of range")),
            v => Ok(v.unwrap_or(0)),
        };
        part("millisecond", 1_000)? * 1_000_000
            + part("microsecond", 1_000_000)? * 1_000
            + part("nanosecond", 1_000_000_000)?
    } else {
        base.map_or(0, |b| i64::from(b.nanosecond()))
    };
    if !(0..1_000_000_000).contains(&nanos) {
        return Err("the sub-second components add up to more than a second".into());
    }
    let (hour, minute, second) = (
        pick("hour", |b| b.hour()),
        pick("minute", |b| b.minute()),
        pick("second", |b| b.second()),
    );
    NaiveTime::from_hms_nano_opt(
        to_u32(hour)?,
        to_u32(minute)?,
        to_u32(second)?,
        nanos as u32,
    )
    .map(Some)
    .ok_or_else(|| "the time components name no valid time".into())
}

fn to_u32(i: i64) -> Result<u32> {
    u32::try_from(i).map_err(|_| format!("{i} is out of range"))
}

fn to_i32(i: i64) -> Result<i32> {
    i32::try_from(i).map_err(|_| format!("{i} is out of range"))
}

/// The quarter of the year, 1 to 4.
pub(super) fn quarter(d: NaiveDate) -> u32 {
    d.month0() / 3 + 1
}

/// The day within the quarter, from 1.
pub(super) fn day_of_quarter(d: NaiveDate) -> u32 {
    let start = NaiveDate::from_ymd_opt(d.year(), (quarter(d) - 1) * 3 + 1, 1).unwrap_or(d);
    (d - start).num_days() as u32 + 1
}

fn quarter_date(year: i32, quarter: u32, day: u32) -> Option<NaiveDate> {
    if !(1..=4).contains(&quarter) || day == 0 {
        return None;
    }
    let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
    let date = start.checked_add_days(chrono::Days::new(u64::from(day - 1)))?;
    (self::quarter(date) == quarter && date.year() == year).then_some(date)
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((next - first).num_days() as u32)
}

fn utc_offset() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero is a valid offset")
}

/// A time of day moved from one offset to another, keeping the instant.
fn shift_offset(t: NaiveTime, from: FixedOffset, to: FixedOffset) -> NaiveTime {
    let delta = i64::from(to.local_minus_utc() - from.local_minus_utc());
    t.overflowing_add_signed(TimeDelta::seconds(delta)).0
}

// ── From strings and other values ──

/// `kind` read from its ISO 8601 text (TCK Temporal2).
pub(super) fn from_string(kind: Kind, s: &str, now: DateTime<Utc>) -> Result<Value> {
    let bad = || format!("cannot read a {} from '{s}'", kind.name());
    Ok(match kind {
        Kind::Date => Value::Date(text::parse_iso_date(s).ok_or_else(bad)?),
        Kind::LocalTime => Value::LocalTime(text::parse_iso_time(s).ok_or_else(bad)?),
        Kind::Time => {
            let (time, zone) = text::parse_zoned_time(s).ok_or_else(bad)?;
            let offset = match (zone.offset, zone.named) {
                (Some(o), _) => o,
                (None, Some(z)) => z.offset_at(&now.naive_utc()),
                (None, None) => utc_offset(),
            };
            Value::Time(time, offset)
        }
        Kind::LocalDateTime => {
            Value::LocalDateTime(text::parse_iso_local_datetime(s).ok_or_else(bad)?)
        }
        Kind::DateTime => {
            let (local, zone) = text::parse_zoned_datetime(s).ok_or_else(bad)?;
            let zoned = match (zone.named, zone.offset) {
                (Some(named), Some(offset)) => {
                    text::localize_preferring(local, named, Some(offset))
                }
                _ => localize(local, zone.zone().unwrap_or_else(Zone::utc)),
            };
            Value::DateTime(zoned.ok_or_else(bad)?)
        }
    })
}

/// `kind` made from another temporal value: `date(datetime)`, `time(localtime)` (TCK
/// Temporal3: the parts the new type lacks are dropped, a missing zone is UTC).
pub(super) fn from_value(kind: Kind, v: &Value) -> Result<Value> {
    let local = match v {
        Value::LocalDateTime(d) => Some(*d),
        Value::DateTime(d) => Some(d.naive_local()),
        _ => None,
    };
    Ok(match (kind, v) {
        (Kind::Date, Value::Date(d)) => Value::Date(*d),
        (Kind::Date, _) if local.is_some() => {
            Value::Date(local.map(|l| l.date()).unwrap_or_default())
        }
        (Kind::LocalTime, Value::LocalTime(t) | Value::Time(t, _)) => Value::LocalTime(*t),
        (Kind::LocalTime, _) if local.is_some() => {
            Value::LocalTime(local.map(|l| l.time()).unwrap_or_default())
        }
        (Kind::Time, Value::Time(..)) => v.clone(),
        (Kind::Time, Value::LocalTime(t)) => Value::Time(*t, utc_offset()),
        (Kind::Time, Value::LocalDateTime(d)) => Value::Time(d.time(), utc_offset()),
        (Kind::Time, Value::DateTime(d)) => Value::Time(d.naive_local().time(), d.offset().fix()),
        (Kind::LocalDateTime, Value::Date(d)) => Value::LocalDateTime(d.and_time(NaiveTime::MIN)),
        (Kind::LocalDateTime, _) if local.is_some() => {
            Value::LocalDateTime(local.unwrap_or_default())
        }
        (Kind::DateTime, Value::DateTime(_)) => v.clone(),
        (Kind::DateTime, Value::LocalDateTime(d)) => {
            Value::DateTime(localize(*d, Zone::utc()).ok_or("the date-time is out of range")?)
        }
        (Kind::DateTime, Value::Date(d)) => Value::DateTime(
            localize(d.and_time(NaiveTime::MIN), Zone::utc())
                .ok_or("the date-time is out of range")?,
        ),
        (_, other) => {
            return Err(format!(
                "cannot make a {} from {}",
                kind.name(),
                other.type_name()
            ));
        }
    })
}

// ── Truncation ──

/// The units `*.truncate` accepts, largest first; those from `Day` down also apply to times.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Millennium,
    Century,
    Decade,
    Year,
    WeekYear,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
}

impl Unit {
    fn parse(name: &str) -> Option<Unit> {
        Some(match name {
            "millennium" => Unit::Millennium,
            "century" => Unit::Century,
            "decade" => Unit::Decade,
            "year" => Unit::Year,
            "weekYear" => Unit::WeekYear,
            "quarter" => Unit::Quarter,
            "month" => Unit::Month,
            "week" => Unit::Week,
            "day" => Unit::Day,
            "hour" => Unit::Hour,
            "minute" => Unit::Minute,
            "second" => Unit::Second,
            "millisecond" => Unit::Millisecond,
            "microsecond" => Unit::Microsecond,
            _ => return None,
        })
    }
}

/// `kind.truncate(unit, value, fields)` (TCK Temporal9): `value` cut down to the start of
/// its `unit`, then the components in `fields` set; a `timezone` there replaces the zone
/// and keeps the local time.
pub(super) fn truncate(
    kind: Kind,
    unit: &str,
    v: &Value,
    fields: &Fields,
    now: DateTime<Utc>,
) -> Result<Value> {
    let name = unit;
    let unit = Unit::parse(unit).ok_or_else(|| format!("unknown truncation unit '{unit}'"))?;
    let (date, time, zone) = parts_of(v)?;
    let has_date = matches!(kind, Kind::Date | Kind::LocalDateTime | Kind::DateTime);
    if has_date && date.is_none() {
        return Err(format!(
            "cannot truncate a {} to a {}",
            v.type_name(),
            kind.name()
        ));
    }
    if (kind == Kind::Date && unit > Unit::Day) || (!has_date && unit < Unit::Day) {
        return Err(format!("a {} cannot be truncated to a {name}", kind.name()));
    }
    let date = date.map(|d| truncate_date(d, unit)).transpose()?;
    let time = truncate_time(time.unwrap_or(NaiveTime::MIN), unit);
    let fields = carry_subseconds(fields, unit, time);
    let date = build_date(&fields, date)?;
    let time = build_time(&fields, Some(time))?.unwrap_or(NaiveTime::MIN);
    let zone = fields.timezone.or(zone).unwrap_or_else(Zone::utc);
    Ok(match kind {
        Kind::Date => Value::Date(required(date, "year")?),
        Kind::LocalTime => Value::LocalTime(time),
        Kind::Time => {
            let offset = match (v, fields.timezone) {
                (Value::DateTime(d), None) => d.offset().fix(),
                _ => zone.offset_at(&now.naive_utc()),
            };
            Value::Time(time, offset)
        }
        Kind::LocalDateTime => Value::LocalDateTime(required(date, "year")?.and_time(time)),
        Kind::DateTime => Value::DateTime(
            localize(required(date, "year")?.and_time(time), zone)
                .ok_or("the date-time is out of range")?,
        ),
    })
}

/// A temporal value's local date, local time and zone, those it has.
type Parts = (Option<NaiveDate>, Option<NaiveTime>, Option<Zone>);

fn parts_of(v: &Value) -> Result<Parts> {
    Ok(match v {
        Value::Date(d) => (Some(*d), None, None),
        Value::LocalTime(t) => (None, Some(*t), None),
        Value::Time(t, o) => (None, Some(*t), Some(Zone::Fixed(*o))),
        Value::LocalDateTime(d) => (Some(d.date()), Some(d.time()), None),
        Value::DateTime(d) => (
            Some(d.naive_local().date()),
            Some(d.naive_local().time()),
            Some(d.timezone()),
        ),
        other => return Err(format!("cannot truncate {}", other.type_name())),
    })
}

fn truncate_date(d: NaiveDate, unit: Unit) -> Result<NaiveDate> {
    let year = d.year();
    let first_of = |year: i32, month: u32| NaiveDate::from_ymd_opt(year, month, 1);
    let date = match unit {
        Unit::Millennium => first_of(year - year.rem_euclid(1000), 1),
        Unit::Century => first_of(year - year.rem_euclid(100), 1),
        Unit::Decade => first_of(year - year.rem_euclid(10), 1),
        Unit::Year => first_of(year, 1),
        Unit::WeekYear => NaiveDate::from_isoywd_opt(d.iso_week().year(), 1, chrono::Weekday::Mon),
        Unit::Quarter => first_of(year, (quarter(d) - 1) * 3 + 1),
        Unit::Month => first_of(year, d.month()),
        Unit::Week => {
            d.checked_sub_days(chrono::Days::new(d.weekday().num_days_from_monday().into()))
        }
        _ => Some(d),
    };
    date.ok_or_else(|| "the truncated date is out of range".into())
}

fn truncate_time(t: NaiveTime, unit: Unit) -> NaiveTime {
    let (h, m, s, n) = (t.hour(), t.minute(), t.second(), t.nanosecond());
    let kept = match unit {
        Unit::Hour => (h, 0, 0, 0),
        Unit::Minute => (h, m, 0, 0),
        Unit::Second => (h, m, s, 0),
        Unit::Millisecond => (h, m, s, n - n % 1_000_000),
        Unit::Microsecond => (h, m, s, n - n % 1_000),
        _ => (0, 0, 0, 0),
    };
    NaiveTime::from_hms_nano_opt(kept.0, kept.1, kept.2, kept.3).unwrap_or(NaiveTime::MIN)
}

/// Truncating to milliseconds (microseconds) keeps them: smaller components given in
/// the map add to what was kept instead of replacing the whole fraction, as Neo4j's
/// `updateFieldMapWithConflictingSubseconds`.
fn carry_subseconds(fields: &Fields, unit: Unit, truncated: NaiveTime) -> Fields {
    let mut fields = fields.clone();
    let kept = i64::from(truncated.nanosecond());
    let smaller: &[&str] = match unit {
        Unit::Millisecond => &["microsecond", "nanosecond"],
        Unit::Microsecond => &["nanosecond"],
        _ => return fields,
    };
    if !fields.has(smaller) || fields.has(&["millisecond"]) {
        return fields;
    }
    let micros = fields.ints.remove("microsecond").unwrap_or(0);
    let nanos = fields.ints.remove("nanosecond").unwrap_or(0);
    fields
        .ints
        .insert("nanosecond", kept + micros * 1_000 + nanos);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Fields {
        let m: BTreeMap<String, Value> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Fields::read(&m).unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text::parse_iso_date(text).unwrap()
    }

    #[test]
    fn week_dates_take_missing_parts_from_the_base_week() {
        let f = map(&[("week", Value::Int(2)), ("dayOfWeek", Value::Int(3))]);
        assert_eq!(
            build_date(&f, Some(date("1816-12-30"))).unwrap(),
            Some(date("1817-01-08"))
        );
        // The base is a Tuesday: week 2 of 1817 keeps the weekday.
        let f = map(&[("week", Value::Int(2))]);
        assert_eq!(
            build_date(&f, Some(date("1816-12-31"))).unwrap(),
            Some(date("1817-01-07"))
        );
        let f = map(&[("year", Value::Int(1984)), ("week", Value::Int(10))]);
        assert_eq!(build_date(&f, None).unwrap(), Some(date("1984-03-05")));
    }

    #[test]
    fn quarters_and_ordinal_days_keep_the_base_position() {
        let base = Some(date("1984-11-11"));
        let f = map(&[("quarter", Value::Int(3))]);
        assert_eq!(build_date(&f, base).unwrap(), Some(date("1984-08-11")));
        let f = map(&[("ordinalDay", Value::Int(28))]);
        assert_eq!(build_date(&f, base).unwrap(), Some(date("1984-01-28")));
        let f = map(&[("year", Value::Int(28))]);
        assert_eq!(build_date(&f, base).unwrap(), Some(date("0028-11-11")));
    }

    #[test]
    fn epochs_name_an_instant() {
        let f = map(&[
            ("epochSeconds", Value::Int(416_779)),
            ("nanosecond", Value::Int(999_999_999)),
        ]);
        let v = from_map(Kind::DateTime, &f, Utc::now()).unwrap();
        let Value::DateTime(d) = v else { panic!() };
        assert_eq!(text::format_datetime(&d), "1970-01-05T19:46:19.999999999Z");
        let f = map(&[("epochMillis", Value::Int(1)), ("hour", Value::Int(1))]);
        assert!(from_map(Kind::DateTime, &f, Utc::now()).is_err());
    }

    #[test]
    fn mixed_date_forms_are_rejected() {
        let f = map(&[
            ("year", Value::Int(1984)),
            ("week", Value::Int(1)),
            ("month", Value::Int(2)),
        ]);
        assert!(build_date(&f, None).is_err());
    }

    #[test]
    fn truncation_starts_each_unit() {
        let d = date("1984-02-01");
        assert_eq!(
            truncate_date(d, Unit::WeekYear).unwrap(),
            date("1984-01-02")
        );
        assert_eq!(
            truncate_date(date("1984-01-01"), Unit::WeekYear).unwrap(),
            date("1983-01-03")
        );
        assert_eq!(
            truncate_date(date("2017-10-11"), Unit::Millennium).unwrap(),
            date("2000-01-01")
        );
        assert_eq!(
            truncate_date(date("1984-11-11"), Unit::Quarter).unwrap(),
            date("1984-10-01")
        );
        assert_eq!(
            truncate_date(date("1984-10-11"), Unit::Week).unwrap(),
            date("1984-10-08")
        );
    }

    #[test]
    fn truncating_to_milliseconds_keeps_them_under_smaller_fields() {
        let t = NaiveTime::from_hms_nano_opt(12, 31, 14, 645_876_123).unwrap();
        let f = map(&[("nanosecond", Value::Int(2))]);
        let kept = truncate_time(t, Unit::Millisecond);
        let f = carry_subseconds(&f, Unit::Millisecond, kept);
        let t = build_time(&f, Some(kept)).unwrap().unwrap();
        assert_eq!(t.nanosecond(), 645_000_002);
    }
}
