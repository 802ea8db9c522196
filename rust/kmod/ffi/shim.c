// SPDX-License-Identifier: GPL-2.0
/* ofgroup C shim: see shim.h. */
#include <linux/timekeeping.h>

#include "shim.h"

u64 ofg_boottime_ns(void)
{
	return ktime_get_boottime_ns();
}
