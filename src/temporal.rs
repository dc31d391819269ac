//! Temporal values as text: reading the ISO 8601 forms that Cypher's temporal functions
//! and the loader accept, building durations from their parts, and printing dates,
//! times, date-times and durations the way Cypher prints them (seconds only when not
//! zero, `Z` for UTC, named zones in brackets). Evaluation lives in `exec::temporal`.

mod duration;
pub mod partial;
mod zone;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

pub use duration::Duration;
pub use partial::PartialDate;
pub use zone::{Zone, ZoneOffset, localize, localize_preferring, parse_offset};

// ── Loader forms ──

/// Parses `YYYY-MM-DD`, or the partial forms `YYYY-MM` and `YYYY` (meaning the first day).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (year, month, day) = match parts.as_slice() {
        [y] => (number(y, 4)?, 1, 1),
        [y, m] => (number(y, 4)?, number(m, 2)?, 1),
        [y, m, d] => (number(y, 4)?, number(m, 2)?, number(d, 2)?),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// Parses an RFC 3339 date-time (`2018-03-17T10:00:00Z`, `2018-03-17T10:00:00+01:00`).
pub fn parse_datetime(text: &str) -> Option<DateTime<Zone>> {
    DateTime::parse_from_rfc3339(text).ok().map(with_fixed_zone)
}

/// A date-time with a fixed offset as one whose zone is that offset.
pub fn with_fixed_zone(d: DateTime<FixedOffset>) -> DateTime<Zone> {
    d.with_timezone(&Zone::Fixed(*d.offset()))
}

// ── Cypher's ISO 8601 forms ──

/// The zone written after a time: an offset, a bracketed zone name, both, or neither.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct ZoneText {
    pub offset: Option<FixedOffset>,
    pub named: Option<Zone>,
}

impl ZoneText {
    /// The zone a date-time takes: the named zone if any, else the offset.
    pub fn zone(self) -> Option<Zone> {
        self.named.or(self.offset.map(Zone::Fixed))
    }
}

/// Reads a date: `2015-07-21`, `20150721`, `2015-07`, `201507`, `2015-W30-2`, `2015W302`,
/// `2015-W30`, `2015W30`, `2015-202`, `2015202` or `2015` (TCK Temporal2 [1]).
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let (year, rest) = split_year(text)?;
    if rest.is_empty() {
        return NaiveDate::from_ymd_opt(year, 1, 1);
    }
    let (dashed, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if let Some(week) = rest.strip_prefix('W') {
        let (week, day) = (digits(week.get(..2)?)?, week.get(2..)?);
        let day = match (dashed, day) {
            (_, "") => 1,
            (true, d) => digits(d.strip_prefix('-')?)?,
            (false, d) => digits(d)?,
        };
        return NaiveDate::from_isoywd_opt(year, week, weekday(day)?);
    }
    let parts: Vec<&str> = if dashed {
        rest.split('-').collect()
    } else {
        match rest.len() {
            2 | 3 => vec![rest],
            4 => vec![&rest[..2], &rest[2..]],
            _ => return None,
        }
    };
    match parts.as_slice() {
        [m] if m.len() == 2 => NaiveDate::from_ymd_opt(year, digits(m)?, 1),
        [o] if o.len() == 3 => NaiveDate::from_yo_opt(year, digits(o)?),
        [m, d] if m.len() == 2 && d.len() == 2 => {
            NaiveDate::from_ymd_opt(year, digits(m)?, digits(d)?)
        }
        _ => None,
    }
}

