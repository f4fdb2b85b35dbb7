//! The wall clock: unset at boot, set by SNTP. TLS reads it to check certificate dates and
//! fails closed while it is unset, so a board never trusts a certificate on a clock that
//! says 1970.

use alloc::format;
use alloc::string::String;
use core::cell::Cell;

use critical_section::Mutex;

/// UTC from a monotonic millisecond counter and the moment SNTP set it.
pub struct WallClock {
    mono_ms: fn() -> u64,
    // (unix ms, monotonic ms) at the moment it was set. A mutex, not an atomic:
    // the ESP32-C3 has no 64-bit atomics.
    set_at: Mutex<Cell<Option<(u64, u64)>>>,
}

impl WallClock {
    /// A clock that is not set yet, counting with `mono_ms`.
    pub const fn new(mono_ms: fn() -> u64) -> Self {
        Self {
            mono_ms,
            set_at: Mutex::new(Cell::new(None)),
        }
    }

    /// Milliseconds from the monotonic counter.
    pub fn mono_ms(&self) -> u64 {
        (self.mono_ms)()
    }

    /// Set the time (from SNTP), in milliseconds since 1970: the fraction matters, or the
    /// clock runs up to a second behind and a certificate issued a moment ago looks
    /// "not yet valid".
    pub fn set_unix_ms(&self, unix_ms: u64) {
        let now = self.mono_ms();
        critical_section::with(|cs| self.set_at.borrow(cs).set(Some((unix_ms, now))));
    }

    /// Set the time in whole seconds.
    pub fn set(&self, unix_s: u64) {
        self.set_unix_ms(unix_s.saturating_mul(1000));
    }

    /// Forget the time (tests; a board never unsets it).
    pub fn clear(&self) {
        critical_section::with(|cs| self.set_at.borrow(cs).set(None));
    }

    /// Seconds since 1970, or `None` before SNTP set it.
    pub fn now_unix(&self) -> Option<u64> {
        let (unix_ms, at) = critical_section::with(|cs| self.set_at.borrow(cs).get())?;
        Some((unix_ms + self.mono_ms().saturating_sub(at)) / 1000)
    }
}

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Year, e.g. 2026.
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
    /// Days since Sunday, 0..=6.
    pub weekday: u32,
    /// Days since January 1, 0..=365.
    pub yearday: u32,
}

/// UTC for a Unix time (Howard Hinnant's days-to-civil algorithm).
pub fn civil(unix_s: u64) -> Civil {
    let days = (unix_s / 86_400) as i64;
    let secs = (unix_s % 86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yearday = BEFORE[(month - 1) as usize] + day - 1 + u32::from(leap && month > 2);
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
        weekday: ((days + 4).rem_euclid(7)) as u32,
        yearday,
    }
}

/// `2026-11-24T14:19:11Z`
pub fn rfc3339(unix_s: u64) -> String {
    let c = civil(unix_s);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_478_400), "2026-11-24T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        let c = civil(1_795_529_951); // 2026-11-24T14:19:11Z, a Tuesday
        assert_eq!((c.hour, c.minute, c.second, c.weekday), (14, 19, 11, 2));
        assert_eq!(civil(1_798_675_200).yearday, 364); // 2026-12-31
        assert_eq!(civil(1_609_372_800).yearday, 365); // 2020-12-31, leap year
    }

    #[test]
    fn unset_until_set_then_counts() {
        static NOW: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(5_000);
        let clock = WallClock::new(|| u64::from(NOW.load(core::sync::atomic::Ordering::Relaxed)));
        assert_eq!(clock.now_unix(), None);
        clock.set(1_795_478_400);
        NOW.store(7_500, core::sync::atomic::Ordering::Relaxed);
        assert_eq!(clock.now_unix(), Some(1_795_478_402));
        clock.set_unix_ms(1_795_478_400_900);
        NOW.store(7_600, core::sync::atomic::Ordering::Relaxed);
        assert_eq!(clock.now_unix(), Some(1_795_478_401));
        clock.clear();
        assert_eq!(clock.now_unix(), None);
    }
}
