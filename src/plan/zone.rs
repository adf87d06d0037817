//! A plan's time zone, read from the copy of the IANA time zone database
//! built into planbot (Jiff's), so that every machine reckons the same.
//!
//! chrono-tz, which this replaces, compiles every zone's transitions into
//! tables of pointers: 28,000 relocations that the loader writes into 0.9 MB
//! of private memory at every start, for the one zone a plan uses. Jiff keeps
//! the database as one block of bytes and reads only the zones asked for.

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use jiff::tz::AmbiguousOffset;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

/// An IANA time zone, such as `Europe/London`. Cheap to copy: each zone is
/// read from the database once and kept for the life of the process.
#[derive(Clone, Copy)]
pub struct Zone(&'static Known);

struct Known {
    name: &'static str,
    tz: jiff::tz::TimeZone,
}

/// A name the time zone database does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone \"{0}\": give an IANA name such as Europe/London")]
pub struct UnknownZone(pub String);

/// The zones read so far, each once: a process meets one or two, and can
/// keep no more than the database holds.
static KNOWN: Mutex<Vec<&'static Known>> = Mutex::new(Vec::new());

impl Zone {
    /// The zone called `name`, in any case ("europe/london" is Europe/London).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let unknown = || UnknownZone(name.to_string());
        let tz = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
        let canonical = tz.iana_name().ok_or_else(unknown)?.to_string();
        // A poisoned lock still holds a sound list: entries are only added.
        let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = known.iter().find(|k| k.name == canonical) {
            return Ok(Zone(k));
        }
        let entry: &'static Known = Box::leak(Box::new(Known {
            name: Box::leak(canonical.into_boxed_str()),
            tz,
        }));
        known.push(entry);
        Ok(Zone(entry))
    }

    /// Europe/London, every plan's zone unless it says otherwise.
    pub fn london() -> Zone {
        static LONDON: OnceLock<Zone> = OnceLock::new();
        *LONDON.get_or_init(|| {
            Zone::named("Europe/London").expect("the built-in time zone database has Europe/London")
        })
    }

    /// Whether `other` is the same zone under another of its names
    /// ("Eire" is Europe/Dublin), as the tz database links them.
    pub fn same_as(&self, other: &Zone) -> bool {
        self == other || self.0.tz == other.0.tz
    }

    /// The zone's IANA name, as the database spells it.
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    fn offset_at_utc(&self, utc: &NaiveDateTime) -> ZoneOffset {
        let seconds = utc.and_utc().timestamp().clamp(
            jiff::Timestamp::MIN.as_second(),
            jiff::Timestamp::MAX.as_second(),
        );
        let at = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let info = self.0.tz.to_offset_info(at);
        ZoneOffset::new(*self, info.offset().seconds(), info.abbreviation())
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A zone someone gives a plan. tzdata's "Factory" is a placeholder for a
/// machine whose zone was never set, not a place: refused here, while a
/// database that already holds it is still read through `Zone::named`.
impl FromStr for Zone {
    type Err = UnknownZone;

    fn from_str(s: &str) -> Result<Zone, UnknownZone> {
        match Zone::named(s)? {
            zone if zone.name() == "Factory" => Err(UnknownZone(s.to_string())),
            zone => Ok(zone),
        }
    }
}

/// The offset from UTC in a zone at some moment, with its abbreviation
/// ("BST"), which is what `%Z` prints.
#[derive(Clone, Copy)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
    abbreviation: [u8; 8],
    abbreviation_len: u8,
}

impl ZoneOffset {
    fn new(zone: Zone, seconds: i32, abbreviation: &str) -> ZoneOffset {
        let fixed = FixedOffset::east_opt(seconds).unwrap_or(FixedOffset::east_opt(0).unwrap());
        // Abbreviations are three to six characters ("GMT", "+0530"); a
        // longer one is cut at a character boundary rather than refused.
        let mut len = abbreviation.len().min(8);
        while !abbreviation.is_char_boundary(len) {
            len -= 1;
        }
        let mut bytes = [0; 8];
        bytes[..len].copy_from_slice(&abbreviation.as_bytes()[..len]);
        ZoneOffset {
            zone,
            fixed,
            abbreviation: bytes,
            abbreviation_len: len as u8,
        }
    }

    fn abbreviation(&self) -> &str {
        std::str::from_utf8(&self.abbreviation[..self.abbreviation_len as usize]).unwrap_or("")
    }
}

impl chrono::Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.abbreviation(), self.fixed)
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation())
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    /// A local time in the hour skipped when clocks go forward has no
    /// offset; one in the hour repeated when they go back has two, the
    /// earlier moment first (as chrono expects).
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        let Some(civil) = civil(local) else {
            // Past Jiff's years the zone's last rule stands, as chrono-tz
            // had it: one offset, so that a walk to the next valid local
            // time (`AsOf::end_of_day`) ends.
            return LocalResult::Single(self.offset_at_utc(local));
        };
        let at = |offset: jiff::tz::Offset| {
            self.offset_at_utc(&(*local - chrono::Duration::seconds(offset.seconds().into())))
        };
        match self.0.tz.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => LocalResult::Single(at(offset)),
            AmbiguousOffset::Gap { .. } => LocalResult::None,
            AmbiguousOffset::Fold { before, after } => {
                LocalResult::Ambiguous(at(before), at(after))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_at_utc(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset_at_utc(utc)
    }
}

/// The same wall-clock time in Jiff's terms; none outside its years
/// (-9999 to 9999).
fn civil(local: &NaiveDateTime) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, Timelike};
    jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        local.month() as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second().min(59) as i8,
        0,
    )
    .ok()
}
