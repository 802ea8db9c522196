// SPDX-License-Identifier: GPL-2.0

//! Weighted bucket selection for `select` groups: weighted rendezvous hashing in integer arithmetic.
//!
//! Every live bucket with a non-zero weight draws a pseudo-random number `x_i` in (0, 1] from the flow
//! hash and its own `bucket_id`; the bucket with the smallest `-ln(x_i) / w_i` wins. `-ln(x)/w` is an
//! exponential variable of rate `w`, and the minimum of independent exponentials is bucket `i` with
//! probability `w_i / sum(w)`: the long-run share is proportional to weight (OVS's
//! `hash * weight` is not). Because a bucket's score depends only on the flow and that bucket,
//! removing (or killing) a bucket moves only the flows it had, and adding one takes about
//! `w_new / sum(w)` of the flows, each from whichever bucket held it.
//!
//! No floating point: `-log2(x)` is computed in fixed point (`LOG_FRAC_BITS` fraction bits) from a
//! 257-entry table built at compile time, with linear interpolation, and scores are compared by
//! cross-multiplication, so there is no division.

/// Fraction bits of the fixed-point `-log2`.
pub const LOG_FRAC_BITS: u32 = 20;

/// Index bits of the `log2` table: 256 intervals over the mantissa range [1, 2).
const TABLE_BITS: u32 = 8;

/// `LOG2_TABLE[i] = log2(1 + i / 256)` in Q32, for `i` in `0..=256`, computed at compile time in
/// integer arithmetic (there is no floating point in the kernel).
const LOG2_TABLE: [u64; (1 << TABLE_BITS) + 1] = {
    let mut t = [0u64; (1 << TABLE_BITS) + 1];
    let mut i = 0;
    while i < t.len() {
        t[i] = log2_mantissa_q32((1 << TABLE_BITS) + i as u64);
        i += 1;
    }
    t
};

/// `log2(num / 256)` in Q32 for `num` in `256..=512`, bit by bit: square the mantissa (Q63 in a
/// u128, so nothing overflows) and take a 1 bit whenever it reaches 2. Compile time only.
const fn log2_mantissa_q32(num: u64) -> u64 {
    if num >= 2 << TABLE_BITS {
        return 1 << 32;
    }
    let mut m: u128 = (num as u128) << (63 - TABLE_BITS);
    let mut frac = 0u64;
    let mut i = 0;
    while i < 32 {
        m = (m * m) >> 63;
        frac <<= 1;
        if m >= 1 << 64 {
            m >>= 1;
            frac |= 1;
        }
        i += 1;
    }
    frac
}

/// A bucket as selection sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The bucket's id: part of its per-flow draw, so the choice survives reordering of buckets.
    pub bucket_id: u32,
    /// Relative weight; 0 means never chosen.
    pub weight: u16,
    /// Liveness as resolved by [`super::liveness`]; dead buckets are never chosen.
    pub live: bool,
}

/// 64-bit finalizer (SplitMix64): a bijective mixer whose output bits are all well distributed.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `-log2(u / 2^32)` in fixed point with [`LOG_FRAC_BITS`] fraction bits, for `u` in `1..=2^32`.
///
/// A table lookup and a linear interpolation (error below 3e-6, far under what selection can
/// notice), a few nanoseconds per bucket. The result is in `0..=32 << LOG_FRAC_BITS`. Inputs
/// outside `1..=2^32` are clamped into it.
#[inline]
pub fn neg_log2_fixed(u: u64) -> u64 {
    // Total on every input (no panic in the kernel): out-of-range values are clamped.
    let u = u.clamp(1, 1 << 32);
    // log2(u) = e + log2(m), m = u / 2^e in [1, 2), here as a Q63 mantissa.
    let e = 63 - u64::from(u.leading_zeros());
    let m = u << (63 - e);
    let idx = ((m >> (63 - TABLE_BITS)) & ((1 << TABLE_BITS) - 1)) as usize;
    let frac = (m >> (31 - TABLE_BITS)) & 0xffff_ffff;
    let (lo, hi) = match (LOG2_TABLE.get(idx), LOG2_TABLE.get(idx + 1)) {
        (Some(&lo), Some(&hi)) => (lo, hi),
        _ => (0, 0), // unreachable: idx < 256
    };
    // hi - lo < 2^25 and frac < 2^32: the product fits in 64 bits.
    let log2_m = lo + (((hi - lo) * frac) >> 32);
    let log2_u = (e << 32) + log2_m;
    ((32u64 << 32) - log2_u) >> (32 - LOG_FRAC_BITS)
}

/// The fixed-point exponential "distance" of a bucket for a flow: `-log2(x)` with `x` drawn
/// uniformly in (0, 1] from `(flow_hash, bucket_id)`. Smaller distance divided by weight wins.
#[inline]
pub fn bucket_distance(flow_hash: u32, bucket_id: u32) -> u64 {
    let draw = mix64((u64::from(flow_hash) << 32) | u64::from(bucket_id)) >> 32;
    neg_log2_fixed(draw + 1)
}

/// Pick the bucket for a flow among `candidates` (in group order). Returns the index of the chosen
/// candidate, or `None` when no bucket is live with a non-zero weight (the packet is dropped).
///
/// Ties (probability about 2^-20 per pair) go to the earlier bucket.
pub fn select<I>(flow_hash: u32, candidates: I) -> Option<usize>
where
    I: IntoIterator<Item = Candidate>,
{
    // Best so far: (index, distance, weight). Compare d_i / w_i < d_b / w_b as d_i * w_b < d_b * w_i:
    // d <= 32 << 20 = 2^25 and w < 2^16, so products stay below 2^41.
    let mut best: Option<(usize, u64, u64)> = None;
    for (i, c) in candidates.into_iter().enumerate() {
        if !c.live || c.weight == 0 {
            continue;
        }
        let d = bucket_distance(flow_hash, c.bucket_id);
        let w = u64::from(c.weight);
        match best {
            Some((_, bd, bw)) if d * bw >= bd * w => {}
            _ => best = Some((i, d, w)),
        }
    }
    best.map(|(i, _, _)| i)
}

/// Fast-failover choice: the first live bucket in group order.
pub fn first_live<I>(live: I) -> Option<usize>
where
    I: IntoIterator<Item = bool>,
{
    live.into_iter().position(|l| l)
}

#[cfg(all(test, not(MODULE)))]
mod tests {
    use super::*;

    #[test]
    fn neg_log2_known_values() {
        let one = 1u64 << LOG_FRAC_BITS;
        assert_eq!(neg_log2_fixed(1 << 32), 0);
        assert_eq!(neg_log2_fixed(1 << 31), one);
        assert_eq!(neg_log2_fixed(1 << 30), 2 * one);
        assert_eq!(neg_log2_fixed(1), 32 * one);
        // -log2(3/4) = 0.415037...
        let v = neg_log2_fixed(3 << 30) as f64 / one as f64;
        assert!((v - 0.415_037_499).abs() < 2e-6, "{v}");
    }

    #[test]
    fn neg_log2_matches_float_everywhere() {
        let one = (1u64 << LOG_FRAC_BITS) as f64;
        let mut u: u64 = 1;
        while u <= 1 << 32 {
            let want = -((u as f64) / 4294967296.0).log2();
            let got = neg_log2_fixed(u) as f64 / one;
            assert!(
                (want - got).abs() < 3.0 / one,
                "u={u} want={want} got={got}"
            );
            u = u * 3 / 2 + 1;
        }
    }
}
