// SPDX-License-Identifier: GPL-2.0

//! A tuple-space-search flow classifier over caller-provided slices: the kernel allocates, builds
//! a new classifier off the packet path and publishes it; lookups only read.
//!
//! Flows with the same mask share a [`Subtable`]. Inside a subtable, flows whose masked keys are
//! equal collapse into one [`Entry`] holding the best of them (highest priority, then lowest flow
//! index): the others can never win a lookup, since the best one matches whenever they do. Each
//! subtable owns a power-of-two run of `slots`, an open-addressing hash table (linear probing,
//! load at most 1/4) of indices into `entries`, keyed by the masked key's [`Key::hash`].
//!
//! Subtables are ordered by `max_priority`, highest first, so a lookup stops as soon as the best
//! match found has a higher priority than any remaining subtable could give.

use core::cmp::Ordering;

use super::flow::{Key, Match};

/// An empty slot.
pub const EMPTY: u32 = u32::MAX;

/// All flows with one mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Subtable {
    /// The mask every flow here has.
    pub mask: Key,
    /// The highest priority of the flows here.
    pub max_priority: u16,
    /// First slot of this subtable's hash table.
    pub slot_start: u32,
    /// Number of slots (a power of two, at least four times the entries).
    pub slot_len: u32,
}

/// One distinct masked key of a subtable and the flow that wins for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The masked key.
    pub key: Key,
    /// Index of the flow (into the `flows` given to [`build`]).
    pub flow: u32,
    /// That flow's priority.
    pub priority: u16,
}

/// Slice lengths: upper bounds from [`capacity`], or what [`build`] used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    /// Subtables.
    pub subtables: usize,
    /// Entries.
    pub entries: usize,
    /// Slots.
    pub slots: usize,
}

/// Slots for a subtable of `entries` entries: the next power of two >= `4 * entries`, at least 4.
/// A load factor of at most 1/4 keeps linear probing short (measured with `make bench-flows`:
/// at 1000 flows over 4 masks, 3.7 probes per hit instead of 8.3 at load 1/2, and the lookup
/// cost ratio 1000 vs 10 flows 1.10x instead of 1.3x) for 16 bytes per flow more.
fn slots_for(entries: usize) -> Option<usize> {
    entries.checked_mul(4)?.max(4).checked_next_power_of_two()
}

/// Upper bounds of the slice lengths [`build`] needs for `n_flows` flows: one subtable and one
/// entry per flow at worst, and fewer than 8 slots per entry (`4e <= slots < 8e`, at least 4).
pub fn capacity(n_flows: usize) -> Sizes {
    Sizes {
        subtables: n_flows,
        entries: n_flows,
        slots: n_flows.saturating_mul(8),
    }
}

