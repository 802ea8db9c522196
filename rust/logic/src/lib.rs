// SPDX-License-Identifier: GPL-2.0

//! ofgroup's logic that needs no kernel: bucket selection, flow hashing, liveness, validation,
//! chaining checks, per-frame work bounds, packet parsing, flow matches and the flow classifier. Plain `core`-only Rust
//! with no allocation, so the very same files are compiled into `ofgroup.ko` (as `mod logic`, see
//! `rust/kmod/ofgroup_main.rs`) and tested on the host with `cargo test`.
#![cfg_attr(not(MODULE), no_std)]

pub mod chain;
pub mod classifier;
pub mod error;
pub mod flow;
pub mod gso;
pub mod hash;
pub mod liveness;
pub mod model;
pub mod packet;
pub mod select;
pub mod validate;
pub mod work;
