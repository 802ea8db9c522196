// SPDX-License-Identifier: GPL-2.0

//! Chaining checks: a group may refer to groups that do not exist yet (batch order must not matter),
//! but no change may create a loop, and no chain may be deeper than [`MAX_CHAIN_DEPTH`].
//!
//! The graph's nodes are group ids and its edges are references (`group:` actions and
//! `watch_group`), whether or not the target exists; a missing group is a leaf. The table is kept
//! loop-free and depth-bounded, so a change to group G can only create a loop through G's new edges,
//! and can only lengthen chains that pass through G. The check therefore walks down from G's new
//! targets (looking for G, measuring height) and up from G through the groups that refer to it
//! (measuring depth), with per-check memos so shared sub-chains are visited once: O(nodes + edges)
//! of the part of the graph connected to G, and nothing at all for a group without references
//! that nobody refers to. Recursion is bounded by [`MAX_CHAIN_DEPTH`] + 1 frames.

use super::model::MAX_CHAIN_DEPTH;

/// Which memo a value is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Memo {
    /// Longest chain below a group.
    Height,
    /// Longest chain above a group.
    Depth,
    /// Worst-case per-frame work of `group:G` ([`super::work`]).
    Work,
    /// Worst-case work of deciding a watched group's liveness ([`super::work`]).
    LiveWork,
    /// Set on the changed group and its ancestors during the work check ([`super::work`]).
    Ancestor,
}

impl Memo {
    /// Number of memos a group keeps.
    pub const COUNT: usize = 5;

    /// This memo's slot, `0..COUNT`.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// The table as the chaining check sees it. Memos live with the table's groups and are valid
/// for one check: [`ChainGraph::begin`] forgets them all.
pub trait ChainGraph {
    /// Call `f` for each id that existing group `id` refers to (duplicates allowed); nothing for
    /// a missing group.
    fn children(&self, id: u32, f: &mut dyn FnMut(u32));
    /// Call `f` for each existing group that refers to `id` (duplicates allowed).
    fn parents(&self, id: u32, f: &mut dyn FnMut(u32));
    /// Start a new check: all memos become unset.
    fn begin(&self);
    /// The memo of existing group `id`, if set during this check.
    fn memo(&self, id: u32, which: Memo) -> Option<u32>;
    /// Set the memo of existing group `id` (ignored for missing groups).
    fn set_memo(&self, id: u32, which: Memo, v: u32);
}

/// Why a change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// Group `.0` would reach itself; `.1` is the target through which it would.
    Loop(u32, u32),
    /// A chain through group `.0` would be `.1` links deep.
    TooDeep(u32, u32),
}

impl ChainError {
    /// As a table error for group `group`.
    pub fn to_error(self, group: u32) -> super::error::Error {
        use super::error::{Error, ErrorKind, Field};
        match self {
            ChainError::Loop(_, via) => Error::group(
                ErrorKind::Loop,
                group,
                Field::Actions,
                "would create a loop via group",
            )
            .with_value(u64::from(via)),
            ChainError::TooDeep(_, depth) => Error::group(
                ErrorKind::ChainTooDeep,
                group,
                Field::Actions,
                "chain of groups deeper than 16",
            )
            .with_value(u64::from(depth)),
        }
    }
}

/// Check installing group `id` with references `new_refs` (replacing its current ones, if any).
/// Returns the longest chain through `id` on success.
pub fn check(
    g: &dyn ChainGraph,
    id: u32,
    new_refs: &mut dyn Iterator<Item = u32>,
) -> Result<u32, ChainError> {
    g.begin();
    let mut height = 0;
    for c in new_refs {
        if c == id {
            return Err(ChainError::Loop(id, c));
        }
        let h = down(g, id, c, c, 1)? + 1;
        height = height.max(h);
        if height > MAX_CHAIN_DEPTH {
            return Err(ChainError::TooDeep(id, height));
        }
    }
    if height == 0 && !has_parent(g, id) {
        return Ok(0);
    }
    let depth = up(g, id, 1)?;
    let total = depth + height;
    if total > MAX_CHAIN_DEPTH {
        return Err(ChainError::TooDeep(id, total));
    }
    Ok(total)
}

fn has_parent(g: &dyn ChainGraph, id: u32) -> bool {
    let mut any = false;
    g.parents(id, &mut |_| any = true);
    any
}

/// Height of `v` (longest chain below it), failing if `root` is reachable. `via` is the root's
/// direct target the walk started from, for the error.
fn down(g: &dyn ChainGraph, root: u32, via: u32, v: u32, level: u32) -> Result<u32, ChainError> {
    if v == root {
        return Err(ChainError::Loop(root, via));
    }
    if let Some(h) = g.memo(v, Memo::Height) {
        return Ok(h);
    }
    if level > MAX_CHAIN_DEPTH {
        return Err(ChainError::TooDeep(root, level));
    }
    let mut best = 0;
    let mut err = None;
    g.children(v, &mut |c| {
        if err.is_none() {
            match down(g, root, via, c, level + 1) {
                Ok(h) => best = best.max(h + 1),
                Err(e) => err = Some(e),
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    g.set_memo(v, Memo::Height, best);
    Ok(best)
}

/// Depth of `v` (longest chain above it).
fn up(g: &dyn ChainGraph, v: u32, level: u32) -> Result<u32, ChainError> {
    if let Some(d) = g.memo(v, Memo::Depth) {
        return Ok(d);
    }
    if level > MAX_CHAIN_DEPTH + 1 {
        return Err(ChainError::TooDeep(v, level));
    }
    let mut best = 0;
    let mut err = None;
    g.parents(v, &mut |p| {
        if err.is_none() {
            match up(g, p, level + 1) {
                Ok(d) => best = best.max(d + 1),
                Err(e) => err = Some(e),
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    g.set_memo(v, Memo::Depth, best);
    Ok(best)
}
