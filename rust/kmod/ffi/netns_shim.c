// SPDX-License-Identifier: GPL-2.0
/*
 * ofgroup C shim, network namespaces: one pernet_operations whose per-namespace slot
 * (net_generic) holds the state the Rust side creates for each namespace. See shim.h.
 *
 * Registered as a device's (register_pernet_device), as openvswitch.ko registers its datapaths:
 * a dying namespace's devices are still registered when our exit methods run, so the state is
 * torn down while the rest of the namespace still works. Order in cleanup_net() (and in
 * unregister_pernet_device(), which runs the same steps for every live namespace):
 * exit_rtnl (RTNL held, every namespace of the batch) detaches the ports; then exit_batch runs
 * the state's exit, waits for the deferred drops the detached ports left behind (they hold the
 * state), and drops the namespace's reference to the state, in process context.
 */
#include <linux/err.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "shim.h"

static unsigned int ofg_net_id;
static ofg_pernet_init_fn ofg_pn_init;
static ofg_pernet_state_fn ofg_pn_exit_rtnl;
static ofg_pernet_state_fn ofg_pn_exit;
static ofg_pernet_state_fn ofg_pn_free;
static bool ofg_pn_registered;

static void **ofg_net_slot(const struct net *net)
{
	return net_generic(net, ofg_net_id);
}

static int __net_init ofg_pernet_init(struct net *net)
{
	void *state = ofg_pn_init();

	if (!state)
		return -ENOMEM;
	*ofg_net_slot(net) = state;
	return 0;
}

static void __net_exit ofg_pernet_exit_rtnl(struct net *net, struct list_head *dev_kill_list)
{
	void *state = *ofg_net_slot(net);

	if (state)
		ofg_pn_exit_rtnl(state);
}

static void __net_exit ofg_pernet_exit_batch(struct list_head *net_exit_list)
{
	struct net *net;

	list_for_each_entry(net, net_exit_list, exit_list) {
		void *state = *ofg_net_slot(net);

		if (state)
			ofg_pn_exit(state);
	}
	/*
	 * One wait for the whole batch: the detached ports' deferred drops (after a grace period,
	 * on the module's workqueue) hold the states and their devices.
	 */
	ofg_rcu_flush();
	list_for_each_entry(net, net_exit_list, exit_list) {
		void **slot = ofg_net_slot(net);

		if (*slot) {
			ofg_pn_free(*slot);
			*slot = NULL;
		}
	}
}

static struct pernet_operations ofg_pernet_ops = {
	.init = ofg_pernet_init,
	.exit_rtnl = ofg_pernet_exit_rtnl,
	.exit_batch = ofg_pernet_exit_batch,
	.id = &ofg_net_id,
	.size = sizeof(void *),
};

int ofg_pernet_register(ofg_pernet_init_fn init, ofg_pernet_state_fn exit_rtnl,
			ofg_pernet_state_fn exit, ofg_pernet_state_fn free)
{
	int err;

	if (ofg_pn_registered)
		return -EBUSY;
	ofg_pn_init = init;
	ofg_pn_exit_rtnl = exit_rtnl;
	ofg_pn_exit = exit;
	ofg_pn_free = free;
	err = register_pernet_device(&ofg_pernet_ops);
	if (!err)
		ofg_pn_registered = true;
	return err;
}

void ofg_pernet_unregister(void)
{
	if (!ofg_pn_registered)
		return;
	unregister_pernet_device(&ofg_pernet_ops);
	ofg_pn_registered = false;
}

void *ofg_pernet_state(const struct net *net)
{
	return ofg_pn_registered ? *ofg_net_slot(net) : NULL;
}
