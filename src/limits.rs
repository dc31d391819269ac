//! What bounds a running statement besides Ctrl-C: a timeout, a maximum number of result
//! rows and a memory budget, set per session ([`crate::Database::set_limits`]) and
//! checked by the executor at the same points as the interrupt flag
//! ([`crate::exec::Context::check`]).
//!
//! The memory budget needs to know how much the process has allocated. The library
//! cannot count that itself (it forbids `unsafe`, and a global allocator is the
//! binary's choice), so the binary installs a counting allocator and hands a reading
//! function to [`set_heap_probe`]. Without a probe the budget is not enforced.

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The bounds on each statement of a session; `None` means unbounded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// How long one statement may run.
    pub timeout: Option<Duration>,
    /// How many rows one statement may return.
    pub max_rows: Option<u64>,
    /// How many bytes the heap may grow while one statement runs.
    pub memory: Option<u64>,
}

static HEAP_PROBE: OnceLock<fn() -> usize> = OnceLock::new();

/// Tells the library how to read the bytes currently allocated by the process (the
/// binary's counting allocator), give or take a constant: only the difference between two
/// readings is used. Only the first call counts.
pub fn set_heap_probe(probe: fn() -> usize) {
    let _ = HEAP_PROBE.set(probe);
}

/// The bytes allocated now (give or take a constant), when a probe was installed.
pub fn heap_bytes() -> Option<usize> {
    HEAP_PROBE.get().map(|probe| probe())
}

/// Parses a size such as `512M`, `4G`, `1.5GiB` or `200000000`. `K`, `M`, `G` and `T` are
/// powers of 1024, as in `java -Xmx` and `ulimit`.
///
/// # Errors
/// A message naming the text that is not a size.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let size = parse_size::Config::new()
        .with_binary()
        .parse_size(text.trim())
        .map_err(|e| format!("`{text}` is not a size such as 512M or 4G ({e})"))?;
    if size == 0 {
        return Err(format!("`{text}`: the size must be more than 0"));
    }
    Ok(size)
}

/// Parses a timeout in seconds such as `2` or `0.5`.
///
/// # Errors
/// A message naming the text that is not a positive number of seconds.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let not_seconds = || format!("`{text}` is not a number of seconds such as 30 or 0.5");
    let seconds: f64 = text.trim().parse().map_err(|_| not_seconds())?;
    // NaN is neither more nor less than 0, so it is refused here too.
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!("`{text}`: the timeout must be more than 0 seconds"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| not_seconds())
}

/// Parses a row count such as `10000`.
///
/// # Errors
/// A message naming the text that is not a positive integer.
pub fn parse_rows(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{text}` is not a number of rows (1 or more)")),
    }
}

/// A byte count for people: `3.0 GiB`, `512.0 MiB`, `900 B`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A duration for people, in seconds: `2 s`, `0.5 s`.
pub fn format_seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// The default memory budget: half the machine's memory, but no more than three
/// quarters of what is available when datatrail starts, so that a statement fails with
/// an error well before the kernel's out-of-memory killer would step in. At least
/// 256 MiB. `None` where `/proc/meminfo` cannot be read (outside Linux).
pub fn default_memory_budget() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    budget_from_meminfo(&meminfo)
}

fn budget_from_meminfo(meminfo: &str) -> Option<u64> {
    let field = |name: &str| -> Option<u64> {
        let line = meminfo.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    };
    let total = field("MemTotal:")?;
    let available = field("MemAvailable:").unwrap_or(total);
    Some((total / 2).min(available / 4 * 3).max(256 << 20))
}

/// The error an [`Interruptible`] writer returns once the interrupt flag is set.
#[derive(Debug, thiserror::Error)]
#[error("interrupted while writing")]
pub struct WriteInterrupted;

/// Whether an output error is a Ctrl-C that stopped an [`Interruptible`] writer.
pub fn is_write_interrupted(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|e| e.is::<WriteInterrupted>())
}

/// A writer that fails with [`WriteInterrupted`] once `flag` is set, so that printing
/// or exporting a big result stops at Ctrl-C (buffered writers call it every few KiB).
pub struct Interruptible<'a, W> {
    inner: W,
    flag: &'a AtomicBool,
}

impl<'a, W: Write> Interruptible<'a, W> {
    /// Wraps `inner`, watching `flag`.
    pub fn new(inner: W, flag: &'a AtomicBool) -> Interruptible<'a, W> {
        Interruptible { inner, flag }
    }

    fn check(&self) -> io::Result<()> {
        if self.flag.load(Ordering::Relaxed) {
            return Err(io::Error::other(WriteInterrupted));
        }
        Ok(())
    }
}

impl<W: Write> Write for Interruptible<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.check()?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_powers_of_1024() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(
            parse_size("lots")
                .unwrap_err()
                .contains("`lots` is not a size")
        );
        assert!(parse_size("0").unwrap_err().contains("more than 0"));
    }

    #[test]
    fn seconds_and_rows_must_be_positive() {
        assert_eq!(parse_seconds("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert!(parse_seconds("soon").is_err());
        assert_eq!(parse_rows("10"), Ok(10));
        assert!(parse_rows("0").is_err());
        assert!(parse_rows("-3").is_err());
    }

    #[test]
    fn sizes_and_durations_print_for_people() {
        assert_eq!(format_size(3 << 30), "3.0 GiB");
        assert_eq!(format_size(64 << 20), "64.0 MiB");
        assert_eq!(format_size(900), "900 B");
        assert_eq!(format_seconds(Duration::from_secs(2)), "2 s");
        assert_eq!(format_seconds(Duration::from_millis(500)), "0.5 s");
    }

    #[test]
    fn default_budget_is_half_the_memory_within_what_is_available() {
        let meminfo = "MemTotal:       16000000 kB\nMemFree: 1 kB\nMemAvailable:   12000000 kB\n";
        assert_eq!(budget_from_meminfo(meminfo), Some(8_000_000 * 1024));
        let busy = "MemTotal:       16000000 kB\nMemAvailable:    4000000 kB\n";
        assert_eq!(budget_from_meminfo(busy), Some(3_000_000 * 1024));
        let tiny = "MemTotal:         100000 kB\nMemAvailable:      50000 kB\n";
        assert_eq!(budget_from_meminfo(tiny), Some(256 << 20));
        assert_eq!(budget_from_meminfo("nothing here"), None);
    }

    #[test]
    fn interruptible_writer_fails_once_the_flag_is_set() {
        let flag = AtomicBool::new(false);
        let mut out = Vec::new();
        let mut writer = Interruptible::new(&mut out, &flag);
        writer.write_all(b"one").unwrap();
        flag.store(true, Ordering::Relaxed);
        let err = writer.write_all(b"two").unwrap_err();
        assert!(is_write_interrupted(&err));
        assert!(!is_write_interrupted(&io::Error::other("disk full")));
        assert_eq!(out, b"one");
    }
}
