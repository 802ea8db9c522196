/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ofgroup C shim: out-of-line wrappers for kernel APIs that are static inline functions or macros,
 * so the Rust side can call them. Each wrapper is small; the safety contract is the wrapped API's,
 * restated on the Rust side (rust/kmod/ffi/).
 */
#ifndef OFGROUP_SHIM_H
#define OFGROUP_SHIM_H

#include <linux/workqueue.h>
#include <linux/types.h>
#include <linux/netdevice.h> /* netdevice_tracker: a typedef, no forward declaration */

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
 * Deferred frees: the record lives in the freed object itself (embedded, so the free path never
 * allocates and never waits). ofg_rcu_link_queue() runs fn(arg) in process context (the module's
 * workqueue) after an RCU grace period: queue_rcu_work(). A link is queued at most once; its
 * memory must stay valid until fn starts (fn may free it). Any context.
 */
struct ofg_rcu_link {
	struct rcu_work rw;
	void (*fn)(void *arg);
	void *arg;
};
void ofg_rcu_link_queue(struct ofg_rcu_link *link, void (*fn)(void *arg), void *arg);
/* Create the workqueue deferred frees run on (module init, before anything is deferred). */
int ofg_rcu_init(void);
/*
 * Wait until every queued link has run (including links queued by those runs), then destroy
 * the workqueue. Module exit, after the last deferral; sleeps.
 */
void ofg_rcu_exit(void);
/* Wait until every queued link has run (including links queued by those runs). Sleeps. */
void ofg_rcu_flush(void);
/* Links queued and not yet run (KUnit's view). */
long ofg_rcu_pending(void);

/*
 * Per-CPU u64 counters: n (1..OFG_PCPU_MAX) per CPU, zeroed (GFP_KERNEL_ACCOUNT; NULL on ENOMEM).
 * ofg_pcpu_add adds a to counter i and b to counter i + 1 (i + 1 < n when b is non-zero) on the
 * calling CPU; any context. ofg_pcpu_sum writes the sums over all CPUs of the first n counters.
 */
#define OFG_PCPU_MAX 8
struct ofg_pcpu;
struct ofg_pcpu *ofg_pcpu_alloc(unsigned int n);
void ofg_pcpu_free(struct ofg_pcpu *p);
void ofg_pcpu_add(struct ofg_pcpu *p, unsigned int i, u64 a, u64 b);
void ofg_pcpu_sum(struct ofg_pcpu *p, unsigned int n, u64 *out);

/* Run fn(args[i]) for i < n, each on its own kthread, and wait for all of them. Process context. */
int ofg_run_threads(int (*fn)(void *arg), void **args, unsigned int n);

/* --- generic netlink: the static-inline and macro parts, one call each --- */
struct sk_buff;
struct net;
struct genl_info;
struct genl_family;
struct netlink_callback;
struct nlattr;

/* The request's attributes (after the genetlink header) and their length. */
const void *ofg_genl_info_attrs(const struct genl_info *info, int *len);
/* A dump request's genetlink command. */
u8 ofg_cb_cmd(const struct netlink_callback *cb);
/* The family a dump runs for. */
const struct genl_family *ofg_cb_family(struct netlink_callback *cb);
/* A dump request's attributes and their length. */
const void *ofg_cb_attrs(const struct netlink_callback *cb, int *len);
/* Set the extack message (copied) and, if bad is not NULL, the offending attribute. */
void ofg_genl_set_err(struct genl_info *info, const char *msg, const struct nlattr *bad);
/* Same, for a dump. */
void ofg_cb_set_err(struct netlink_callback *cb, const char *msg);
/* genlmsg_new(size, GFP_KERNEL). */
struct sk_buff *ofg_genlmsg_new(size_t size);
/* genlmsg_put_reply(). */
void *ofg_genlmsg_put_reply(struct sk_buff *skb, struct genl_info *info,
			    const struct genl_family *family, u8 cmd);
