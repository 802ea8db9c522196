// SPDX-License-Identifier: GPL-2.0

//! The datapath: the group table, the flow table and the ports, and the operations that span
//! them (attach/detach, group deletion that takes its flows along, packet-execute). There is one
//! per network namespace (`netns.rs`); its ports are devices of that namespace.
//!
//! Locking: port changes run under RTNL (netlink and the netdevice notifier both hold it);
//! flow changes and group deletions are serialized by `flows_lock`, taken before the group
//! table's own writer lock, so a flow can never be added naming a group while that group is
//! being deleted. The packet path takes no lock.

use kernel::{
    new_mutex,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    sync::{rcu, Arc, ArcBorrow, Mutex},
};

use crate::ffi::PerCpu;

use crate::action;
use crate::ffi::net::{DevError, NetDev, Rtnl, Skb};
use crate::ffi::netns::Net;
use crate::ffi::{net, RcuXArray, Retired};
use crate::flow::{FlowError, FlowTable, Selector};
use crate::logic::model::{BucketPos, BucketSpec, GroupSpec};
use crate::logic::{flow::Match, model::Action};
use crate::port::{Port, PortInfo};
use crate::table::{AddMode, OpResult, PortLiveness, Table};

/// Largest port number (OFPP_MAX).
pub(crate) const PORT_MAX: u32 = crate::logic::model::OFPP_MAX;

/// Datapath-wide counters.
pub(crate) struct DpStats {
    /// Frames that matched a flow.
    pub(crate) hit: u64,
    /// Frames that matched none.
    pub(crate) missed: u64,
    /// Frames or copies dropped by actions.
    pub(crate) lost: u64,
    /// Installed flows.
    pub(crate) flows: u32,
    /// Attached ports.
    pub(crate) ports: u32,
}

/// Why a port request was refused.
pub(crate) enum PortError {
    /// No such device (or port).
    NoDevice,
    /// Not an Ethernet device, or loopback.
    NotEthernet,
    /// The port number is taken.
    Exists(u32),
    /// No free port number.
    Full,
    /// Another rx_handler owns the device.
    Busy,
    /// Out of memory or another kernel error.
    Kernel(Error),
}

/// The datapath.
#[pin_data]
pub(crate) struct Datapath {
    /// Groups.
    pub(crate) table: Arc<Table>,
    /// Flows.
    #[pin]
    pub(crate) flows: FlowTable,
    /// Serializes flow changes with group deletions.
    #[pin]
    flows_lock: Mutex<()>,
    /// Ports by number (changed under RTNL).
    #[pin]
    ports: RcuXArray<Port>,
    n_ports: Atomic<u32>,
    /// Frames hit / missed / lost (indices [`HIT`], [`MISSED`], [`LOST`]), per CPU.
    counts: PerCpu<3>,
}

const HIT: usize = 0;
const MISSED: usize = 1;
const LOST: usize = 2;

/// Port liveness for the group table, read from the port array on the packet path.
pub(crate) struct PortsLive<'a> {
    dp: &'a Datapath,
}

impl PortLiveness for PortsLive<'_> {
    fn is_live(&self, port: u32) -> bool {
        // Nested in the caller's read section (cheap); a port's liveness is one atomic word.
        let rcu = rcu::read_lock();
        self.dp.port(&rcu, port).is_some_and(|p| p.is_live())
    }
}

