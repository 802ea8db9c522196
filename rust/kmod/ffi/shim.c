// SPDX-License-Identifier: GPL-2.0
/* ofgroup C shim: see shim.h. */
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "shim.h"

u64 ofg_boottime_ns(void)
{
	return ktime_get_boottime_ns();
}

void ofg_xa_init(struct xarray *xa)
{
	xa_init(xa);
}

int ofg_xa_store(struct xarray *xa, unsigned long index, void *entry, void **old)
{
	void *prev = xa_store(xa, index, entry, GFP_KERNEL_ACCOUNT);

	if (xa_is_err(prev))
		return xa_err(prev);
	*old = prev;
	return 0;
}

void *ofg_xa_find(struct xarray *xa, unsigned long *index)
{
	return xa_find(xa, index, ULONG_MAX, XA_PRESENT);
}

struct ofg_deferred {
	struct rcu_head rcu;
	void (*fn)(void *arg);
	void *arg;
};

static void ofg_deferred_cb(struct rcu_head *head)
{
	struct ofg_deferred *d = container_of(head, struct ofg_deferred, rcu);

	d->fn(d->arg);
	kfree(d);
}

void ofg_call_rcu(void (*fn)(void *arg), void *arg)
{
	struct ofg_deferred *d = kmalloc(sizeof(*d), GFP_KERNEL);

	if (!d) {
		synchronize_rcu();
		fn(arg);
		return;
	}
	d->fn = fn;
	d->arg = arg;
	call_rcu(&d->rcu, ofg_deferred_cb);
}

struct ofg_thread {
	int (*fn)(void *arg);
	void *arg;
	struct completion done;
};

static int ofg_thread_main(void *p)
{
	struct ofg_thread *t = p;

	t->fn(t->arg);
	/* Completes and exits without returning into module text. */
	kthread_complete_and_exit(&t->done, 0);
}

int ofg_run_threads(int (*fn)(void *arg), void **args, unsigned int n)
{
	struct ofg_thread *t = kcalloc(n, sizeof(*t), GFP_KERNEL);
	unsigned int i;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct task_struct *task;

		t[i].fn = fn;
		t[i].arg = args[i];
		init_completion(&t[i].done);
		task = kthread_run(ofg_thread_main, &t[i], "ofgroup/%u", i);
		if (IS_ERR(task)) {
			fn(args[i]);
			complete(&t[i].done);
		}
	}
	for (i = 0; i < n; i++)
		wait_for_completion(&t[i].done);
	kfree(t);
	return 0;
}
