// SPDX-License-Identifier: GPL-2.0

//! ofgroup: an OpenFlow-style group table datapath.
//!
//! Crate root of `ofgroup.ko`. Files below hold one responsibility each; `ffi` is the only place
//! that touches C.

use kernel::prelude::*;

mod ffi;
// The logic shared with the userspace tools (rust/logic), compiled from the same files.
#[path = "../logic/src/lib.rs"]
pub mod logic;

module! {
    type: OfGroup,
    name: "ofgroup",
    authors: ["ofgroup developers"],
    description: "OpenFlow-style group table datapath",
    license: "GPL",
}

/// Version string logged at load; matches the userspace crates' version.
const VERSION: &str = "0.1.0";

struct OfGroup {
    loaded_at_ns: u64,
}

impl kernel::Module for OfGroup {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let loaded_at_ns = ffi::boottime_ns();
        pr_info!("ofgroup {} loaded\n", VERSION);
        Ok(OfGroup { loaded_at_ns })
    }
}

impl Drop for OfGroup {
    fn drop(&mut self) {
        let up_ms = ffi::boottime_ns().wrapping_sub(self.loaded_at_ns) / 1_000_000;
        pr_info!("ofgroup {} unloaded after {} ms\n", VERSION, up_ms);
    }
}

#[kunit_tests(ofgroup_skeleton)]
mod tests {
    use super::ffi;
    use super::logic::select::{select, Candidate};

    #[test]
    fn boottime_is_monotonic() {
        let a = ffi::boottime_ns();
        let b = ffi::boottime_ns();
        assert!(a > 0);
        assert!(b >= a);
    }

    /// The shared selection code behaves the same in the kernel build (overflow checks on):
    /// weights 1:3 split 40k consecutive flow hashes within ±5% of 25/75.
    #[test]
    fn select_is_proportional_in_kernel() {
        let c = [
            Candidate {
                bucket_id: 0,
                weight: 1,
                live: true,
            },
            Candidate {
                bucket_id: 1,
                weight: 3,
                live: true,
            },
        ];
        let mut first = 0u32;
        for h in 0..40_000u32 {
            if select(h.wrapping_mul(0x9e37_79b9), c) == Some(0) {
                first += 1;
            }
        }
        kernel::pr_info!("select 1:3 over 40000 flows: bucket 0 got {}\n", first);
        assert!((9_500..=10_500).contains(&first));
    }
}