/// Reads a local time: `21:40:32.142`, `214032.142`, `21:40:32`, `214032`, `21:40`,
/// `2140` or `21` (TCK Temporal2 [2]).
pub fn parse_iso_time(text: &str) -> Option<NaiveTime> {
    let (main, fraction) = match text.find(['.', ',']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let parts: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        (0..main.len())
            .step_by(2)
            .map(|i| main.get(i..i + 2))
            .collect::<Option<_>>()?
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let field = |i: usize| parts.get(i).map_or(Some(0), |p| digits(p));
    let nanos = match fraction {
        None => 0,
        Some(f) if parts.len() == 3 && (1..=9).contains(&f.len()) => {
            digits(f)? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    NaiveTime::from_hms_nano_opt(field(0)?, field(1)?, field(2)?, nanos)
}

/// Reads a time with an optional zone: `21:40:32.142+0100`, `214032.142Z`, `2140-02`,
/// `12:00[Europe/Stockholm]` (TCK Temporal2 [3]).
pub fn parse_zoned_time(text: &str) -> Option<(NaiveTime, ZoneText)> {
    let (time, zone) = split_zone(text)?;
    Some((parse_iso_time(time)?, zone))
}

/// Reads a local date-time, `<date>T<time>` with any of the forms above; a date alone
/// means midnight.
pub fn parse_iso_local_datetime(text: &str) -> Option<NaiveDateTime> {
    match text.split_once('T') {
        Some((date, time)) => Some(parse_iso_date(date)?.and_time(parse_iso_time(time)?)),
        None => Some(parse_iso_date(text)?.and_time(NaiveTime::MIN)),
    }
}

/// Reads a date-time with an optional zone: `2015-07-21T21:40:32.142+0100`,
/// `2015-W30T2140-02`, `2015-07-21T21:40:32.142[Europe/London]` (TCK Temporal2 [5], [6]).
pub fn parse_zoned_datetime(text: &str) -> Option<(NaiveDateTime, ZoneText)> {
    match text.split_once('T') {
        Some((date, rest)) => {
            let (time, zone) = parse_zoned_time(rest)?;
            Some((parse_iso_date(date)?.and_time(time), zone))
        }
        None => Some((
            parse_iso_date(text)?.and_time(NaiveTime::MIN),
            ZoneText::default(),
        )),
    }
}

/// Splits a trailing zone (`Z`, `+01:00`, `[Europe/Stockholm]`, `+02:00[Europe/Stockholm]`)
/// off the time text before it.
fn split_zone(text: &str) -> Option<(&str, ZoneText)> {
    let start = text.find(['Z', '+', '-', '[']).unwrap_or(text.len());
    let (time, zone) = text.split_at(start);
    let (offset, name) = match zone.find('[') {
        Some(i) => (&zone[..i], Some(zone[i + 1..].strip_suffix(']')?)),
        None => (zone, None),
    };
    let offset = match offset {
        "" => None,
        o => Some(parse_offset(o)?),
    };
    let named = match name {
        Some(n) => Some(Zone::Named(n.parse().ok()?)),
        None => None,
    };
    Some((time, ZoneText { offset, named }))
}

/// A year of four digits, or signed with up to nine (`+2015`, `-999999999`), and the rest.
fn split_year(text: &str) -> Option<(i32, &str)> {
    if let Some(signed) = text.strip_prefix(['+', '-']) {
        let len = signed.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        let year: i32 = signed[..len].parse().ok()?;
        let year = if text.starts_with('-') { -year } else { year };
        return Some((year, &signed[len..]));
    }
    Some((digits(text.get(..4)?)? as i32, &text[4..]))
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// ISO day of the week, 1 (Monday) to 7 (Sunday).
pub fn weekday(day: u32) -> Option<Weekday> {
    (1..=7)
        .contains(&day)
        .then(|| Weekday::try_from((day - 1) as u8).ok())
        .flatten()
}

// ── Durations ──

/// A number as written in a duration map or string: integers stay exact.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Amount {
    Int(i64),
    Float(f64),
}

/// Duration units, the bucket (months, days, seconds, nanoseconds) each adds to, and
/// how many of the bucket's unit it holds.
const DURATION_UNITS: [(&str, usize, i64); 10] = [
    ("years", 0, 12),
    ("months", 0, 1),
    ("weeks", 1, 7),
    ("days", 1, 1),
    ("hours", 2, 3600),
    ("minutes", 2, 60),
    ("seconds", 2, 1),
    ("milliseconds", 3, 1_000_000),
    ("microseconds", 3, 1_000),
    ("nanoseconds", 3, 1),
];

/// Collects `years`, `months`, ... `nanoseconds` and builds the duration they add up to.
/// Integers add exactly; a fraction anywhere makes the whole sum cascade down as Neo4j's
/// `DurationValue.approximate` does (a month is 30.436875 days, TCK Temporal1 [12]).
#[derive(Clone, Debug, Default)]
pub struct DurationBuilder {
    exact: [i128; 4],
    approx: [f64; 4],
    fractional: bool,
}

impl DurationBuilder {
    /// Adds `amount` of `unit`; `None` when `unit` is not a duration unit.
    pub fn add(&mut self, unit: &str, amount: Amount) -> Option<()> {
        let &(_, bucket, factor) = DURATION_UNITS.iter().find(|(name, ..)| *name == unit)?;
        match amount {
            Amount::Int(i) => {
                self.exact[bucket] += i128::from(i) * i128::from(factor);
                self.approx[bucket] += i as f64 * factor as f64;
            }
            Amount::Float(f) => {
                self.fractional = true;
                self.approx[bucket] += f * factor as f64;
            }
        }
        Some(())
    }

    /// The duration; `None` when it does not fit.
    pub fn build(&self) -> Option<Duration> {
        if self.fractional {
            let [m, d, s, n] = self.approx;
            approximate(m, d, s, n)
        } else {
            let [m, d, s, n] = self.exact;
            duration(i64::try_from(m).ok()?, i64::try_from(d).ok()?, s, n)
        }
    }
}

/// A duration with its seconds and nanoseconds normalised (nanoseconds in `0..1e9`).
pub fn duration(months: i64, days: i64, seconds: i128, nanos: i128) -> Option<Duration> {
    let total = seconds.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    Some(Duration {
        months,
        days,
        seconds: i64::try_from(total.div_euclid(1_000_000_000)).ok()?,
        nanos: total.rem_euclid(1_000_000_000) as i32,
    })
}

/// Neo4j's `DurationValue.approximate`: whole units stay, each fraction moves to the next
/// smaller unit (a month being 30.436875 days), nanoseconds are truncated.
pub fn approximate(months: f64, days: f64, seconds: f64, nanos: f64) -> Option<Duration> {
    const NANOS_PER_MONTH: f64 = 2_629_746_000_000_000.0;
    const NANOS_PER_DAY: f64 = 86_400_000_000_000.0;
    const NANOS_PER_SECOND: f64 = 1_000_000_000.0;
    let whole_months = months.trunc();
    let days = days + (NANOS_PER_MONTH * months - NANOS_PER_MONTH * whole_months) / NANOS_PER_DAY;
    let whole_days = days.trunc();
    let seconds = seconds + (NANOS_PER_DAY * days - NANOS_PER_DAY * whole_days) / NANOS_PER_SECOND;
    let whole_seconds = seconds.trunc();
    let nanos = nanos + (NANOS_PER_SECOND * seconds - NANOS_PER_SECOND * whole_seconds);
    let whole = |f: f64| (f.is_finite() && f.abs() < 9.2e18).then_some(f as i64);
    duration(
        whole(whole_months)?,
        whole(whole_days)?,
        whole(whole_seconds)?.into(),
        whole(nanos.trunc())?.into(),
    )
}

/// Reads an ISO 8601 duration: `P1Y2M10DT12H45M30.25S`, `P5M1.5D`, `P2.5W`, `PT-1.5S`, or
/// the date-time form `P2012-02-02T14:37:21.545` (TCK Temporal2 [7]).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = text.strip_prefix('P')?;
    let mut builder = DurationBuilder::default();
    let datetime_form = rest.len() > 4
        && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && rest.as_bytes()[4] == b'-';
    if datetime_form {
        duration_datetime_form(rest, &mut builder)?;
    } else {
        let (date, time) = match rest.split_once('T') {
            Some((d, t)) if !t.is_empty() => (d, Some(t)),
            Some(_) => return None,
            None if rest.is_empty() => return None,
            None => (rest, None),
        };
        duration_designators(date, &['Y', 'M', 'W', 'D'], &mut builder)?;
        duration_designators(time.unwrap_or(""), &['H', 'M', 'S'], &mut builder)?;
    }
    let d = builder.build()?;
    if negative {
        duration(
            d.months.checked_neg()?,
            d.days.checked_neg()?,
            -i128::from(d.seconds),
            -i128::from(d.nanos),
        )
    } else {
        Some(d)
    }
}

/// `1Y2M`, `12H45M30.25S`: numbers each followed by one of `designators`, in that order.
fn duration_designators(text: &str, designators: &[char], b: &mut DurationBuilder) -> Option<()> {
    let mut rest = text;
    let mut next = 0;
    while !rest.is_empty() {
        let end = rest.find(|c: char| c.is_ascii_alphabetic())?;
        let (number, designator) = (&rest[..end], rest[end..].chars().next()?);
        let at = next + designators[next..].iter().position(|d| *d == designator)?;
        next = at + 1;
        let unit = match (designators.len(), designator) {
            (4, 'Y') => "years",
            (4, 'M') => "months",
            (4, 'W') => "weeks",
            (4, 'D') => "days",
            (_, 'H') => "hours",
            (_, 'M') => "minutes",
            _ => "seconds",
        };
        if unit == "seconds" {
            let (seconds, nanos) = exact_seconds(number)?;
            b.add("seconds", Amount::Int(seconds))?;
            b.add("nanoseconds", Amount::Int(nanos))?;
        } else {
            b.add(unit, decimal(number)?)?;
        }
        rest = &rest[end + 1..];
    }
    Some(())
}

/// The `2012-02-02T14:37:21.545` form of a duration.
fn duration_datetime_form(text: &str, b: &mut DurationBuilder) -> Option<()> {
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let date: Vec<&str> = date.split('-').collect();
    let [years, months, days] = date.as_slice() else {
        return None;
    };
    for (unit, n) in [("years", years), ("months", months), ("days", days)] {
        b.add(unit, Amount::Int(i64::from(digits(n)?)))?;
    }
    if time.is_empty() {
        return Some(());
    }
    let parts: Vec<&str> = time.split(':').collect();
    let [hours, minutes, seconds] = parts.as_slice() else {
        return None;
    };
    b.add("hours", Amount::Int(i64::from(digits(hours)?)))?;
    b.add("minutes", Amount::Int(i64::from(digits(minutes)?)))?;
    let (seconds, nanos) = exact_seconds(seconds)?;
    b.add("seconds", Amount::Int(seconds))?;
    b.add("nanoseconds", Amount::Int(nanos))
}

/// `-1.5` as whole seconds and nanoseconds of the same sign: `(-1, -500000000)`.
fn exact_seconds(text: &str) -> Option<(i64, i64)> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = match unsigned.split_once(['.', ',']) {
        Some((w, f)) if (1..=9).contains(&f.len()) => (w, f),
        Some(_) => return None,
        None => (unsigned, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        i64::from(digits(fraction)?) * 10i64.pow(9 - fraction.len() as u32)
    };
    Some(if negative {
        (-seconds, -nanos)
    } else {
        (seconds, nanos)
    })
}

/// `12`, `-3`, `1.5`, `0,75` as an amount.
fn decimal(text: &str) -> Option<Amount> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    if body.contains(['.', ',']) {
        text.replace(',', ".").parse().ok().map(Amount::Float)
    } else {
        text.parse().ok().map(Amount::Int)
    }
}

// ── Printing ──

fn format_fraction(nanos: u32) -> String {
    if nanos == 0 {
        String::new()
    } else {
        let digits = format!("{nanos:09}");
        format!(".{}", digits.trim_end_matches('0'))
    }
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`.
pub fn format_time(t: &NaiveTime) -> String {
    let nanos = t.nanosecond();
    if t.second() == 0 && nanos == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!(
            "{:02}:{:02}:{:02}{}",
            t.hour(),
            t.minute(),
            t.second(),
            format_fraction(nanos)
        )
    }
}

/// `Z` for UTC, otherwise `+HH:MM`, or `+HH:MM:SS` when the offset has seconds.
pub fn format_offset(o: &FixedOffset) -> String {
    let secs = o.local_minus_utc();
    if secs == 0 {
        return "Z".to_string();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.abs();
    if abs % 60 != 0 {
        format!(
            "{sign}{:02}:{:02}:{:02}",
            abs / 3600,
            (abs / 60) % 60,
            abs % 60
        )
    } else {
        format!("{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60)
    }
}

/// `YYYY-MM-DD`; years outside 0 to 9999 carry a sign (`+10000-01-01`, `-0001-01-01`).
pub fn format_date(d: &NaiveDate) -> String {
    use chrono::Datelike;
    let year = d.year();
    if (0..=9999).contains(&year) {
        format!("{year:04}-{:02}-{:02}", d.month(), d.day())
    } else {
        format!("{year:+05}-{:02}-{:02}", d.month(), d.day())
    }
}

/// `YYYY-MM-DDTHH:MM[:SS[.fff]]`.
pub fn format_local_datetime(d: &NaiveDateTime) -> String {
    format!("{}T{}", format_date(&d.date()), format_time(&d.time()))
}

/// A date-time with its offset, and the zone's name in brackets for named zones:
/// `2015-07-21T20:40:32.142+01:00`, `1984-10-11T12:31+01:00[Europe/Stockholm]`.
pub fn format_datetime(d: &DateTime<Zone>) -> String {
    use chrono::Offset;
    let mut out = format_local_datetime(&d.naive_local());
    out.push_str(&format_offset(&d.offset().fix()));
    if let Some(name) = d.timezone().name() {
        out.push('[');
        out.push_str(name);
        out.push(']');
    }
    out
}

/// A zone as the `timezone` accessor gives it: the name, or the offset.
pub fn format_zone(zone: Zone) -> String {
    match zone {
        Zone::Fixed(o) => format_offset(&o),
        Zone::Named(tz) => tz.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn partial_dates_mean_the_first_day() {
        assert_eq!(parse_date("2018"), ymd(2018, 1, 1));
        assert_eq!(parse_date("2018-03"), ymd(2018, 3, 1));
        assert_eq!(parse_date("2018-03-17"), ymd(2018, 3, 17));
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for bad in [
            "18",
            "2018-3",
            "2018-02-30",
            "2018/03/17",
            "",
            "2018-03-17-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_dates_parse_in_calendar_week_and_ordinal_forms() {
        for (text, expected) in [
            ("2015-07-21", ymd(2015, 7, 21)),
            ("20150721", ymd(2015, 7, 21)),
            ("2015-07", ymd(2015, 7, 1)),
            ("201507", ymd(2015, 7, 1)),
            ("2015-W30-2", ymd(2015, 7, 21)),
            ("2015W302", ymd(2015, 7, 21)),
            ("2015-W30", ymd(2015, 7, 20)),
            ("2015W30", ymd(2015, 7, 20)),
            ("2015-202", ymd(2015, 7, 21)),
            ("2015202", ymd(2015, 7, 21)),
            ("2015", ymd(2015, 1, 1)),
            ("+2015-07-21", ymd(2015, 7, 21)),
        ] {
            assert_eq!(parse_iso_date(text), expected, "{text}");
        }
    }

    #[test]
    fn week_dates_belong_to_the_iso_week_year() {
        // Week 1 of 1817 starts on Monday 1816-12-30 (TCK Temporal1 [1]).
        assert_eq!(parse_iso_date("1817-W01"), ymd(1816, 12, 30));
        assert_eq!(parse_iso_date("1818-W53"), ymd(1818, 12, 28));
        assert_eq!(parse_iso_date("1817-W53"), None);
    }

    #[test]
    fn times_parse_with_and_without_separators() {
        let t = |h, m, s, n| NaiveTime::from_hms_nano_opt(h, m, s, n);
        assert_eq!(parse_iso_time("21:40:32.142"), t(21, 40, 32, 142_000_000));
        assert_eq!(parse_iso_time("214032.142"), t(21, 40, 32, 142_000_000));
        assert_eq!(parse_iso_time("2140"), t(21, 40, 0, 0));
        assert_eq!(parse_iso_time("21"), t(21, 0, 0, 0));
        assert_eq!(parse_iso_time("21:40.5"), None);
        let (time, zone) = parse_zoned_time("2140-02").unwrap();
        assert_eq!(time, t(21, 40, 0, 0).unwrap());
        assert_eq!(zone.offset, FixedOffset::east_opt(-7200));
    }

    #[test]
    fn datetimes_keep_named_zones() {
        let (local, zone) = parse_zoned_datetime("2015-07-21T21:40:32.142[Europe/London]").unwrap();
        assert_eq!(format_local_datetime(&local), "2015-07-21T21:40:32.142");
        let d = localize(local, zone.zone().unwrap()).unwrap();
        assert_eq!(
            format_datetime(&d),
            "2015-07-21T21:40:32.142+01:00[Europe/London]"
        );
        // Before standard time, Stockholm (now Berlin's rules) used local mean time.
        let (local, zone) =
            parse_zoned_datetime("1818-07-21T21:40:32.142[Europe/Stockholm]").unwrap();
        let d = localize(local, zone.zone().unwrap()).unwrap();
        assert!(format_datetime(&d).ends_with("+00:53:28[Europe/Stockholm]"));
    }

    #[test]
    fn durations_parse_with_fractions_cascading_down() {
        let show = |t: &str| parse_duration(t).map(|d| d.to_string());
        assert_eq!(show("P14DT16H12M").as_deref(), Some("P14DT16H12M"));
        assert_eq!(show("P5M1.5D").as_deref(), Some("P5M1DT12H"));
        assert_eq!(show("P0.75M").as_deref(), Some("P22DT19H51M49.5S"));
        assert_eq!(show("PT0.75M").as_deref(), Some("PT45S"));
        assert_eq!(show("P2.5W").as_deref(), Some("P17DT12H"));
        assert_eq!(
            show("P12Y5M14DT16H12M70S").as_deref(),
            Some("P12Y5M14DT16H13M10S")
        );
        assert_eq!(
            show("P2012-02-02T14:37:21.545").as_deref(),
            Some("P2012Y2M2DT14H37M21.545S")
        );
        assert_eq!(show("PT-1.5S").as_deref(), Some("PT-1.5S"));
        assert_eq!(show("PT-1M-0.001S").as_deref(), Some("PT-1M-0.001S"));
        for bad in ["P", "PT", "1D", "P1S", "PT1D", "P1M1Y"] {
            assert_eq!(show(bad), None, "{bad}");
        }
    }

    #[test]
    fn duration_maps_with_fractions_approximate_like_neo4j() {
        let mut b = DurationBuilder::default();
        b.add("months", Amount::Float(0.75)).unwrap();
        assert_eq!(b.build().unwrap().to_string(), "P22DT19H51M49.5S");
        let mut b = DurationBuilder::default();
        b.add("seconds", Amount::Int(-2)).unwrap();
        b.add("milliseconds", Amount::Int(1)).unwrap();
        let d = b.build().unwrap();
        assert_eq!((d.seconds, d.nanos), (-2, 1_000_000));
        assert_eq!(d.to_string(), "PT-1.999S");
    }

    #[test]
    fn times_drop_zero_seconds() {
        let t = NaiveTime::from_hms_opt(10, 35, 0).unwrap();
        assert_eq!(format_time(&t), "10:35");
        let t = NaiveTime::from_hms_milli_opt(10, 35, 1, 500).unwrap();
        assert_eq!(format_time(&t), "10:35:01.5");
    }

    #[test]
    fn datetimes_print_utc_as_z() {
        let d = parse_datetime("2018-03-17T10:00:00+00:00").unwrap();
        assert_eq!(format_datetime(&d), "2018-03-17T10:00Z");
    }
}
