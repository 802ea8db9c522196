# ofgroupctl as an unprivileged user, as a person runs it: every command that changes the datapath
# is refused with a clear message (EPERM: the family's mutating operations need CAP_NET_ADMIN, as
# ip and ovs-ofctl's datapath do) and exit status 2, and changes nothing; every command that only
# reads works, as `ip route show` does for anyone.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
ofgroupctl add-group 'group_id=7,type=select,bucket=bucket_id:1,actions=output:2'
ofgroupctl add-flow 'in_port=1,actions=group:7'
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"; }
state() {
  ofgroupctl dump-groups
  ofgroupctl dump-flows | sed 's/duration=[^,]*, //'
  ofgroupctl dump-ports | grep -o '^ *port [0-9]*: [^ ]*'
}
before=$(state)
# Everything the user types runs in one shell as nobody (a setpriv per command cost a second each
# under TCG); each command is still its own ofgroupctl process, as the user runs it.
as_nobody bash -eu -c '
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
for cmd in \
  "add-group group_id=8,type=all,bucket=actions=output:1" \
  "mod-group group_id=7,type=all,bucket=actions=output:1" \
  "del-groups group_id=7" \
  "del-groups" \
  "insert-buckets group_id=7,bucket=bucket_id:2,actions=output:3" \
  "remove-buckets group_id=7,command_bucket_id=1" \
  "add-flow in_port=2,actions=output:1" \
  "mod-flows in_port=1,actions=output:3" \
  "del-flows" \
  "add-port lo" \
  "del-port 1" \
  "packet-out 1 udp,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:06"; do
  echo "unprivileged: ofgroupctl $cmd"
  # shellcheck disable=SC2086 # the command words, split on purpose
  refused "Operation not permitted (changes need CAP_NET_ADMIN)" ofgroupctl $cmd
done
[ "$(id -u)" = 65534 ] || fail "not running as nobody"
for cmd in dump-groups dump-group-stats dump-group-features dump-flows dump-ports dump-dp; do
  out=$(ofgroupctl "$cmd" 2>&1) || fail "unprivileged $cmd failed: $out"
  echo "ok: unprivileged $cmd reads ($(wc -l <<<"$out") lines)"
  [ "$cmd" != dump-groups ] || [[ $out == *group_id=7* ]] || fail "unprivileged dump-groups lacks group 7"
done
echo "ok: unprivileged dump-groups shows group 7"
' || fail "as nobody"
after=$(state)
[ "$before" = "$after" ] || fail "refused commands changed the datapath: $before -> $after"
echo "ok: nothing changed"
