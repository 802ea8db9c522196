// SPDX-License-Identifier: GPL-2.0

//! In-kernel micro-benchmarks, run at load time when asked for with a module parameter
//! (`make bench-lookup` on the perf kernel). They report measured times and ratios in the kernel
//! log; they assert nothing.

use kernel::{prelude::*, sync::rcu};

use crate::ffi;
use crate::logic::model::{GroupSpec, GroupType};
use crate::logic::{hash::FieldSet, select::mix64};
use crate::table::{AddMode, Limits, Table};

/// Average nanoseconds per lookup of a random existing group, over `lookups` lookups, in a table
/// of `n` empty groups with ids 0..n.
fn lookup_ns(n: u32, lookups: u32) -> Result<u64> {
    let t = KBox::pin_init(
        Table::new(Limits {
            max_groups: n,
            max_buckets: 1,
        }),
        GFP_KERNEL,
    )?;
    for id in 0..n {
        let spec = GroupSpec {
            id,
            group_type: GroupType::All,
            fields: FieldSet(0),
            basis: 0,
            buckets: &[],
        };
        t.add(&spec, AddMode::Add).map_err(|_| ENOMEM)?;
    }
    let mut found = 0u32;
    let start = ffi::boottime_ns();
    for i in 0..lookups {
        let id = (mix64(u64::from(i)) % u64::from(n)) as u32;
        let rcu = rcu::read_lock();
        if t.lookup(&rcu, id).is_some() {
            found += 1;
        }
    }
    let ns = ffi::boottime_ns().saturating_sub(start);
    if found != lookups {
        return Err(EINVAL);
    }
    Ok(ns / u64::from(lookups.max(1)))
}

/// Lookup cost at 16 groups and at `big` groups; prints both and their ratio.
pub(crate) fn lookup(big: u32) -> Result {
    const LOOKUPS: u32 = 2_000_000;
    let small = lookup_ns(16, LOOKUPS)?;
    let large = lookup_ns(big, LOOKUPS)?;
    pr_info!(
        "bench lookup: 16 groups {} ns, {} groups {} ns, ratio {}.{:02}\n",
        small,
        big,
        large,
        large / small.max(1),
        (large * 100 / small.max(1)) % 100
    );
    Ok(())
}