impl Datapath {
    /// A datapath serving `table`, with no flows (and room for `max_flows`) and no ports.
    pub(crate) fn new(table: Arc<Table>, max_flows: usize) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            table,
            flows <- FlowTable::with_max(max_flows),
            flows_lock <- new_mutex!(()),
            ports <- RcuXArray::new(),
            n_ports: Atomic::new(0),
            counts: PerCpu::new()?,
        })
    }

    /// Port `no` on the packet path.
    pub(crate) fn port<'a>(&'a self, rcu: &'a rcu::Guard, no: u32) -> Option<&'a Port> {
        self.ports.get(rcu, no)
    }

    /// Liveness view for the group table.
    pub(crate) fn ports_live(&self) -> PortsLive<'_> {
        PortsLive { dp: self }
    }

    pub(crate) fn count_hit(&self) {
        self.counts.add(HIT, 1);
    }
    pub(crate) fn count_missed(&self) {
        self.counts.add(MISSED, 1);
    }
    pub(crate) fn count_lost(&self) {
        self.counts.add(LOST, 1);
    }

    /// Datapath counters.
    pub(crate) fn stats(&self) -> DpStats {
        let [hit, missed, lost] = self.counts.sum();
        DpStats {
            hit,
            missed,
            lost,
            flows: self.flows.len() as u32,
            ports: self.n_ports.load(Relaxed),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Ports.

    /// Attach device `ifindex` (or, when 0, `name`) of namespace `net` (the datapath's own) as
    /// port `no` (or the lowest free number).
    pub(crate) fn attach(
        dp: &Arc<Datapath>,
        net: &Net<'_>,
        no: Option<u32>,
        ifindex: u32,
        name: &[u8],
    ) -> Result<PortInfo, PortError> {
        let rtnl = Rtnl::lock();
        let dev = NetDev::get(&rtnl, net, ifindex, name).map_err(|e| match e {
            DevError::NoDevice => PortError::NoDevice,
            DevError::NotEthernet => PortError::NotEthernet,
        })?;
        let no = match no {
            Some(n) => {
                if dp.ports.get_arc(n).is_some() {
                    return Err(PortError::Exists(n));
                }
                n
            }
            None => dp.free_port_no().ok_or(PortError::Full)?,
        };
        let port = Port::new(no, dev, dp.clone()).map_err(PortError::Kernel)?;
        port.dev.hook(&rtnl, port.clone()).map_err(|e| {
            if e == EBUSY {
                PortError::Busy
            } else {
                PortError::Kernel(e)
            }
        })?;
        if let Err(e) = dp.ports.store(no, port.clone()) {
            drop(port.dev.unhook::<Port>(&rtnl));
            return Err(PortError::Kernel(e));
        }
        dp.n_ports.add(1u32, Relaxed);
        Ok(port.info())
    }

    /// The lowest unused port number. Under RTNL.
    fn free_port_no(&self) -> Option<u32> {
        let rcu = rcu::read_lock();
        let mut cursor = 1usize;
        let mut want = 1u32;
        while let Some((no, _)) = self.ports.find(&rcu, &mut cursor) {
            if no != want {
                break;
            }
            want = want.checked_add(1)?;
            cursor = no as usize + 1;
        }
        (want <= PORT_MAX).then_some(want)
    }

    /// Detach port `no`; `false` if there is none.
    pub(crate) fn detach(&self, no: u32) -> bool {
        let rtnl = Rtnl::lock();
        self.detach_locked(&rtnl, no)
    }

    /// Detach port `no` under RTNL: unpublish it, stop its frame hook (which waits for frames
    /// in flight); the port (and its device reference) is freed after a grace period, when no
    /// packet can still be transmitting through it.
    fn detach_locked(&self, rtnl: &Rtnl, no: u32) -> bool {
        let Some(retired) = self.ports.erase(no) else {
            return false;
        };
        self.retire_port(rtnl, retired);
        true
    }

    /// Finish detaching a port already unpublished from `ports`, under RTNL.
    fn retire_port(&self, rtnl: &Rtnl, retired: Retired<Port>) {
        if let Some(port) = retired.value() {
            drop(port.dev.unhook::<Port>(rtnl));
        }
        self.n_ports.fetch_sub(1u32, Relaxed);
    }

    /// Detach every port, under RTNL (the namespace or the module is going away).
    pub(crate) fn detach_all_locked(&self, rtnl: &Rtnl) {
        self.ports
            .drain(|_, retired| self.retire_port(rtnl, retired));
    }

    /// Port `no` (counted reference), for replies.
    pub(crate) fn port_info(&self, no: u32) -> Option<PortInfo> {
        self.ports.get_arc(no).map(|p| p.info())
    }

    /// The first port with number >= `*cursor`, and the cursor past it.
    pub(crate) fn next_port(&self, cursor: &mut u64) -> Option<PortInfo> {
        let rcu = rcu::read_lock();
        let mut c = usize::try_from(*cursor).ok()?;
        let (no, p) = self.ports.find(&rcu, &mut c)?;
        *cursor = u64::from(no) + 1;
        Some(p.info())
    }

    // -----------------------------------------------------------------------------------------
    // Flows and group deletion.

    /// Add a flow.
    pub(crate) fn flow_add(
        &self,
        priority: u16,
        m: Match,
        actions: &[Action],
    ) -> Result<(), FlowError> {
        let _g = self.flows_lock.lock();
        self.flows.add(&self.table, priority, m, actions)
    }

    /// Modify flows.
    pub(crate) fn flow_modify(
        &self,
        sel: Selector<'_>,
        actions: &[Action],
    ) -> Result<u32, FlowError> {
        let _g = self.flows_lock.lock();
        self.flows.modify(&self.table, sel, actions)
    }

    /// Delete flows.
    pub(crate) fn flow_delete(&self, sel: Option<Selector<'_>>) -> Result<u32, FlowError> {
        let _g = self.flows_lock.lock();
        self.flows.delete(sel)
    }

    /// Add or modify a group. Under `flows_lock`, so the flows that reach it are stable while
    /// the table rechecks their per-frame work.
    pub(crate) fn group_add(&self, spec: &GroupSpec<'_>, mode: AddMode) -> OpResult {
        let _g = self.flows_lock.lock();
        self.table.add_checked(spec, mode, &self.flows)
    }

    /// Insert buckets into a group (like `group_add`).
    pub(crate) fn group_insert_buckets(
        &self,
        id: u32,
        pos: BucketPos,
        new: &[BucketSpec<'_>],
    ) -> OpResult {
        let _g = self.flows_lock.lock();
        self.table.insert_buckets_checked(id, pos, new, &self.flows)
    }

    /// Delete group `id` (every group with `None`) and every flow that names a deleted group.
    /// Returns how many groups went.
    pub(crate) fn group_delete(&self, id: Option<u32>) -> Result<u32, FlowError> {
        let _g = self.flows_lock.lock();
        // The flows naming the groups go first: that step can fail (it allocates the new flow
        // snapshot), deleting groups cannot, so a failure changes nothing and no flow is ever
        // left naming a missing group. (Flows name only existing groups: every group-naming
        // flow names one of "all groups".)
        self.flows
            .delete_using_groups(|g| id.is_none_or(|id| id == g))?;
        Ok(match id {
            Some(id) => u32::from(self.table.delete(id)),
            None => self.table.delete_all(),
        })
    }

    // -----------------------------------------------------------------------------------------
    // Packet execute.

    /// Run `frame` through the datapath as if port `in_port` received it. `false`: no such port.
    pub(crate) fn execute(&self, in_port: u32, frame: &[u8]) -> Result<bool> {
        let Some(port) = self.ports.get_arc(in_port) else {
            return Ok(false);
        };
        let skb = Skb::from_frame(frame, &port.dev).ok_or(ENOMEM)?;
        net::with_bh_disabled(|| {
            let rcu = rcu::read_lock();
            action::receive(&port, skb, &rcu);
        });
        Ok(true)
    }
}

/// A port's device is going away (unregistered, or moved to another netns), under RTNL:
/// detach the port so the device's reference is given back and unregistering completes.
pub(crate) fn device_gone(port: ArcBorrow<'_, Port>, rtnl: &Rtnl) {
    // Detaching gives back the reference `port` borrows from: keep one of our own.
    let port: Arc<Port> = port.into();
    port.dp.detach_locked(rtnl, port.no);
}
