# ofgroup: user entry points. The work happens in scripts/ and qemu/; see README.md.
#
#   make            build ofgroup.ko against the cached debug kernel (setup + kernel build if missing)
#   make check      the quick loop for an edit (~3 min): module with clippy, cargo test, KUnit in the VM
#   make test       everything: setup, kernel, module, host tests, VM tests (KUnit + scenarios)
#   make demo       boot the VM and show ofgroup at work
#   make vm CMD=..  run CMD in the VM with the module loaded; its exit status is make's
#   make shell      interactive VM shell with the module loaded, in the demo's topology
#   make install    ofgroup.ko into /lib/modules/$(uname -r)/extra (+ depmod), ofgroupctl, its man pages
#                   and completions into $(PREFIX); needs KDIR=/lib/modules/$(uname -r)/build, or
#                   DESTDIR=<staging root> to lay the files out for another machine
#   make uninstall  removes what make install put there
#   make fuzz       the netlink fuzzer's long run + the fail-nth sweep (debug kernel; OFGROUP_FUZZ_SEED=,
#                   OFGROUP_FUZZ_REQUESTS=)
#   make lint       rustfmt + clippy for the module (CLIPPY=1) and the userspace crates
#   make bench-lookup   group lookup cost at 16 vs 1M groups (perf kernel)
#   make bench-flows    flow lookup cost at 10 vs 1k flows: 4 masks, and a mask per flow (perf kernel)
#   make bench-flow-install  ofgroupctl add-flows cost per flow, 1k vs 100k flows (perf kernel)
#   make bench-groups   install/dump 100k groups: ofgroupctl vs ip nexthop (perf kernel)
#   make bench-forward  forwarding rate: ofgroup vs veth, tc mirred, bridge, openvswitch.ko (perf kernel)
#
# KDIR=<built 7.3 tree> builds against your own kernel and skips setup and the cached kernel build.
# PROFILE=debug|perf picks the cached kernel (make test always uses debug).

PROFILE ?= debug
LLVM ?= -19
PREFIX ?= /usr/local
export PROFILE PREFIX DESTDIR

.PHONY: all module setup kernel check test fuzz demo vm shell install uninstall lint fmt host-test stack bench-lookup bench-flows bench-groups bench-flow-install bench-forward clean
all: module

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/kernel.sh $(PROFILE) >/dev/null

# Kbuild does the real work; scripts/module.sh resolves KDIR (yours, or the cached kernel).
module:
	@scripts/module.sh

check:
	@scripts/check.sh

test:
	@scripts/test.sh

fuzz:
	@scripts/fuzz.sh

demo:
	@scripts/demo.sh

# Worst-case stack depth of the packet path (a chain of 16 groups), from the compiler's frame sizes.
stack:
	@scripts/stack.sh

vm:
	@KDIR=$$(scripts/module.sh) && KDIR=$$KDIR scripts/userspace.sh && KDIR=$$KDIR qemu/vm.sh -- $(CMD)

shell:
	@KDIR=$$(scripts/module.sh) && KDIR=$$KDIR scripts/userspace.sh && KDIR=$$KDIR qemu/vm.sh --interactive -- $(CURDIR)/qemu/guest/shell.sh

# install checks first that KDIR is the running kernel's tree (unless DESTDIR stages the files),
# so a wrong call fails before anything is built.
install:
	@scripts/install.sh check
	@KDIR=$$(scripts/module.sh) && KDIR=$$KDIR scripts/userspace.sh && KDIR=$$KDIR scripts/install.sh install

uninstall:
	@scripts/install.sh uninstall

# Benchmarks run on the perf kernel and print ratios measured in one VM run.
bench-lookup:
	@scripts/bench.sh lookup

bench-flows:
	@scripts/bench.sh flows

bench-groups:
	@scripts/bench.sh groups

bench-flow-install:
	@scripts/bench.sh flow-install

bench-forward:
	@scripts/bench.sh forward

lint:
	@scripts/lint.sh

fmt:
	@cd rust && cargo fmt --all
	@find rust/kmod kunit -name '*.rs' ! -name '*_gen.rs' -print0 | xargs -0 rustfmt --edition 2021

host-test:
	@cd rust && cargo test --locked

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) clean; fi
	rm -rf rust/target
	find . \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name 'local_bindings_gen.rs' \) -not -path './.git/*' -delete
	rm -f modules.order Module.symvers
