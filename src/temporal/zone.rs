//! Time zones of date-times: a fixed UTC offset (`+01:00`) or a named IANA zone
//! (`Europe/Stockholm`) whose offset follows the zone's rules at each instant.
//!
//! [`Zone`] is a chrono [`TimeZone`], so a Cypher `DateTime` is a plain
//! `chrono::DateTime<Zone>`: ordering, hashing and arithmetic come from chrono, and the
//! zone's name survives for printing (`2017-08-08T12:31:14+02:00[Europe/Stockholm]`).

use std::fmt;

use chrono::{
    DateTime, FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone,
};
use chrono_tz::Tz;

/// Where a date-time's offset comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Zone {
    /// A fixed offset from UTC (`Z`, `+01:00`, `-02:05:07`).
    Fixed(FixedOffset),
    /// A named zone from the IANA database.
    Named(Tz),
}

/// A zone together with the offset in force at one instant.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
}

impl Zone {
    /// UTC as the offset `Z`, Cypher's default time zone.
    pub fn utc() -> Zone {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero is a valid offset"))
    }

    /// Reads `Z`, `±HH`, `±HHMM`, `±HH:MM`, `±HH:MM:SS` or a zone name (`Europe/Stockholm`).
    pub fn parse(text: &str) -> Option<Zone> {
        parse_offset(text)
            .map(Zone::Fixed)
            .or_else(|| text.parse::<Tz>().ok().map(Zone::Named))
    }

    /// The zone's name, for named zones.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Zone::Fixed(_) => None,
            Zone::Named(tz) => Some(tz.name()),
        }
    }

    fn at(self, fixed: FixedOffset) -> ZoneOffset {
        ZoneOffset { zone: self, fixed }
    }

    /// The offset of this zone at the instant `utc`.
    pub fn offset_at(self, utc: &NaiveDateTime) -> FixedOffset {
        self.offset_from_utc_datetime(utc).fixed
    }
}

impl ZoneOffset {
    /// The zone this offset belongs to.
    pub fn zone(&self) -> Zone {
        self.zone
    }
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.fixed)
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<ZoneOffset> {
        match *self {
            Zone::Fixed(f) => MappedLocalTime::Single(self.at(f)),
            Zone::Named(tz) => tz
                .offset_from_local_datetime(local)
                .map(|o| self.at(o.fix())),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        match *self {
            Zone::Fixed(f) => self.at(f),
            Zone::Named(tz) => self.at(tz.offset_from_utc_datetime(utc).fix()),
        }
    }
}

/// The local date-time `local` in `zone`, resolved as Java's `ZonedDateTime.of` (and so
/// Neo4j) does: in an overlap the earlier offset wins, and a time inside a gap moves
/// forward by the gap's length. `None` only when the result is out of range.
pub fn localize(local: NaiveDateTime, zone: Zone) -> Option<DateTime<Zone>> {
    localize_preferring(local, zone, None)
}

/// As [`localize`], but in an overlap the offset `preferred` wins when it is one of the
/// two (`2017-10-29T02:30+01:00[Europe/Stockholm]`, or a date-time moved by a duration).
pub fn localize_preferring(
    local: NaiveDateTime,
    zone: Zone,
    preferred: Option<FixedOffset>,
) -> Option<DateTime<Zone>> {
    match zone.from_local_datetime(&local) {
        MappedLocalTime::Single(d) => Some(d),
        MappedLocalTime::Ambiguous(a, b) => Some(
            [a, b]
                .into_iter()
                .find(|d| Some(d.offset().fix()) == preferred)
                .unwrap_or(a.min(b)),
        ),
        MappedLocalTime::None => {
            let before = zone.offset_at(&local.checked_sub_signed(TimeDelta::days(1))?);
            let utc =
                local.checked_sub_signed(TimeDelta::seconds(before.local_minus_utc().into()))?;
            Some(zone.from_utc_datetime(&utc))
        }
    }
}

/// Reads a UTC offset: `Z`, `±HH`, `±HHMM`, `±HH:MM`, `±HHMMSS` or `±HH:MM:SS`.
pub fn parse_offset(text: &str) -> Option<FixedOffset> {
    if text == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    let digits: String = body.chars().filter(|c| *c != ':').collect();
    let colons = body.len() - digits.len();
    let valid_shape = digits.bytes().all(|b| b.is_ascii_digit())
        && match digits.len() {
            2 => colons == 0,
            4 => colons <= 1,
            6 => colons == 0 || colons == 2,
            _ => false,
        };
    if !valid_shape {
        return None;
    }
    let part = |i: usize| {
        digits
            .get(i..i + 2)
            .map_or(Some(0), |p| p.parse::<i32>().ok())
    };
    let (h, m, s) = (part(0)?, part(2)?, part(4)?);
    if h > 18 || m > 59 || s > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60 + s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn offsets_parse_in_every_iso_form() {
        let secs = |t: &str| parse_offset(t).map(|o| o.local_minus_utc());
        assert_eq!(secs("Z"), Some(0));
        assert_eq!(secs("+01"), Some(3600));
        assert_eq!(secs("+0130"), Some(5400));
        assert_eq!(secs("-01:30"), Some(-5400));
        assert_eq!(secs("-02:05:07"), Some(-(2 * 3600 + 5 * 60 + 7)));
        assert_eq!(secs("+1"), None);
        assert_eq!(secs("Europe/Stockholm"), None);
    }

    #[test]
    fn named_zones_follow_daylight_saving() {
        let zone = Zone::parse("Europe/Stockholm").unwrap();
        let winter = localize(local("1984-10-11T12:00"), zone).unwrap();
        let summer = localize(local("1984-07-20T12:00"), zone).unwrap();
        assert_eq!(winter.offset().fix().local_minus_utc(), 3600);
        assert_eq!(summer.offset().fix().local_minus_utc(), 7200);
    }

    #[test]
    fn gaps_move_forward_and_overlaps_take_the_earlier_offset() {
        let zone = Zone::parse("Europe/Stockholm").unwrap();
        let gap = localize(local("2017-03-26T02:30"), zone).unwrap();
        assert_eq!(gap.naive_local(), local("2017-03-26T03:30"));
        let overlap = localize(local("2017-10-29T02:30"), zone).unwrap();
        assert_eq!(overlap.offset().fix().local_minus_utc(), 7200);
    }
}
