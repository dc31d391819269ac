//! Temporal values: parsing the loader's date forms and printing dates, times and
//! date-times the way Cypher prints them (ISO 8601, seconds only when not zero).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

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
pub fn parse_datetime(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

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

/// `Z` for UTC, otherwise `+HH:MM`.
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

fn format_date(d: &NaiveDate) -> String {
    let year = d.year();
    if (0..=9999).contains(&year) {
        format!("{year:04}-{:02}-{:02}", d.month(), d.day())
    } else {
        format!("{year:+05}-{:02}-{:02}", d.month(), d.day())
    }
}

pub fn format_local_datetime(d: &NaiveDateTime) -> String {
    format!("{}T{}", format_date(&d.date()), format_time(&d.time()))
}

pub fn format_datetime(d: &DateTime<FixedOffset>) -> String {
    format!(
        "{}{}",
        format_local_datetime(&d.naive_local()),
        format_offset(d.offset())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_mean_the_first_day() {
        assert_eq!(parse_date("2018"), NaiveDate::from_ymd_opt(2018, 1, 1));
        assert_eq!(parse_date("2018-03"), NaiveDate::from_ymd_opt(2018, 3, 1));
        assert_eq!(
            parse_date("2018-03-17"),
            NaiveDate::from_ymd_opt(2018, 3, 17)
        );
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
        }
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
