// SPDX-License-Identifier: GPL-2.0

//! ofgroup: an OpenFlow-style group table datapath.
//!
//! Crate root of `ofgroup.ko`. Files below hold one responsibility each; `ffi` is the only place
//! that touches C.

// Only `ffi` may hold unsafe code (see its `allow` below).
#![deny(unsafe_code)]

use kernel::prelude::*;

mod action;
// Load-time micro-benchmarks: only in the bench variant (scripts/module.sh OFGROUP_VARIANT=bench).
#[cfg(ofgroup_bench)]
mod bench;
mod bucket;
mod counters;
mod datapath;
#[allow(unsafe_code)]
mod ffi;
mod flow;
mod genl;
mod group;
mod netns;
mod port;
mod table;

// The netlink ABI shared with the userspace tools (rust/abi), compiled from the same file.
#[path = "../abi/src/lib.rs"]
pub mod abi;

// The logic shared with the userspace tools (rust/logic), compiled from the same files.
#[path = "../logic/src/lib.rs"]
pub mod logic;

// KUnit suites live in kunit/ and are compiled only into the kunit variant of the module
// (scripts/module.sh OFGROUP_VARIANT=kunit), where they run at insmod.
#[cfg(ofgroup_kunit)]
#[path = "../../kunit/flow_tests.rs"]
mod flow_tests;
#[cfg(ofgroup_kunit)]
#[path = "../../kunit/table_tests.rs"]
mod table_tests;

use table::Limits;

/// The module's declaration; the bench variant adds its benchmarks' parameters.
macro_rules! ofgroup_module {
    ($($extra:tt)*) => {
        module! {
            type: OfGroup,
            name: "ofgroup",
            authors: ["ofgroup developers"],
            description: "OpenFlow-style group table datapath",
            license: "GPL",
            params: {
                max_groups: u32 {
                    default: 1_048_576,
                    description: "Most groups the table holds (OFPGMFC_OUT_OF_GROUPS beyond)",
                },
                max_buckets: u32 {
                    default: 1024,
                    description: "Most buckets one group holds (OFPGMFC_OUT_OF_BUCKETS beyond)",
                },
                max_flows: u32 {
                    default: 1_048_576,
                    description: "Most flows a namespace's datapath holds (OFPFMFC_TABLE_FULL beyond)",
                },
                $($extra)*
            },
        }
    };
}

#[cfg(not(ofgroup_bench))]
ofgroup_module!();

#[cfg(ofgroup_bench)]
ofgroup_module! {
    bench_lookup: u32 {
        default: 0,
        description: "Benchmark: if non-zero, at load time compare lookup cost at 16 groups and at this many",
    },
    bench_flows: u32 {
        default: 0,
        description: "Benchmark: if non-zero, at load time compare flow lookup cost at 10 flows and at this many",
    },
}

/// Version string logged at load; matches the userspace crates' version.
const VERSION: &str = "0.1.0";

/// The limits the module was loaded with: each namespace's group table starts with them.
pub(crate) fn limits() -> Limits {
    Limits {
        max_groups: module_parameters::max_groups.value(),
        max_buckets: module_parameters::max_buckets.value(),
    }
}

/// The flow limit the module was loaded with: each namespace's flow table holds at most this many.
pub(crate) fn max_flows() -> usize {
    module_parameters::max_flows.value() as usize
}

struct OfGroup {
    loaded_at_ns: u64,
    /// Dropped after the rest (its drop waits for every deferred release).
    deferrals: Option<ffi::Deferrals>,
    family: Option<Pin<KBox<ffi::genl::Family<genl::Ops>>>>,
    hooks: Option<ffi::net::NetHooks<port::Port>>,
}

impl kernel::Module for OfGroup {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let loaded_at_ns = ffi::boottime_ns();
        // First: anything below may defer a release; on a failure further down it is dropped
        // last and waits for those.
        let deferrals = ffi::Deferrals::init()?;
        let l = limits();
        let max_flows = module_parameters::max_flows.value();
        if let Err(msg) = logic::validate::check_limits(l.max_groups, l.max_buckets, max_flows) {
            pr_err!("{}\n", msg);
            return Err(EINVAL);
        }
        #[cfg(ofgroup_bench)]
        bench::run(
            module_parameters::bench_lookup.value(),
            module_parameters::bench_flows.value(),
        )?;
        // The device notifier first (it detaches ports whose device goes), then a datapath in
        // every namespace, then the family that reaches them.
        let hooks = ffi::net::NetHooks::register()?;
        let dps = ffi::netns::Pernet::register()?;
        let family = KBox::pin_init(
            ffi::genl::Family::register(module, genl::Ops::new(dps)),
            GFP_KERNEL,
        )?;
        pr_info!(
            "ofgroup {} loaded (max_groups={}, max_buckets={}, max_flows={})\n",
            VERSION,
            l.max_groups,
            l.max_buckets,
            max_flows
        );
        Ok(OfGroup {
            loaded_at_ns,
            deferrals: Some(deferrals),
            family: Some(family),
            hooks: Some(hooks),
        })
    }
}

impl Drop for OfGroup {
    fn drop(&mut self) {
        // Unregister the family first (it waits for running operations), then its handler's
        // per-namespace registration: every namespace's datapath is torn down as when the
        // namespace goes (`netns.rs`: ports detached under RTNL, flows deleted, the datapath
        // freed once the detached ports' deferred drops have run, its groups after a grace
        // period); stop the device notifier; then wait for every deferred release (groups,
        // flow snapshots, ports, datapaths) to run before the module's code goes.
        drop(self.family.take());
        drop(self.hooks.take());
        drop(self.deferrals.take());
        let up_ms = ffi::boottime_ns().wrapping_sub(self.loaded_at_ns) / 1_000_000;
        pr_info!("ofgroup {} unloaded after {} ms\n", VERSION, up_ms);
    }
}
