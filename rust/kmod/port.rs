// SPDX-License-Identifier: GPL-2.0

//! Datapath ports: a net device of the initial netns attached under an OpenFlow port number,
//! with its counters and liveness.

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    sync::Arc,
};

use crate::counters::{Counters, Totals};
use crate::datapath::Datapath;
use crate::ffi::net::NetDev;

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
    /// Received frames no flow matched.
    missed: Atomic<u64>,
    /// Frames the device refused.
    tx_dropped: Atomic<u64>,
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
    /// Received and missed.
    pub(crate) missed: u64,
    /// Transmitted.
    pub(crate) tx: Totals,
    /// Dropped on output.
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
                rx: Counters::new(),
                tx: Counters::new(),
                missed: Atomic::new(0),
                tx_dropped: Atomic::new(0),
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
        self.missed.add(1u64, Relaxed);
    }

    /// Transmit a frame of `len` bytes, counting it.
    pub(crate) fn send(&self, skb: crate::ffi::net::Skb) {
        let len = u64::from(skb.len());
        if self.dev.xmit(skb) {
            self.tx.credit(len);
        } else {
            self.tx_dropped.add(1u64, Relaxed);
        }
    }

    /// Read the port.
    pub(crate) fn info(&self) -> PortInfo {
        PortInfo {
            no: self.no,
            ifindex: self.dev.ifindex(),
            name: self.dev.name(),
            live: self.is_live(),
            rx: self.rx.read(),
            missed: self.missed.load(Relaxed),
            tx: self.tx.read(),
            tx_dropped: self.tx_dropped.load(Relaxed),
        }
    }
}
