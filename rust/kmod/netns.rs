// SPDX-License-Identifier: GPL-2.0

//! One datapath per network namespace, as openvswitch.ko keeps its datapaths and the kernel its
//! nexthop groups and routes: created with the namespace (or, for the namespaces that exist, at
//! module load) with the module parameters as its limits, and torn down when the namespace goes
//! away or the module unloads, whatever is installed and whatever traffic flows.
//!
//! Teardown (see `ffi/netns_shim.c` for where it runs): under RTNL, while the namespace's
//! devices are still registered, every port is detached (its frame hook unregistered, which
//! waits for frames in flight; the port and its device reference go after a grace period); then
//! the flows are deleted; after the detached ports' deferred drops have run (they hold the
//! datapath) the namespace's reference goes, the last one, and with it the group table, whose
//! groups are released after a grace period.

use kernel::{prelude::*, sync::Arc};

use crate::datapath::Datapath;
use crate::ffi::net::Rtnl;
use crate::ffi::netns::PernetState;
use crate::table::Table;

impl PernetState for Datapath {
    fn new() -> Result<Arc<Self>> {
        // Charged to whoever creates the namespace (GFP_KERNEL_ACCOUNT), as its contents are
        // to whoever installs them.
        let table = Arc::pin_init(Table::new(crate::limits()), GFP_KERNEL_ACCOUNT)?;
        Arc::pin_init(Datapath::new(table, crate::max_flows()), GFP_KERNEL_ACCOUNT)
    }

    fn exit_rtnl(dp: &Self, rtnl: &Rtnl) {
        dp.detach_all_locked(rtnl);
    }

    fn exit(dp: &Self) {
        // The flows hold references to groups; without them the table goes with its groups.
        if dp.flow_delete(None).is_err() {
            pr_warn!("ofgroup: could not delete a namespace's flows before freeing them\n");
        }
    }
}
