// SPDX-License-Identifier: GPL-2.0
/*
 * ofgroup C shim, networking half: the rx_handler frame hook, the netdevice notifier, and the
 * static-inline sk_buff / net_device helpers the Rust side needs. See shim.h.
 */
#include <linux/err.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <net/gso.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "shim.h"

static ofg_rx_fn ofg_rx;
static ofg_gone_fn ofg_gone;

/* The frame hook: runs in softirq under rcu_read_lock for every frame a port's device receives. */
static rx_handler_result_t ofg_frame_hook(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	void *port;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	port = rcu_dereference(skb->dev->rx_handler_data);
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb))
		return RX_HANDLER_CONSUMED;
	/* Back to the Ethernet header: the datapath sees and counts whole frames. */
	skb_push_rcsum(skb, ETH_HLEN);
	/*
	 * A VLAN tag the device took out of the frame goes back in, where flows match it; as
	 * skb_vlan_push() does it, so that a CHECKSUM_COMPLETE sum still covers the frame.
	 */
	if (skb_vlan_tag_present(skb)) {
		if (unlikely(__vlan_insert_tag(skb, skb->vlan_proto, skb_vlan_tag_get(skb)))) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return RX_HANDLER_CONSUMED;
		}
		skb_postpush_rcsum(skb, skb->data + 2 * ETH_ALEN, VLAN_HLEN);
		skb->protocol = skb->vlan_proto;
		__vlan_hwaccel_clear_tag(skb);
		skb_reset_mac_len(skb);
	}
	ofg_rx(port, skb);
	return RX_HANDLER_CONSUMED;
}

static int ofg_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	void *port;

	if (rcu_access_pointer(dev->rx_handler) != ofg_frame_hook)
		return NOTIFY_DONE;
	port = rtnl_dereference(dev->rx_handler_data);
	/* Liveness (up, carrier) is read from the device at use; only unregistering needs us. */
	if (event == NETDEV_UNREGISTER)
		ofg_gone(port);
	return NOTIFY_DONE;
}

static struct notifier_block ofg_notifier = {
	.notifier_call = ofg_netdev_event,
};

int ofg_net_init(ofg_rx_fn rx, ofg_gone_fn gone)
{
	ofg_rx = rx;
	ofg_gone = gone;
	return register_netdevice_notifier(&ofg_notifier);
}

void ofg_net_exit(void)
{
	unregister_netdevice_notifier(&ofg_notifier);
}

void ofg_rtnl_lock(void)
{
	rtnl_lock();
}

void ofg_rtnl_unlock(void)
{
	rtnl_unlock();
}

struct net_device *ofg_dev_get(struct net *net, u32 ifindex, const char *name,
			       netdevice_tracker *tracker)
{
	struct net_device *dev;

	ASSERT_RTNL();
	dev = ifindex ? __dev_get_by_index(net, ifindex) : __dev_get_by_name(net, name);
	if (!dev)
		return ERR_PTR(-ENODEV);
	if (dev->type != ARPHRD_ETHER || (dev->flags & IFF_LOOPBACK))
		return ERR_PTR(-EINVAL);
	netdev_hold(dev, tracker, GFP_KERNEL);
	return dev;
}

int ofg_port_hook(struct net_device *dev, void *port)
{
	int err;

	ASSERT_RTNL();
	err = netdev_rx_handler_register(dev, ofg_frame_hook, port);
	if (err)
		return err;
	/* Frames for other MACs must reach the hook; a device that cannot go promiscuous
	 * (the counter would overflow) is refused, the hook undone. */
	err = dev_set_promiscuity(dev, 1);
	if (err) {
		netdev_rx_handler_unregister(dev);
		return err;
	}
	return 0;
}

void *ofg_port_unhook(struct net_device *dev)
{
	void *port;

	ASSERT_RTNL();
	if (rtnl_dereference(dev->rx_handler) != ofg_frame_hook)
		return NULL;
	port = rtnl_dereference(dev->rx_handler_data);
	netdev_rx_handler_unregister(dev);
	dev_set_promiscuity(dev, -1);
	return port;
}

void ofg_dev_put(struct net_device *dev, netdevice_tracker *tracker)
{
	netdev_put(dev, tracker);
}

bool ofg_dev_live(const struct net_device *dev)
{
	return netif_running(dev) && netif_carrier_ok(dev);
}

int ofg_dev_ifindex(const struct net_device *dev)
{
	return dev->ifindex;
}

void ofg_dev_name(const struct net_device *dev, char *buf)
{
	strscpy(buf, dev->name, IFNAMSIZ);
}

long ofg_ptr_err(const void *p)
{
	return IS_ERR(p) ? PTR_ERR(p) : 0;
}