/* genlmsg_put() for a dump part: the requester's portid and seq, NLM_F_MULTI. */
void *ofg_genlmsg_put_dump(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct genl_family *family, u8 cmd);
/* genlmsg_put() for a notification (portid 0, seq 0). */
void *ofg_genlmsg_put_ntf(struct sk_buff *skb, const struct genl_family *family, u8 cmd);
/* genlmsg_end() / genlmsg_cancel() / nlmsg_free(). */
void ofg_genlmsg_end(struct sk_buff *skb, void *hdr);
void ofg_genlmsg_cancel(struct sk_buff *skb, void *hdr);
void ofg_nlmsg_free(struct sk_buff *skb);
/* genlmsg_reply(): sends and consumes skb. */
int ofg_genlmsg_reply(struct sk_buff *skb, struct genl_info *info);
/* genlmsg_multicast_netns() to group index 'group' of family in net, consumes skb. */
int ofg_genlmsg_multicast(const struct genl_family *family, struct net *net,
			  struct sk_buff *skb, u32 group);
/* Attribute writers (0 or -EMSGSIZE). */
int ofg_nla_put_u16(struct sk_buff *skb, int type, u16 v);
int ofg_nla_put_u32(struct sk_buff *skb, int type, u32 v);
int ofg_nla_put_uint(struct sk_buff *skb, int type, u64 v);
int ofg_nla_put_flag(struct sk_buff *skb, int type);
struct nlattr *ofg_nla_nest_start(struct sk_buff *skb, int type);
void ofg_nla_nest_end(struct sk_buff *skb, struct nlattr *start);
void ofg_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start);
/* skb->len. */
unsigned int ofg_skb_len(const struct sk_buff *skb);
/* skb_tailroom(): bytes a message being built can still grow by. */
unsigned int ofg_skb_tailroom(const struct sk_buff *skb);
/* Whether the genetlink family has listeners on group index 'group' in net. */
int ofg_genl_has_listeners(const struct genl_family *family, struct net *net, u32 group);


/* --- networking: ports (rx_handler, netdevice notifier), frames (sk_buff), transmit --- */
struct net_device;

/*
 * The datapath's two entry points, called by the shim: rx(port, skb) for every frame a port's
 * device receives (softirq, RCU read side; skb is owned by the callee and positioned at the
 * Ethernet header), and gone(port) under RTNL when a port's device is being unregistered (or
 * leaves its network namespace). 'port' is the pointer given to ofg_port_hook().
 */
typedef void (*ofg_rx_fn)(void *port, struct sk_buff *skb);
typedef void (*ofg_gone_fn)(void *port);
/* Install the entry points and register the netdevice notifier; 0 or -errno. Process context. */
int ofg_net_init(ofg_rx_fn rx, ofg_gone_fn gone);
/* Unregister the notifier. Call after every port is detached. */
void ofg_net_exit(void);

void ofg_rtnl_lock(void);
void ofg_rtnl_unlock(void);
/*
 * Under RTNL: find a device of net by ifindex (non-zero) or name and take a
 * reference (netdev_hold, tracked in *tracker). Returns the device or an ERR_PTR: -ENODEV (no such device), -EINVAL (not an
 * Ethernet device, or loopback).
 */
struct net_device *ofg_dev_get(struct net *net, u32 ifindex, const char *name,
			       netdevice_tracker *tracker);
/*
 * Under RTNL: register the frame hook on dev with 'port' as its data and set promiscuous mode.
 * 0, or -EBUSY when another rx_handler (a bridge, bond, OVS, another port) owns the device.
 */
int ofg_port_hook(struct net_device *dev, void *port);
/*
 * Under RTNL: unregister the frame hook (waits for frames in flight: synchronize_net), undo
 * promiscuous mode, and return the 'port' pointer it was registered with (NULL, doing nothing,
 * when the device's rx_handler is not ours). The device reference
 * is kept: ofg_dev_put() it when the port is freed.
 */
void *ofg_port_unhook(struct net_device *dev);
/* Drop the reference ofg_dev_get() took with this tracker. Any context. */
void ofg_dev_put(struct net_device *dev, netdevice_tracker *tracker);
/* Whether the device is up with carrier. */
bool ofg_dev_live(const struct net_device *dev);
int ofg_dev_ifindex(const struct net_device *dev);
/* The device name (IFNAMSIZ bytes, NUL-terminated), copied into buf. */
void ofg_dev_name(const struct net_device *dev, char *buf);
/* IS_ERR / PTR_ERR for ofg_dev_get's result: 0 or -errno. */
long ofg_ptr_err(const void *p);

