//! Latency histograms and the per-receiver record of which messages arrived.

use serde::Serialize;

/// Values below this are counted exactly (one bucket per microsecond).
const LINEAR: u64 = 128;
/// Sub-buckets per power of two above `LINEAR`: about 1.5 % resolution.
const SUB_BITS: u32 = 6;
const BUCKETS: usize = LINEAR as usize + (64 - 7) * (1 << SUB_BITS);

/// A log-linear histogram of microsecond values: constant memory, cheap to
/// record into, mergeable across threads.
#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

fn bucket_of(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros(); // >= 7
    let sub = (v >> (exp - SUB_BITS)) & ((1 << SUB_BITS) - 1);
    LINEAR as usize + (exp as usize - 7) * (1 << SUB_BITS) + sub as usize
}

/// The highest value that lands in bucket `i`.
fn bucket_top(i: usize) -> u64 {
    if i < LINEAR as usize {
        return i as u64;
    }
    let j = i - LINEAR as usize;
    let exp = (j >> SUB_BITS) as u32 + 7;
    let sub = (j & ((1 << SUB_BITS) - 1)) as u64;
    (((1 << SUB_BITS) + sub + 1) << (exp - SUB_BITS)) - 1
}

impl Histogram {
    pub fn record(&mut self, us: u64) {
        self.counts[bucket_of(us)] += 1;
        self.total += 1;
        self.max = self.max.max(us);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// The value at quantile `q` (0..=1), as the top of its bucket.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return bucket_top(i).min(self.max);
            }
        }
        self.max
    }

    pub fn summary(&self) -> Latency {
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            count: self.total,
            p50_ms: ms(self.quantile(0.50)),
            p90_ms: ms(self.quantile(0.90)),
            p99_ms: ms(self.quantile(0.99)),
            max_ms: ms(self.max),
        }
    }
}

/// Percentiles in milliseconds, as reported.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms (n={})",
            self.p50_ms, self.p90_ms, self.p99_ms, self.max_ms, self.count
        )
    }
}

/// Which sequence numbers a receiver got from each sender it should hear.
pub struct Seen {
    /// Sorted sender indices this receiver expects messages from.
    senders: Vec<u32>,
    bits: Vec<Vec<u64>>,
    pub duplicates: u64,
    pub unexpected: u64,
}

impl Seen {
    pub fn new(mut senders: Vec<u32>) -> Seen {
        senders.sort_unstable();
        senders.dedup();
        let bits = vec![Vec::new(); senders.len()];
        Seen {
            senders,
            bits,
            duplicates: 0,
            unexpected: 0,
        }
    }

    /// Records one delivery; false when it was a duplicate or unexpected.
    pub fn record(&mut self, sender: u32, seq: u64) -> bool {
        let Ok(i) = self.senders.binary_search(&sender) else {
            self.unexpected += 1;
            return false;
        };
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        let bits = &mut self.bits[i];
        if bits.len() <= word {
            bits.resize(word + 1, 0);
        }
        if bits[word] & (1 << bit) != 0 {
            self.duplicates += 1;
            return false;
        }
        bits[word] |= 1 << bit;
        true
    }

    /// Messages that were sent (`sent[s]` per sender) but never arrived.
    pub fn lost(&self, sent: impl Fn(u32) -> u64) -> u64 {
        self.senders
            .iter()
            .zip(&self.bits)
            .map(|(&s, bits)| {
                let got: u64 = bits.iter().map(|w| w.count_ones() as u64).sum();
                sent(s).saturating_sub(got)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_tight() {
        let mut last = 0;
        for v in [0, 1, 127, 128, 129, 1000, 65_432, 10_000_000, u64::MAX / 2] {
            let b = bucket_of(v);
            assert!(b >= last);
            last = b;
            let top = bucket_top(b);
            assert!(top >= v, "{v} -> top {top}");
            assert!(top as f64 <= v as f64 * 1.02 + 1.0, "{v} -> top {top}");
        }
    }

    #[test]
    fn quantiles_of_a_uniform_range() {
        let mut h = Histogram::default();
        for v in 1..=1000 {
            h.record(v);
        }
        let p50 = h.quantile(0.5);
        assert!((495..=510).contains(&p50), "{p50}");
        assert_eq!(h.quantile(1.0), 1000);
    }

    #[test]
    fn seen_counts_loss_and_duplicates() {
        let mut s = Seen::new(vec![3, 1]);
        assert!(s.record(1, 0));
        assert!(!s.record(1, 0));
        assert!(s.record(3, 70));
        assert!(!s.record(2, 0));
        assert_eq!((s.duplicates, s.unexpected), (1, 1));
        assert_eq!(s.lost(|_| 100), 99 + 99);
    }
}