static const enum skb_drop_reason ofg_drop_reasons[] = {
	[OFG_DROP_NO_TARGET] = SKB_DROP_REASON_NO_TX_TARGET,
	[OFG_DROP_NOMEM] = SKB_DROP_REASON_NOMEM,
	[OFG_DROP_TOO_BIG] = SKB_DROP_REASON_PKT_TOO_BIG,
	[OFG_DROP_DEV_DOWN] = SKB_DROP_REASON_DEV_READY,
	[OFG_DROP_LIMIT] = SKB_DROP_REASON_RECURSION_LIMIT,
};

void ofg_skb_drop_reason(struct sk_buff *skb, unsigned int why)
{
	kfree_skb_reason(skb, why < ARRAY_SIZE(ofg_drop_reasons) ? ofg_drop_reasons[why]
								  : SKB_DROP_REASON_NOT_SPECIFIED);
}

/*
 * Whether dev can take skb as it is: the bridge's is_skb_forwardable() (up; the MTU plus the
 * link header and one VLAN tag), except that a GSO frame is checked segment by segment against
 * the MTU as openvswitch.ko and the IP forwarding path do, when its headers say how long a
 * segment is.
 */
static int ofg_forwardable(const struct net_device *dev, const struct sk_buff *skb)
{
	if (unlikely(!(dev->flags & IFF_UP)))
		return OFG_DROP_DEV_DOWN;
	if (skb->len <= dev->mtu + dev->hard_header_len + VLAN_HLEN)
		return -1;
	if (skb_is_gso(skb)) {
		if (!skb_transport_header_was_set(skb) ||
		    skb_gso_validate_network_len(skb, dev->mtu))
			return -1;
	}
	return OFG_DROP_TOO_BIG;
}

int ofg_xmit(struct net_device *dev, struct sk_buff *skb)
{
	int why = ofg_forwardable(dev, skb);
	int rc;

	if (unlikely(why >= 0)) {
		ofg_skb_drop_reason(skb, why);
		return why == OFG_DROP_TOO_BIG ? -EMSGSIZE : -ENETDOWN;
	}
	/* As the bridge and openvswitch.ko forward: the receive timestamp does not travel on. */
	skb_clear_tstamp(skb);
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	rc = dev_queue_xmit(skb);
	return net_xmit_eval(rc) ? -ENOBUFS : 0;
}

void ofg_skb_gso(const struct sk_buff *skb, u16 *size, u16 *segs)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);

	*size = skb_is_gso(skb) ? sh->gso_size : 0;
	*segs = sh->gso_segs;
}

struct sk_buff *ofg_skb_clone(struct sk_buff *skb)
{
	return skb_clone(skb, GFP_ATOMIC);
}

void ofg_skb_drop(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void ofg_skb_consume(struct sk_buff *skb)
{
	consume_skb(skb);
}

const u8 *ofg_skb_frame(const struct sk_buff *skb, unsigned int want, u8 *buf, unsigned int *len)
{
	unsigned int n = min(want, skb->len);

	/*
	 * As skb_header_pointer(): never pull into the frame. A TSO frame from a local socket is a
	 * clone whose head holds just its headers; pulling payload into it would reallocate the
	 * head of every super-frame and leave the receiver with split payloads.
	 */
	if (likely(skb_headlen(skb) >= n)) {
		*len = skb_headlen(skb);
		return skb->data;
	}
	if (skb_copy_bits(skb, 0, buf, n))
		return NULL;
	*len = n;
	return buf;
}

struct sk_buff *ofg_skb_from_frame(const u8 *frame, unsigned int len, struct net_device *dev)
{
	struct sk_buff *skb = alloc_skb(len + NET_IP_ALIGN, GFP_KERNEL);

	if (!skb)
		return NULL;
	skb_reserve(skb, NET_IP_ALIGN);
	skb_put_data(skb, frame, len);
	skb->dev = dev;
	/* As the device would deliver it: protocol and pkt_type set, then back to the header. */
	skb->protocol = eth_type_trans(skb, dev);
	/* Headers where a received frame has them: network right after Ethernet (or its tags). */
	skb_reset_network_header(skb);
	if (eth_type_vlan(skb->protocol) && skb->len >= VLAN_HLEN)
		skb_set_network_header(skb, VLAN_HLEN);
	skb_reset_mac_len(skb);
	skb_push_rcsum(skb, ETH_HLEN);
	return skb;
}

void ofg_bh_disable(void)
{
	local_bh_disable();
}

void ofg_bh_enable(void)
{
	local_bh_enable();
}

int ofg_nla_put(struct sk_buff *skb, int type, int len, const void *data)
{
	return nla_put(skb, type, len, data);
}