/*
 * Transmit skb (at its Ethernet header) on dev; consumes it. 0 if the device took it; -ENETDOWN
 * (device down) or -EMSGSIZE (longer than the MTU and not GSO, or a GSO frame whose segments
 * are) after dropping it with that reason; -ENOBUFS if the device's queue dropped it.
 */
int ofg_xmit(struct net_device *dev, struct sk_buff *skb);
/* Why the datapath drops a frame; each maps to an SKB_DROP_REASON_* (drop monitors, perf). */
enum ofg_drop {
	OFG_DROP_NO_TARGET,	/* no flow, port, group or live bucket: NO_TX_TARGET */
	OFG_DROP_NOMEM,		/* a clone or header pull failed: NOMEM */
	OFG_DROP_TOO_BIG,	/* longer than the egress MTU: PKT_TOO_BIG */
	OFG_DROP_DEV_DOWN,	/* egress device down: DEV_READY */
	OFG_DROP_LIMIT,		/* chain depth or per-frame work budget exceeded: RECURSION_LIMIT */
};
/* kfree_skb_reason() with the reason for 'why' (an enum ofg_drop). */
void ofg_skb_drop_reason(struct sk_buff *skb, unsigned int why);
/* The frame's GSO size (0: not GSO) and the stack's segment count (0: unknown). */
void ofg_skb_gso(const struct sk_buff *skb, u16 *size, u16 *segs);
/* skb_clone(skb, GFP_ATOMIC), or NULL. */
struct sk_buff *ofg_skb_clone(struct sk_buff *skb);
/* kfree_skb() (a drop) / consume_skb() (done with it). */
void ofg_skb_drop(struct sk_buff *skb);
void ofg_skb_consume(struct sk_buff *skb);
/*
 * The frame's first min(want, skb->len) bytes, from the Ethernet header: the linear part when it
 * holds them (*len = its length), else a copy into buf (at least 'want' bytes; *len = the bytes
 * copied). The frame is never modified. NULL if the copy fails.
 */
const u8 *ofg_skb_frame(const struct sk_buff *skb, unsigned int want, u8 *buf, unsigned int *len);
/* A new skb holding a copy of the frame, as if received on dev (GFP_KERNEL); NULL on ENOMEM. */
struct sk_buff *ofg_skb_from_frame(const u8 *frame, unsigned int len, struct net_device *dev);
/* local_bh_disable() / local_bh_enable(): packet-execute runs the packet path with BH off. */
void ofg_bh_disable(void);
void ofg_bh_enable(void);
/* --- network namespaces: per-namespace state (netns_shim.c) --- */
struct net;

/*
 * The per-namespace state's entry points: init() creates a namespace's state (NULL: -ENOMEM,
 * the namespace is not created); exit_rtnl(state) runs under RTNL when the namespace dies (or
 * the registration goes), while its devices are still registered; exit(state) after it, in
 * process context; free(state) after an rcu_barrier(), and gives back the namespace's
 * reference. Each runs once per namespace.
 */
typedef void *(*ofg_pernet_init_fn)(void);
typedef void (*ofg_pernet_state_fn)(void *state);
/*
 * register_pernet_device() with these entry points: init runs for every existing namespace
 * before this returns, and for every new one. 0, -EBUSY if already registered, or -errno.
 */
int ofg_pernet_register(ofg_pernet_init_fn init, ofg_pernet_state_fn exit_rtnl,
			ofg_pernet_state_fn exit, ofg_pernet_state_fn free);
/* unregister_pernet_device(): runs exit_rtnl, exit and free for every live namespace. */
void ofg_pernet_unregister(void);
/* The state of net (NULL when not registered). net must be alive. */
void *ofg_pernet_state(const struct net *net);
/* genl_info_net(info): the namespace a request was sent from. */
struct net *ofg_genl_info_net(const struct genl_info *info);
/* The namespace a dump was requested from. */
struct net *ofg_cb_net(struct netlink_callback *cb);

/* nla_put(skb, type, len, data): 0 or -EMSGSIZE. */
int ofg_nla_put(struct sk_buff *skb, int type, int len, const void *data);

#endif
