// SPDX-License-Identifier: GPL-2.0
/* ofgroup C shim: see shim.h. */
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <net/genetlink.h>
#include <net/netlink.h>

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

static struct workqueue_struct *ofg_rcu_wq;
static atomic_long_t ofg_rcu_queued = ATOMIC_LONG_INIT(0);

static void ofg_rcu_link_run(struct work_struct *work)
{
	struct ofg_rcu_link *link = container_of(to_rcu_work(work), struct ofg_rcu_link, rw);
	void (*fn)(void *arg) = link->fn;
	void *arg = link->arg;

	/* fn may free the object the link is embedded in: nothing touches the link after it. */
	fn(arg);
	atomic_long_dec(&ofg_rcu_queued);
}

void ofg_rcu_link_queue(struct ofg_rcu_link *link, void (*fn)(void *arg), void *arg)
{
	link->fn = fn;
	link->arg = arg;
	atomic_long_inc(&ofg_rcu_queued);
	INIT_RCU_WORK(&link->rw, ofg_rcu_link_run);
	queue_rcu_work(ofg_rcu_wq, &link->rw);
}

int ofg_rcu_init(void)
{
	ofg_rcu_wq = alloc_workqueue("ofgroup_rcu", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return ofg_rcu_wq ? 0 : -ENOMEM;
}

void ofg_rcu_flush(void)
{
	/*
	 * A run may queue more (dropping an object that owns an RCU cell): rcu_barrier() waits for
	 * the grace-period callbacks that queue the works, flush_workqueue() for the works; repeat
	 * until none is left.
	 */
	while (atomic_long_read(&ofg_rcu_queued)) {
		rcu_barrier();
		flush_workqueue(ofg_rcu_wq);
	}
}

void ofg_rcu_exit(void)
{
	/* Then destroy_workqueue() never sees a queueing from outside. */
	ofg_rcu_flush();
	destroy_workqueue(ofg_rcu_wq);
	ofg_rcu_wq = NULL;
}

long ofg_rcu_pending(void)
{
	return atomic_long_read(&ofg_rcu_queued);
}

#ifdef OFGROUP_KUNIT
/* Kernel threads for KUnit's concurrency tests: only in the kunit variant (Kbuild). */
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
#endif /* OFGROUP_KUNIT */

const void *ofg_genl_info_attrs(const struct genl_info *info, int *len)
{
	*len = genlmsg_len(info->genlhdr);
	return genlmsg_data(info->genlhdr);
}

u8 ofg_cb_cmd(const struct netlink_callback *cb)
{
	return ((const struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
}

const struct genl_family *ofg_cb_family(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->family;
}

const void *ofg_cb_attrs(const struct netlink_callback *cb, int *len)
{
	int l = nlmsg_len(cb->nlh) - GENL_HDRLEN;

	*len = l > 0 ? l : 0;
	return (const u8 *)nlmsg_data(cb->nlh) + GENL_HDRLEN;
}

void ofg_genl_set_err(struct genl_info *info, const char *msg, const struct nlattr *bad)
{
	NL_SET_ERR_MSG_FMT(info->extack, "%s", msg);
	if (bad)
		NL_SET_BAD_ATTR(info->extack, bad);
}

void ofg_cb_set_err(struct netlink_callback *cb, const char *msg)
{
	NL_SET_ERR_MSG_FMT(cb->extack, "%s", msg);
}

struct sk_buff *ofg_genlmsg_new(size_t size)
{
	return genlmsg_new(size, GFP_KERNEL);
}

void *ofg_genlmsg_put_reply(struct sk_buff *skb, struct genl_info *info,
			    const struct genl_family *family, u8 cmd)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq, family, 0, cmd);
}

void *ofg_genlmsg_put_dump(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct genl_family *family, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, family,
			   NLM_F_MULTI, cmd);
}

