/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ofgroup C shim: out-of-line wrappers for kernel APIs that are static inline functions or macros,
 * so the Rust side can call them. Each wrapper is a single call; the safety contract is the
 * wrapped API's, restated on the Rust side.
 */
#ifndef OFGROUP_SHIM_H
#define OFGROUP_SHIM_H

#include <linux/types.h>

/* ktime_get_boottime_ns(): monotonic, counts suspend; group durations use it. */
u64 ofg_boottime_ns(void);

#endif
