//! Dates known to less than a day: a month (`2015-04`), a year (`2015`), or only a bound
//! (`<2017-06-08`, before the 8th of June 2017; `>2015`, after 2015).
//!
//! Sources seldom give a day. FollowTheMoney keeps what a source says by writing dates
//! as ISO 8601 prefixes (the length of `2015-04` is its precision), and Wikidata stores a
//! time with a precision field (year, month, day) and, for "before" and "after", the
//! qualifiers *latest date* and *earliest date*. A [`PartialDate`] does both: it keeps
//! the written precision, so it prints as it was written, and it stands for the days
//! it may be, from [`PartialDate::earliest`] to [`PartialDate::latest`] (either open
//! for a bound).
//!
//! Comparisons follow from that set of days, with Cypher's null for "unknown": `2015-04
//! < 2015-06-01` is true (every day of April is earlier), `2015-04 < 2015-04-15` is null
//! (some days of April are, some are not). A query that wants one reading asks for it
//! with `earliest(d)` or `latest(d)`, which are plain dates. A day-precision date is
//! never a `PartialDate`: it stays a `Value::Date`, so everything that worked on dates
//! works as before.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// How much of a date the source gave.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// Whether the value is the written period itself or a bound on one side of it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bound {
    /// Some day within the period (`2015-04`).
    Within,
    /// Some day before the period begins (`<2017-06-08`).
    Before,
    /// Some day after the period ends (`>2015`).
    After,
}

/// A date known to a month or a year, or a bound before or after a date. Equality and
/// hashing are on what was written (`<2015-05` and `<2015-05-01` are the same days but
/// two values), as with the other values' equivalence.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    /// The first day of the written period.
    pub(crate) start: NaiveDate,
    pub(crate) precision: Precision,
    pub(crate) bound: Bound,
}

impl PartialDate {
    /// The first and last day of the written period itself (ignoring the bound).
    fn period(&self) -> (NaiveDate, NaiveDate) {
        let last = match self.precision {
            Precision::Day => Some(self.start),
            Precision::Month => self
                .start
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.pred_opt()),
            Precision::Year => NaiveDate::from_ymd_opt(self.start.year(), 12, 31),
        };
        (self.start, last.unwrap_or(NaiveDate::MAX))
    }

    /// The first day the value may be; `None` for a `<` bound, which is open to the past.
    pub fn earliest(&self) -> Option<NaiveDate> {
        let (first, last) = self.period();
        match self.bound {
            Bound::Within => Some(first),
            Bound::Before => None,
            Bound::After => last.succ_opt(),
        }
    }

    /// The last day the value may be; `None` for a `>` bound, which is open to the future.
    pub fn latest(&self) -> Option<NaiveDate> {
        let (first, last) = self.period();
        match self.bound {
            Bound::Within => Some(last),
            Bound::Before => first.pred_opt(),
            Bound::After => None,
        }
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn bound(&self) -> Bound {
        self.bound
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.bound {
            Bound::Within => {}
            Bound::Before => f.write_str("<")?,
            Bound::After => f.write_str(">")?,
        }
        let d = self.start;
        match self.precision {
            Precision::Year => write!(f, "{:04}", d.year()),
            Precision::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}