/// In-place heapsort of `v` by `less`: O(n log n), no recursion, no allocation, and no panic
/// whatever `less` answers (unlike `core`'s sorts, which may panic on an inconsistent order).
pub fn heapsort<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let Some(mut child) = root.checked_mul(2).and_then(|c| c.checked_add(1)) else {
            return;
        };
        if child >= end {
            return;
        }
        // child < end <= v.len(), so child + 1 cannot overflow.
        if let (Some(a), Some(b)) = (v.get(child), v.get(child + 1)) {
            if child + 1 < end && less(a, b) {
                child += 1;
            }
        }
        match (v.get(root), v.get(child)) {
            (Some(r), Some(c)) if less(r, c) => v.swap(root, child),
            _ => return,
        }
        root = child;
    };
    let n = v.len();
    for start in (0..n / 2).rev() {
        sift(v, start, n);
    }
    for end in (1..n).rev() {
        // end < n: in bounds.
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// Build a classifier for `flows`, whose match and priority `view` gives. `order` is scratch of at
/// least `flows.len()`; `subtables`, `entries` and `slots` should be at least
/// [`capacity`]`(flows.len())`. Returns the lengths used (look up with slices cut to them), or
/// `None` if a slice was too short or there are `u32::MAX` or more flows. Never panics.
///
/// Matches are used as `key.masked(&mask)`, so a match breaking its invariant still behaves.
/// Runs in O(n log n) calls of `view`, which should be cheap and give the same answer each time.
pub fn build<T>(
    flows: &[T],
    view: impl Fn(&T) -> (&Match, u16),
    order: &mut [u32],
    subtables: &mut [Subtable],
    entries: &mut [Entry],
    slots: &mut [u32],
) -> Option<Sizes> {
    let n = flows.len();
    if n >= EMPTY as usize {
        return None;
    }
    let order = order.get_mut(..n)?;
    for (i, o) in (0u32..).zip(order.iter_mut()) {
        *o = i;
    }
    // (mask, masked key, priority) of flow `i`.
    let get = |i: u32| {
        flows.get(i as usize).map(|f| {
            let (m, prio) = view(f);
            (m.mask, m.key.masked(&m.mask), prio)
        })
    };
    // Group by mask, then by masked key, best first: priority descending, then index ascending.
    heapsort(order, |&a, &b| {
        let ord = match (get(a), get(b)) {
            (Some((ma, ka, pa)), Some((mb, kb, pb))) => {
                ma.0.cmp(&mb.0)
                    .then(ka.0.cmp(&kb.0))
                    .then(pb.cmp(&pa))
                    .then(a.cmp(&b))
            }
            _ => a.cmp(&b),
        };
        ord == Ordering::Less
    });

    // One subtable per mask, one entry per (mask, masked key): the first, i.e. the best, flow.
    // `slot_len` counts the subtable's entries until slots are laid out.
    let (mut n_sub, mut n_ent) = (0usize, 0usize);
    let mut prev: Option<(Key, Key)> = None;
    for &fi in order.iter() {
        let (mask, key, prio) = get(fi)?;
        match prev {
            Some((pm, pk)) if pm == mask => {
                if pk == key {
                    continue;
                }
                let st = subtables.get_mut(n_sub.checked_sub(1)?)?;
                st.max_priority = st.max_priority.max(prio);
                st.slot_len = st.slot_len.checked_add(1)?;
            }
            _ => {
                *subtables.get_mut(n_sub)? = Subtable {
                    mask,
                    max_priority: prio,
                    slot_start: 0,
                    slot_len: 1,
                };
                n_sub += 1;
            }
        }
        *entries.get_mut(n_ent)? = Entry {
            key,
            flow: fi,
            priority: prio,
        };
        n_ent += 1;
        prev = Some((mask, key));
    }

    // Lay out each subtable's hash table; its entries are the next `slot_len` ones.
    let (mut slot_at, mut ent_at) = (0usize, 0usize);
    for st in subtables.get_mut(..n_sub)? {
        let count = st.slot_len as usize;
        let len = slots_for(count)?;
        let end = slot_at.checked_add(len)?;
        let table = slots.get_mut(slot_at..end)?;
        table.fill(EMPTY);
        let ent_end = ent_at.checked_add(count)?;
        for (ei, e) in (ent_at..ent_end).zip(entries.get(ent_at..ent_end)?) {
            let mut i = (e.key.hash() & (len as u64 - 1)) as usize;
            // Load is at most 1/4: a free slot is always found.
            let mut placed = false;
            for _ in 0..len {
                let s = table.get_mut(i)?;
                if *s == EMPTY {
                    *s = u32::try_from(ei).ok()?;
                    placed = true;
                    break;
                }
                i = (i + 1) & (len - 1);
            }
            if !placed {
                return None;
            }
        }
        st.slot_start = u32::try_from(slot_at).ok()?;
        st.slot_len = u32::try_from(len).ok()?;
        slot_at = end;
        ent_at = ent_end;
    }

    // Highest max_priority first; ties in layout order, so the result is deterministic.
    heapsort(subtables.get_mut(..n_sub)?, |a, b| {
        (b.max_priority, a.slot_start) < (a.max_priority, b.slot_start)
    });
    Some(Sizes {
        subtables: n_sub,
        entries: n_ent,
        slots: slot_at,
    })
}

/// The flow matching `key` with the highest priority, lowest flow index among equals, in a
/// classifier made by [`build`] (slices cut to the [`Sizes`] it returned). Allocation-free, only
/// reads, and total: corrupt slices give a wrong answer, never a panic or an endless loop.
pub fn lookup(key: &Key, subtables: &[Subtable], entries: &[Entry], slots: &[u32]) -> Option<u32> {
    // Best so far: (priority, flow).
    let mut best: Option<(u16, u32)> = None;
    for st in subtables {
        if best.is_some_and(|(p, _)| p > st.max_priority) {
            break;
        }
        let len = st.slot_len as usize;
        if len == 0 {
            continue;
        }
        let mk = key.masked(&st.mask);
        let wrap = len - 1;
        let mut i = (mk.hash() & wrap as u64) as usize;
        // At most one pass over the table (and never more probes than there are slots).
        for _ in 0..len.min(slots.len()) {
            let Some(&s) = (st.slot_start as usize)
                .checked_add(i)
                .and_then(|at| slots.get(at))
            else {
                break;
            };
            if s == EMPTY {
                break;
            }
            if let Some(e) = entries.get(s as usize) {
                if e.key == mk {
                    let better = match best {
                        None => true,
                        Some((p, f)) => e.priority > p || (e.priority == p && e.flow < f),
                    };
                    if better {
                        best = Some((e.priority, e.flow));
                    }
                    break;
                }
            }
            i = (i + 1) & wrap;
        }
    }
    best.map(|(_, f)| f)
}