void *ofg_genlmsg_put_ntf(struct sk_buff *skb, const struct genl_family *family, u8 cmd)
{
	return genlmsg_put(skb, 0, 0, family, 0, cmd);
}

void ofg_genlmsg_end(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
}

void ofg_genlmsg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

void ofg_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

int ofg_genlmsg_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

int ofg_genlmsg_multicast(const struct genl_family *family, struct net *net,
			  struct sk_buff *skb, u32 group)
{
	return genlmsg_multicast_netns(family, net, skb, 0, group, GFP_KERNEL);
}

int ofg_nla_put_u16(struct sk_buff *skb, int type, u16 v)
{
	return nla_put_u16(skb, type, v);
}

int ofg_nla_put_u32(struct sk_buff *skb, int type, u32 v)
{
	return nla_put_u32(skb, type, v);
}

int ofg_nla_put_uint(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_uint(skb, type, v);
}

int ofg_nla_put_flag(struct sk_buff *skb, int type)
{
	return nla_put_flag(skb, type);
}

struct nlattr *ofg_nla_nest_start(struct sk_buff *skb, int type)
{
	return nla_nest_start(skb, type);
}

void ofg_nla_nest_end(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_end(skb, start);
}

void ofg_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_cancel(skb, start);
}

unsigned int ofg_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

unsigned int ofg_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

int ofg_genl_has_listeners(const struct genl_family *family, struct net *net, u32 group)
{
	return genl_has_listeners(family, net, group);
}

struct net *ofg_genl_info_net(const struct genl_info *info)
{
	return genl_info_net(info);
}

struct net *ofg_cb_net(struct netlink_callback *cb)
{
	return genl_info_net(genl_info_dump(cb));
}

/*
 * Per-CPU counters, as nexthop groups keep theirs (net/ipv4/nexthop.c): each CPU adds to its own
 * slot inside u64_stats_update_begin/end with preemption off, readers sum every possible CPU.
 */
struct ofg_pcpu_slot {
	struct u64_stats_sync syncp;
	u64_stats_t v[];
};

struct ofg_pcpu *ofg_pcpu_alloc(unsigned int n)
{
	struct ofg_pcpu_slot __percpu *p;
	int cpu;

	if (n == 0 || n > OFG_PCPU_MAX)
		return NULL;
	p = __alloc_percpu_gfp(struct_size_t(struct ofg_pcpu_slot, v, n),
			       __alignof__(struct ofg_pcpu_slot), GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(p, cpu)->syncp);
	return (struct ofg_pcpu __force *)p;
}

void ofg_pcpu_free(struct ofg_pcpu *p)
{
	free_percpu((struct ofg_pcpu_slot __percpu __force *)p);
}

void ofg_pcpu_add(struct ofg_pcpu *p, unsigned int i, u64 a, u64 b)
{
	struct ofg_pcpu_slot *s = get_cpu_ptr((struct ofg_pcpu_slot __percpu __force *)p);
	unsigned long flags;

	/* irqsave: a process-context writer (packet execute, KUnit) may be interrupted by the
	 * softirq datapath on the same CPU; on 64-bit this is free. */
	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->v[i], a);
	if (b)
		u64_stats_add(&s->v[i + 1], b);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr((struct ofg_pcpu_slot __percpu __force *)p);
}

void ofg_pcpu_sum(struct ofg_pcpu *p, unsigned int n, u64 *out)
{
	struct ofg_pcpu_slot __percpu *pp = (struct ofg_pcpu_slot __percpu __force *)p;
	u64 v[OFG_PCPU_MAX];
	unsigned int i, start;
	int cpu;

	n = min_t(unsigned int, n, OFG_PCPU_MAX);
	for (i = 0; i < n; i++)
		out[i] = 0;
	for_each_possible_cpu(cpu) {
		const struct ofg_pcpu_slot *s = per_cpu_ptr(pp, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < n; i++)
				v[i] = u64_stats_read(&s->v[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < n; i++)
			out[i] += v[i];
	}
}
