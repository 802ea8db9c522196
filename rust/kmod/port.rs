// SPDX-License-Identifier: GPL-2.0

//! Datapath ports: a net device of the datapath's network namespace attached under an OpenFlow port number,
//! with its counters and liveness.

use kernel::{
    prelude::*,
    sync::{rcu, Arc, ArcBorrow},
};

use crate::action;
use crate::counters::{Counters, Totals};
use crate::datapath::{self, Datapath};
use crate::ffi::net::{NetDev, PortHooks, Rtnl, Skb};
use crate::ffi::{PerCpu, RcuLink, Retire};
use crate::logic::gso::Wire;

/// Index of the missed-frame counter in [`Port`]'s per-CPU events.
const MISSED: usize = 0;
/// Index of the transmit-drop counter.
const TX_DROPPED: usize = 1;

/// An attached port.
///
/// # Invariants
///
/// While the port is in its datapath's port array, `dev`'s frame hook is registered with this
/// port as its data; `dev` is held until the port is freed, which happens only after a grace
/// period following its removal from the array and after the hook is unregistered.
pub(crate) struct Port {
    /// OpenFlow port number.
    pub(crate) no: u32,
    /// The device.
    pub(crate) dev: NetDev,
    /// The datapath the port belongs to (the cycle datapath -> port -> datapath is broken when
    /// the port is detached; every port is detached before the datapath goes).
    pub(crate) dp: Arc<Datapath>,
    /// Frames received.
    pub(crate) rx: Counters,
    /// Frames transmitted.
    pub(crate) tx: Counters,
    /// Received frames no flow matched, and frames dropped on output (per CPU).
    events: PerCpu<2>,
    /// Its deferred release after detach (process context: dropping `dp` may sleep).
    rcu: RcuLink,
}

impl Retire for Port {
    fn rcu_link(&self) -> &RcuLink {
        &self.rcu
    }
}

/// A reading of a port.
pub(crate) struct PortInfo {
    /// Port number.
    pub(crate) no: u32,
    /// Device index.
    pub(crate) ifindex: u32,
    /// Device name, NUL-padded.
    pub(crate) name: [u8; 16],
    /// Up with carrier.
    pub(crate) live: bool,
    /// Received.
    pub(crate) rx: Totals,
    /// Received and missed (frames).
    pub(crate) missed: u64,
    /// Transmitted.
    pub(crate) tx: Totals,
    /// Dropped on output (frames: down, too big for the MTU, or refused by the device).
    pub(crate) tx_dropped: u64,
}

impl Port {
    /// A port object for `dev` (not attached yet).
    pub(crate) fn new(no: u32, dev: NetDev, dp: Arc<Datapath>) -> Result<Arc<Self>> {
        Ok(Arc::new(
            Port {
                no,
                dev,
                dp,
                rx: Counters::new()?,
                tx: Counters::new()?,
                events: PerCpu::new()?,
                rcu: RcuLink::new(),
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    /// Whether the port is up with carrier: read from the device's state bits each time (two
    /// bit tests), so fast_failover reacts to the very next packet after a link change, without
    /// waiting for the notifier's (linkwatch-delayed) carrier events.
    pub(crate) fn is_live(&self) -> bool {
        self.dev.live()
    }

    /// A received frame matched no flow.
    pub(crate) fn count_missed(&self) {
        self.events.add(MISSED, 1);
    }

    /// Transmit a frame standing for `w` on the wire, counting it as sent or dropped.
    pub(crate) fn send(&self, skb: Skb, w: Wire) {
        if self.dev.xmit(skb) {
            self.tx.credit(w);
        } else {
            self.events.add(TX_DROPPED, 1);
        }
    }

    /// Read the port.
    pub(crate) fn info(&self) -> PortInfo {
        let [missed, tx_dropped] = self.events.sum();
        PortInfo {
            no: self.no,
            ifindex: self.dev.ifindex(),
            name: self.dev.name(),
            live: self.is_live(),
            rx: self.rx.read(),
            missed,
            tx: self.tx.read(),
            tx_dropped,
        }
    }
}

impl PortHooks for Port {
    fn rx(port: &Self, skb: Skb, rcu: &rcu::Guard) {
        action::receive(port, skb, rcu);
    }

    fn gone(port: ArcBorrow<'_, Self>, rtnl: &Rtnl) {
        datapath::device_gone(port, rtnl);
    }
}
