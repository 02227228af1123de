//! What the three differential tests (difftest-vpic, -vrtc, -realmode)
//! share: the seeded generator their random streams draw from.  A seed
//! names a stream, so a divergence found by a long run is replayed by
//! passing its seed back (tests/long prints it).

/// splitmix64: small, fast and good enough for operation streams; its
/// whole state is the 64-bit counter, so a seed is the state.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The stream named by `seed`.
    pub const fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n` up to 2^64: the clocks draw 61-bit values),
    /// by remainder: its bias, under n / 2^64, does not matter to a test
    /// stream.  `below(0)` is 0 and draws nothing.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A random byte (the low 8 bits of the next draw).
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    /// The streams the difftests and their recorded seeds rely on: the
    /// splitmix64 reference outputs for seed 0, and `below`/`chance`
    /// drawing exactly one value each (0 for an empty range, no draw).
    #[test]
    fn splitmix64_reference_stream() {
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(r.next_u64(), 0x06c4_5d18_8009_454f);
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        assert_eq!(a.below(0), 0);
        assert_eq!(a.below(1000), b.next_u64() % 1000);
        assert_eq!(a.chance(30), b.next_u64() % 100 < 30);
        assert_eq!(a.byte(), b.next_u64() as u8);
        assert_eq!(a.pick(&[7, 8, 9]), [7, 8, 9][(b.next_u64() % 3) as usize]);
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
