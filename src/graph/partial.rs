//! Partial dates as values: reading them from text, the days a date value may be, and
//! how two date values compare, order and chain ([`crate::temporal::partial`] holds the
//! dates themselves).

use std::cmp::Ordering;

use chrono::NaiveDate;

use super::Value;
use crate::temporal::partial::{Bound, PartialDate, Precision};

/// Reads `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, optionally after `<` (before) or `>` (after).
/// A plain day is a `Value::Date`; anything less precise, or a bound, a partial date.
pub fn parse_partial_date(text: &str) -> Option<Value> {
    let (bound, rest) = match text.as_bytes().first() {
        Some(b'<') => (Bound::Before, &text[1..]),
        Some(b'>') => (Bound::After, &text[1..]),
        _ => (Bound::Within, text),
    };
    let digits = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let parts: Vec<&str> = rest.split('-').collect();
    let (year, month, day, precision) = match parts.as_slice() {
        [y] => (digits(y, 4)?, 1, 1, Precision::Year),
        [y, m] => (digits(y, 4)?, digits(m, 2)?, 1, Precision::Month),
        [y, m, d] => (digits(y, 4)?, digits(m, 2)?, digits(d, 2)?, Precision::Day),
        _ => return None,
    };
    let start = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    if precision == Precision::Day && bound == Bound::Within {
        return Some(Value::Date(start));
    }
    Some(Value::PartialDate(PartialDate {
        start,
        precision,
        bound,
    }))
}

/// The days a date or partial date may be, as `(earliest, latest)` with `None` for an
/// open side; `None` for any other value.
pub fn days(value: &Value) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    match value {
        Value::Date(d) => Some((Some(*d), Some(*d))),
        Value::PartialDate(p) => Some((p.earliest(), p.latest())),
        _ => None,
    }
}

/// `<` and its family when either side is a partial date and both are dates: an order
/// when every reading agrees, `None` (null) when the two may fall on the same day or
/// in either order. `None` also when the values are not two dates.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let ((a_lo, a_hi), (b_lo, b_hi)) = (days(a)?, days(b)?);
    if before(a_hi, b_lo) {
        Some(Ordering::Less)
    } else if before(b_hi, a_lo) {
        Some(Ordering::Greater)
    } else if a_lo.is_some() && a_lo == a_hi && a_lo == b_lo && b_lo == b_hi {
        Some(Ordering::Equal)
    } else {
        None
    }
}

/// Whether the latest day `hi` is strictly before the earliest day `lo` (open sides never are).
fn before(hi: Option<NaiveDate>, lo: Option<NaiveDate>) -> bool {
    matches!((hi, lo), (Some(hi), Some(lo)) if hi < lo)
}

/// `=` when either side is a partial date: true for the same written value, false when
/// the two share no day, null when they may or may not be the same day.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    match compare(a, b) {
        Some(Ordering::Less | Ordering::Greater) => Some(false),
        _ => None,
    }
}

/// ORDER BY's total order among dates and partial dates: by earliest day (open first),
/// then latest day (open last), then what was written.
pub fn order(a: &Value, b: &Value) -> Ordering {
    let key = |v: &Value| {
        let (lo, hi) = days(v).unwrap_or((None, None));
        let written = match v {
            Value::PartialDate(p) => (p.precision, p.bound, p.start),
            _ => (Precision::Day, Bound::Within, lo.unwrap_or(NaiveDate::MIN)),
        };
        (
            lo.unwrap_or(NaiveDate::MIN),
            hi.unwrap_or(NaiveDate::MAX),
            written,
        )
    };
    key(a).cmp(&key(b))
}

/// A date as the start of a period: its earliest day (null when open).
pub fn as_start(value: &Value) -> Value {
    match value {
        Value::PartialDate(p) => p.earliest().map_or(Value::Null, Value::Date),
        other => other.clone(),
    }
}

