# The ofgroup genetlink family through the kernel's own YNL client and our spec: the library
# checks every operation, refusal, policy, dump, monitor and permission, and cli.py itself adds,
# reads and refuses once, as a user would type it — all in one python3 process
# (qemu/guest/netlink_ynl.py): a start of python3 and cli.py with its spec cost ~30 s under TCG.
python3 "$OFGROUP_REPO/qemu/guest/netlink_ynl.py"
