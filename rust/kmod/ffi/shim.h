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

/* --- generic netlink: the static-inline and macro parts, one call each --- */
struct sk_buff;
struct genl_info;
struct genl_family;
struct netlink_callback;
struct nlattr;

/* The request's attributes (after the genetlink header) and their length. */
const void *ofg_genl_info_attrs(const struct genl_info *info, int *len);
/* A dump request's genetlink command. */
u8 ofg_cb_cmd(const struct netlink_callback *cb);
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
/* genlmsg_multicast() to group index 'group' of family (init_net), consumes skb. */
int ofg_genlmsg_multicast(const struct genl_family *family, struct sk_buff *skb, u32 group);
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
/* Whether the genetlink family has listeners on group index 'group'. */
int ofg_genl_has_listeners(const struct genl_family *family, u32 group);

#endif
