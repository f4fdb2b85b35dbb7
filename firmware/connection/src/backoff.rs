//! Reconnect delays: exponential with jitter, so that a fleet that lost its broker does
//! not come back in lockstep, capped so that a board never waits very long.

/// Exponential backoff with "equal jitter": the n-th delay is uniformly random in
/// `[cap/2, cap]` where `cap = min(max, base * 2^n)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    base_ms: u32,
    max_ms: u32,
    attempt: u32,
}

impl Backoff {
    /// A backoff starting at `base_ms`, never above `max_ms`.
    pub const fn new(base_ms: u32, max_ms: u32) -> Self {
        Self {
            base_ms,
            max_ms,
            attempt: 0,
        }
    }

    /// The firmware's: 1 s doubling up to 5 min.
    pub const fn firmware() -> Self {
        Self::new(1_000, 300_000)
    }

    /// Attempts since the last success.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The next delay in ms and the attempt number it belongs to (1-based), given a
    /// random number.
    pub fn next(&mut self, random: u32) -> (u32, u32) {
        let shift = self.attempt.min(20);
        let cap = (self.base_ms as u64)
            .saturating_mul(1u64 << shift)
            .min(self.max_ms as u64) as u32;
        let half = cap / 2;
        let delay = half + random % (cap - half + 1);
        self.attempt = self.attempt.saturating_add(1);
        (self.attempt, delay)
    }

    /// After a success: start again from the base.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps_and_resets() {
        let mut b = Backoff::new(1000, 8000);
        let caps: [u32; 6] = [1000, 2000, 4000, 8000, 8000, 8000];
        for (i, cap) in caps.iter().enumerate() {
            let (attempt, lo) = b.clone().next(0);
            let (_, hi) = b.next(cap - cap / 2);
            assert_eq!(attempt as usize, i + 1);
            assert_eq!((lo, hi), (cap / 2, *cap));
        }
        b.reset();
        assert_eq!(b.next(0), (1, 500));
    }

    proptest::proptest! {
        #[test]
        fn every_delay_is_within_half_cap_and_cap(
            base in 1u32..100_000, max in 1u32..1_000_000, randoms in proptest::collection::vec(proptest::num::u32::ANY, 1..40)
        ) {
            let mut b = Backoff::new(base, max);
            for (i, r) in randoms.into_iter().enumerate() {
                let cap = (base as u64 * (1u64 << (i as u64).min(20))).min(max as u64) as u32;
                let (attempt, d) = b.next(r);
                proptest::prop_assert_eq!(attempt as usize, i + 1);
                proptest::prop_assert!(d >= cap / 2 && d <= cap);
            }
        }
    }
}