/// A date as the end of a period: a partial date covers its whole period, so it ends
/// where the next day begins (`2015-04` ends at `2015-05-01`); null when open.
pub fn as_end(value: &Value) -> Value {
    match value {
        Value::PartialDate(p) => p
            .latest()
            .and_then(|d| d.succ_opt())
            .map_or(Value::Null, Value::Date),
        other => other.clone(),
    }
}

/// One step of a time-ordered chain over dates: may a hop dated `date` follow a path
/// whose clock is `clock`, and what is the clock after it? `None` when the two are not
/// both dates (the caller compares them as Cypher does).
///
/// The default reading keeps a chain unless the hop is certainly earlier: the clock is
/// the earliest day the chain may have reached, and a hop passes when its latest day is
/// not before it. `strict` keeps only chains whose order is certain: the clock is the
/// latest day the chain may have reached, and a hop passes when its earliest day is not
/// before it. For plain dates both readings are the usual `date >= clock`.
pub fn chain_step(date: &Value, clock: &Value, strict: bool) -> Option<Option<Value>> {
    let ((lo, hi), (clock_lo, clock_hi)) = (days(date)?, days(clock)?);
    // Open sides as the ends of time, so that they compare.
    let past = |d: Option<NaiveDate>| d.unwrap_or(NaiveDate::MIN);
    let future = |d: Option<NaiveDate>| d.unwrap_or(NaiveDate::MAX);
    let (passes, moves) = if strict {
        // Every reading of the hop must be on or after every reading of the clock; a hop
        // open to the future (`>2015`) leaves the clock open too.
        let passes = matches!((lo, clock_hi), (Some(lo), Some(c)) if lo >= c);
        (passes, future(hi) > future(clock_hi))
    } else {
        // Some reading of the hop must be on or after the clock's earliest reading.
        (future(hi) >= past(clock_lo), past(lo) > past(clock_lo))
    };
    Some(passes.then(|| if moves { date.clone() } else { clock.clone() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::temporal::partial::*;

    fn v(text: &str) -> Value {
        parse_partial_date(text).unwrap_or_else(|| panic!("{text} does not parse"))
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn text(value: &Value) -> String {
        match value {
            Value::PartialDate(p) => p.to_string(),
            Value::Date(d) => d.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn partial_dates_print_as_written() {
        for written in [
            "2015-04",
            "2015",
            "<2017-06-08",
            ">2015",
            "<2017-08",
            "2015-04-17",
        ] {
            assert_eq!(text(&v(written)), written);
        }
        assert!(matches!(v("2015-04-17"), Value::Date(_)));
    }

    #[test]
    fn partial_dates_reject_what_is_not_a_date() {
        for bad in [
            "2015-4",
            "15",
            "2015-13",
            "2015-02-30",
            "<",
            "<<2015",
            "2015-04-01-01",
            "",
        ] {
            assert!(parse_partial_date(bad).is_none(), "{bad} parsed");
        }
    }

    #[test]
    fn partial_dates_cover_their_period() {
        let Value::PartialDate(april) = v("2015-04") else {
            panic!()
        };
        assert_eq!(
            (april.earliest(), april.latest()),
            (Some(day(2015, 4, 1)), Some(day(2015, 4, 30)))
        );
        let Value::PartialDate(feb) = v("2016-02") else {
            panic!()
        };
        assert_eq!(feb.latest(), Some(day(2016, 2, 29)));
        let Value::PartialDate(year) = v("2015") else {
            panic!()
        };
        assert_eq!(year.latest(), Some(day(2015, 12, 31)));
        let Value::PartialDate(before) = v("<2017-06-08") else {
            panic!()
        };
        assert_eq!(
            (before.earliest(), before.latest()),
            (None, Some(day(2017, 6, 7)))
        );
        let Value::PartialDate(after) = v(">2015") else {
            panic!()
        };
        assert_eq!(
            (after.earliest(), after.latest()),
            (Some(day(2016, 1, 1)), None)
        );
    }

    #[test]
    fn comparisons_are_unknown_when_periods_may_overlap() {
        use Ordering::*;
        assert_eq!(compare(&v("2015-04"), &v("2015-05-01")), Some(Less));
        assert_eq!(compare(&v("2015-04"), &v("2015-04-30")), None);
        assert_eq!(compare(&v("2015-04"), &v("2015-03-31")), Some(Greater));
        assert_eq!(compare(&v("2015-04"), &v("2015")), None);
        assert_eq!(compare(&v("2014-12"), &v("2015")), Some(Less));
        assert_eq!(compare(&v("<2017-06-08"), &v("2017-06-08")), Some(Less));
        assert_eq!(compare(&v("<2017-06-08"), &v("2017-06-07")), None);
        assert_eq!(compare(&v("<2017-06-08"), &v("<2016")), None);
        assert_eq!(compare(&v(">2015"), &v("2015-12-31")), Some(Greater));
        assert_eq!(compare(&v(">2015"), &v("<2016")), Some(Greater));
        assert_eq!(compare(&v(">2015"), &v("<2017")), None);
        assert_eq!(compare(&v("2015-04"), &Value::Int(3)), None);
    }

    #[test]
    fn equality_is_on_what_was_written() {
        assert_eq!(equals(&v("2015-04"), &v("2015-04")), Some(true));
        assert_eq!(equals(&v("2015-04"), &v("2015-05")), Some(false));
        assert_eq!(equals(&v("2015-04"), &v("2015-04-02")), None);
        assert_eq!(equals(&v("2015-04"), &v("2015")), None);
    }

    #[test]
    fn order_puts_partial_dates_among_dates() {
        let mut values = [
            v("2015"),
            v("2015-04-17"),
            v("<2015"),
            v("2015-04"),
            v(">2014"),
        ];
        values.sort_by(order);
        let texts: Vec<String> = values.iter().map(text).collect();
        assert_eq!(texts, ["<2015", "2015", ">2014", "2015-04", "2015-04-17"]);
    }

    #[test]
    fn a_period_ends_after_its_last_day() {
        assert_eq!(as_start(&v("2014-12")), Value::Date(day(2014, 12, 1)));
        assert_eq!(as_end(&v("2015-04")), Value::Date(day(2015, 5, 1)));
        assert_eq!(as_end(&v("2015")), Value::Date(day(2016, 1, 1)));
        assert_eq!(as_end(&v("<2017-06-08")), Value::Date(day(2017, 6, 8)));
        assert!(as_start(&v("<2017-06-08")).is_null());
    }

    #[test]
    fn chain_steps_keep_possible_orders_and_strict_keeps_certain_ones() {
        let step = |date: &str, clock: &str, strict| {
            chain_step(&v(date), &v(clock), strict).map(|next| next.map(|c| text(&c)))
        };
        // Plain dates: the usual order either way.
        assert_eq!(
            step("2016-01-01", "2015-01-01", false),
            Some(Some("2016-01-01".into()))
        );
        assert_eq!(step("2014-01-01", "2015-01-01", true), Some(None));
        // A month may follow a day within it, but not certainly.
        assert_eq!(
            step("2015-04", "2015-04-10", false),
            Some(Some("2015-04-10".into()))
        );
        assert_eq!(step("2015-04", "2015-04-10", true), Some(None));
        // Before the election follows an earlier year in the lenient reading only.
        assert_eq!(
            step("<2017-06-08", "2015", false),
            Some(Some("2015".into()))
        );
        assert_eq!(step("<2017-06-08", "2015", true), Some(None));
        assert_eq!(step("<2017-06-08", "2018", false), Some(None));
        // Strict: a later month follows certainly, and moves the clock to its end.
        assert_eq!(
            step("2015-06", "2015-04", true),
            Some(Some("2015-06".into()))
        );
        assert_eq!(step(">2015", "2015-04", true), Some(Some(">2015".into())));
        assert_eq!(step("2020", ">2015", true), Some(None));
        assert_eq!(chain_step(&Value::Int(1), &v("2015"), false), None);
    }
}
