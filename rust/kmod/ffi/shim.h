/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ofgroup C shim: out-of-line wrappers for kernel APIs that are static inline functions or macros,
 * so the Rust side can call them. Each wrapper is small; the safety contract is the wrapped API's,
 * restated on the Rust side (rust/kmod/ffi/).
 */
#ifndef OFGROUP_SHIM_H
#define OFGROUP_SHIM_H

#include <linux/types.h>

struct xarray;

/* ktime_get_boottime_ns(): monotonic, counts suspend; group durations use it. */
u64 ofg_boottime_ns(void);

/* xa_init(). */
void ofg_xa_init(struct xarray *xa);
/* xa_store() with GFP_KERNEL_ACCOUNT; returns 0 and the previous entry in *old, or -errno. */
int ofg_xa_store(struct xarray *xa, unsigned long index, void *entry, void **old);
/* xa_find(..., ULONG_MAX, XA_PRESENT): first entry at or after *index; caller holds RCU. */
void *ofg_xa_find(struct xarray *xa, unsigned long *index);

/*
 * Run fn(arg) after an RCU grace period (call_rcu() on a small allocated record). If the record
 * cannot be allocated, waits for a grace period and runs it before returning. Process context.
 */
void ofg_call_rcu(void (*fn)(void *arg), void *arg);

/* Run fn(args[i]) for i < n, each on its own kthread, and wait for all of them. Process context. */
int ofg_run_threads(int (*fn)(void *arg), void **args, unsigned int n);

#endif
