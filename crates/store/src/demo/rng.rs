//! A small deterministic random number generator (splitmix64) so that a demo seed always
//! builds the same hub on every machine and version of every dependency.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5EED_7077_1D00_0001)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0). The tiny modulo bias is irrelevant for demo data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
