//! Cypher durations: months, days and seconds kept apart, since they do not convert into
//! each other (a month has no fixed number of days, a day no fixed number of seconds).

use std::fmt;

/// A Cypher duration: months, days and seconds are kept apart because they do not convert.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

impl fmt::Display for Duration {
    /// ISO 8601, as Cypher prints durations: `P1Y2M3DT4H5M6.5S`, `PT0S` for zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Duration {
            months,
            days,
            seconds,
            nanos,
        } = *self;
        if months == 0 && days == 0 && seconds == 0 && nanos == 0 {
            return write!(f, "PT0S");
        }
        write!(f, "P")?;
        let (years, months) = (months / 12, months % 12);
        if years != 0 {
            write!(f, "{years}Y")?;
        }
        if months != 0 {
            write!(f, "{months}M")?;
        }
        if days != 0 {
            write!(f, "{days}D")?;
        }
        // Normalise seconds+nanos to one signed quantity for printing.
        let total_nanos = seconds as i128 * 1_000_000_000 + nanos as i128;
        if total_nanos != 0 {
            write!(f, "T")?;
            let sign = if total_nanos < 0 { "-" } else { "" };
            let abs = total_nanos.abs();
            let hours = abs / 3_600_000_000_000;
            let minutes = (abs / 60_000_000_000) % 60;
            let secs = (abs / 1_000_000_000) % 60;
            let frac = abs % 1_000_000_000;
            if hours != 0 {
                write!(f, "{sign}{hours}H")?;
            }
            if minutes != 0 {
                write!(f, "{sign}{minutes}M")?;
            }
            if secs != 0 || frac != 0 {
                if frac != 0 {
                    let digits = format!("{frac:09}");
                    write!(f, "{sign}{secs}.{}S", digits.trim_end_matches('0'))?;
                } else {
                    write!(f, "{sign}{secs}S")?;
                }
            }
        }
        Ok(())
    }
}
