# The one build.  `make` alone lists the targets.  Each target installs the Debian packages
# it needs first (tools/deps.sh, a no-op when present).  What an architecture has of its own
# (toolchain, flags, boot sources, the image's last steps, the QEMU command line) is in
# arch/<arch>/arch.mk; everything else is written here once, for both.
ARCH ?= arm64
ARCHES := arm64 x86_64
B := build
SEED ?= 1
OPS ?= 10000000
RUN ?=
KVM_RUN_TIMEOUT ?= 300
GUEST_TIMEOUT ?= 900
KVM_SMP ?= 2
KVM_MEM ?= 2G
KVM_CPU ?= max
PAYLOAD ?= gdbdemo
VCPUS ?= 2
GDB_PORT ?= 1234
HYP_GDB_PORT ?= 1235
DEBUG_TIMEOUT ?= 3600
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUB := $(MAKE) --no-print-directory -s
PAYLOAD_CHECK := $(B)/host/payload-check

define HELP
make <target> [VAR=value ...]                               (ARCH=arm64 unless said)
  test             every test: host tests, both hypervisors, Linux, GDB (about 11 min)
  lint             the house rules: clang-format, no registers in mmu/ kvm/, file sizes, READMEs
  test-host        mmu/ on the host: plain, ThreadSanitizer, AddressSanitizer+UBSan builds
  test-arm64       the arm64 boots of make test;  test-x86_64: the x86-64 ones
  run              boot the hypervisor with RUN="..." (empty: the default set) [ARCH=x86_64]
  x86_64-kvm-run   the x86-64 hypervisor under OVMF [RUN=...] [KVM_CPU=qemu64: shadow MMU]
  arm64-kvm-run    the arm64 hypervisor [RUN=...]
  <arch>-kvm       build build/<arch>/: the hypervisor with every payload embedded
  <arch>-guests    the guest payloads alone (build/<arch>/guest/*.elf)
  <arch>-demo      the arch layer alone with its boot demo (build/<arch>/demo/)
  arm64-arch-smoke[-run]  the arm64 arch smoke test image (build/arm64/smoke/) [and boot it]
  arm64-guests-bare[-run] the payloads for plain QEMU at EL1 (build/arm64/guest-bare/)
  check-elf ELF=f  the embedding step's payload check on any file [ARCH=...]
  bench            host walker benchmark, rmap zap, the hypervisor benchmarks [ARCH=x86_64]
  bench-rmap       zap latency through the shadow MMU's rmap
  bench-host, bench-arm64, bench-x86_64, bench-linux   one benchmark each
  difftest-long    the differential test as long as you like [OPS=n] [SEED=n]
  run-linux        Debian's arm64 kernel to a busybox shell on this terminal
  test-linux       that kernel powering off with a marker line (part of make test)
  run-guest        IMAGE=F [INITRD=F] [APPEND=...] [SMP=n] [MEM=512M]: boot your kernel
  linux-guest      only fetch the kernel and build the initramfs (cached)
  debug            run=$$PAYLOAD:$$VCPUS:gdb, the stub on TCP port GDB_PORT [ARCH=x86_64]
  debug-x86_64     the same on x86-64;  debug-hyp: QEMU's own gdbstub on the hypervisor
  test-gdb         gdb-multiarch and raw packets against the arm64 stub
  test-gdb-x86_64  the same against the x86-64 stub
  deps             install the host packages (deps-arm64, deps-x86_64: + the arch's)
  clean            remove build/
endef
export HELP

.DEFAULT_GOAL := help
.PHONY: help deps deps-arm64 deps-x86_64 lint test test-build test-host test-host-build \
	test-arm64 test-x86_64 run bench bench-host bench-rmap bench-arm64 bench-x86_64 \
	difftest-long check-elf clean FORCE
# Nothing this build makes is a throw-away intermediate (payload objects, generated .S).
.SECONDARY:

help:
	@echo "$$HELP"
FORCE:

deps:
	@tools/deps.sh host
deps-arm64 deps-x86_64: deps-%:
	@tools/deps.sh host $*

# ---- The payload run sets: what each boot of make test runs (syntax: kvm/README.md) ----
# arm64 runs kvm's own default set (RUN_DEFAULT in the runner); x86-64 that set minus what
# it lacks (guest_image: arm64 Linux Images; vgic: the GICv3 payload); uart is COM1 there.
RUN_arm64 :=
RUN_X86_BASE := loader,touch,touch:blocks,give_back,give_back:blocks,isolation+isolation,$\
	smp_faults:2,smp_faults:4,hostile:2,ticker:2:cpus=1,fault_bench,fault_bench:prepopulate,$\
	uart,give_back_race:3+give_back_race:3:blocks,paging,paging:2
# Isolation (kvm/README.md "Reliability"): a guest spinning on each CPU ended at its time
# limit, the one on CPU 0 beside a ticker that must not starve (CPU 1 left idle: under
# QEMU's one TCG thread two busy CPUs take turns of up to 100 ms, tools/qemu-run.sh);
# hypercalls from user mode refused; VMs that would not fit refused at creation.
RUN_X86_SPIN := spin:time=3:expect=limit:cpu=0+ticker:2:cpus=1:cpu=0,$\
	spin:time=2:expect=limit:cpu=1
RUN_X86_OOM := oom:mem=1G:blocks+oom:mem=512M:blocks+oom:mem=1G:expect=refused
RUN_x86_64 := $(RUN_X86_BASE),$(RUN_X86_SPIN),regleak:cpu=0+regleak:cpu=0,user_hypercall:2,$\
	$(RUN_X86_OOM)
# The shadow MMU: the set above under KVM_CPU=qemu64 (no nested paging) with cr_refuse
# (control registers are emulated only there) and its own payloads (shadow_pool twice:
# the bug it guards against showed in about one run of two); a 1 GiB give-back beside a
# ticker on one CPU (KVM_MEM=3G: the VM's 2 GiB are promised, kvm/host_mem.h); shadow VMs
# beside nested-paging ones on -cpu max.
RUN_X86_SHADOW := $(RUN_X86_BASE),$(RUN_X86_SPIN),regleak:cpu=0+regleak:cpu=0,$\
	user_hypercall:2,cr_refuse,shadow_rmw,shadow_pool:4,shadow_pool:4
RUN_X86_SHADOW_BIG := ticker:2:cpus=1:mem=2G
RUN_X86_MIXED := touch:shadow+touch,paging:2:shadow+paging,isolation:shadow+isolation,$\
	give_back_race:3:shadow+give_back_race:3,cr_refuse:shadow,$\
	regleak:shadow:cpu=0+regleak:cpu=0,shadow_rmw:shadow+shadow_rmw
# Not run bare (arm64-guests-bare-run): gdbdemo's verdict is a debugger's, spin never ends,
# heartbeat is the GDB flood's neighbour, regleak needs a second VM on its CPU.
BARE_SKIP := gdbdemo spin heartbeat regleak

# ---- Sources, picked by folder ----------------------------------------------------------
MMU_SRCS := $(wildcard mmu/*.c)
# arch/: the shared pieces, the arch's own (boot_demo.c is the demo image's main only).
arch_srcs = $(BOOT_SRCS_$(1)) $(wildcard arch/common/*.c arch/$(1)/*.c arch/$(1)/*.S)
# kvm/ and its subfolders, less what the arch names in KVM_SKIP_<arch> and any
# <name>_<other arch>.c.
kvm_srcs = $(filter-out $(addprefix %/,$(KVM_SKIP_$(1))) $(foreach o,$(filter-out $(1),$\
	$(ARCHES)),%_$(o).c),$(wildcard kvm/*.c kvm/*/*.c))
# Payloads: tests/guest/<name>.c, or tests/guest/<arch>/<name>.c where the two halves
# share nothing but the name.
guests = $(filter-out $(GUEST_SKIP_$(1)),$(sort $(basename $(notdir $\
	$(wildcard tests/guest/*.c tests/guest/$(1)/*.c)))))
guest_src = $(firstword $(wildcard tests/guest/$(1)/$(2).c) tests/guest/$(2).c)
# The guest runtime: its shared files and the arch's *_<arch>.*, the bare half only in a
# bare build; and newlib's glue, as in the hypervisor.
guest_rt = $(filter-out $(if $(filter guest-bare,$(2)),,%/bare_$(1).c),$\
	$(filter-out $(foreach a,$(ARCHES),%_$(a).c %_$(a).S),$\
	$(wildcard tests/guest/runtime/*.c tests/guest/runtime/*.S)) $\
	$(wildcard tests/guest/runtime/*_$(1).c tests/guest/runtime/*_$(1).S)) $\
	arch/common/newlib_syscalls.c
objs = $(patsubst %,$(2)/%.o,$(sort $(basename $(3))))

NEWLIB_arm64 = $(B)/newlib/$(TRIPLE_arm64)
NEWLIB_x86_64 = $(B)/newlib/$(TRIPLE_x86_64)
include arch/arm64/arch.mk arch/x86_64/arch.mk

# ---- Cross builds: the compile rules, one hypervisor link, the payloads -----------------
cflags = $(TARGET_CFLAGS_$(1)) -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP
asflags = $(TARGET_CFLAGS_$(1)) -g -Wall -Werror -MMD -MP
LDFLAGS := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,norelro \
	-Wl,--no-warn-rwx-segments
libs = -L$(NEWLIB_$(1))/lib -Wl,--start-group -lc -lm -lgcc -Wl,--end-group

# $(1) arch, $(2) object folder, $(3) C flags, $(4) assembler flags (all of one image
# flavour: the hypervisor's, or a guest build's).
define compile
$(2)/%.o: %.c | $(NEWLIB_$(1))/.stamp
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(call cflags,$(1)) $(3) -c $$< -o $$@
$(2)/%.o: %.S | $(NEWLIB_$(1))/.stamp
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(call asflags,$(1)) $(4) -c $$< -o $$@
endef

# $(1) arch, $(2) image folder, $(3) sources: build/<arch>/obj is shared by every image.
define image
$(2)/hyp.elf: $(call objs,$(1),$(B)/$(1)/obj,$(3)) linker/$(1)-hyp.ld
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(LDFLAGS) $$(LDFLAGS_$(1)) -T linker/$(1)-hyp.ld -Wl,-Map=$(2)/hyp.map \
		-o $$@ $$(filter %.o,$$^) $$(call libs,$(1))
$(call image_tail_$(1),$(2))
endef

# $(1) arch, $(2) guest build (guest, guest-bare): payloads linked with the runtime.
gflags = -I. -Itests/guest/runtime $(if $(filter guest-bare,$(1)),-DGUEST_BARE)
define guest_build
$(call compile,$(1),$(B)/$(1)/$(2)/obj,$(call gflags,$(2)),$(call gflags,$(2)))
$(B)/$(1)/$(2)/%.elf: $(call objs,,$(B)/$(1)/$(2)/obj,$(call guest_rt,$(1),$(2))) linker/$(1)-guest.ld
	$$(CC_$(1)) $$(LDFLAGS) $$(LDFLAGS_$(1)) -T linker/$(1)-guest.ld -Wl,-Map=$$(@:.elf=.map) \
		-o $$@ $$(filter %.o,$$^) $$(call libs,$(1))
endef

kvm_image_srcs = $(filter-out %/boot_demo.c,$(call arch_srcs,$(1))) $(call kvm_srcs,$(1)) $\
	$(MMU_SRCS) $(B)/$(1)/gen/payloads.S

# $(1) arch: the hypervisor with every payload embedded, checked first by kvm/loader.c
# built for the host (a bad image stops the build, not a boot); its targets.
define arch_build
# The script is its own cache (a no-op when the stamp matches).
$(NEWLIB_$(1))/.stamp: tools/build-newlib.sh
	tools/build-newlib.sh $(TRIPLE_$(1)) $(NEWLIB_$(1))
	touch $$@
$(call compile,$(1),$(B)/$(1)/obj,-I. -Immu -Iarch/$(1) -Ikvm $(CFLAGS_ARCH_$(1)),-I. -Iarch/$(1))
GUEST_ELFS_$(1) := $(patsubst %,$(B)/$(1)/guest/%.elf,$(call guests,$(1)))
# Rewritten only when the list changes; .incbin is invisible to -MMD: the ELFs are named.
$(B)/$(1)/gen/payloads.S: $$(GUEST_ELFS_$(1)) $(PAYLOAD_CHECK) FORCE
	@tools/payloads.sh $(PAYLOAD_CHECK) $(1) $$@ $$(GUEST_ELFS_$(1))
$(B)/$(1)/obj/$(B)/$(1)/gen/payloads.o: $$(GUEST_ELFS_$(1))
$(call image,$(1),$(B)/$(1),$(call kvm_image_srcs,$(1)))
$(call image,$(1),$(B)/$(1)/demo,$(call arch_srcs,$(1)) $(MMU_SRCS))
.PHONY: $(1)-kvm $(1)-kvm-run $(1)-guests $(1)-demo test-gdb-$(1) debug-$(1)
$(1)-kvm: $(call boot_file_$(1),$(B)/$(1))
$(1)-demo: $(call boot_file_$(1),$(B)/$(1)/demo)
$(1)-guests: $$(GUEST_ELFS_$(1))
$(1)-kvm-run: $(1)-kvm
	$$(QEMU_$(1)) --smp $$(KVM_SMP) --mem $$(KVM_MEM) $(boot_arg_$(1)) $$(KVM_RUN_TIMEOUT) \
		$$(call qemu_run_$(1),$$(RUN))
# The VM starts stopped; the stub waits on a second serial port that QEMU serves on TCP.
debug-$(1):
	@tools/deps.sh debug $(1)
	@$$(SUB) $(1)-kvm
	@echo "debug: the VM '$$(PAYLOAD)' waits for the debugger; in another terminal:"
	@echo
	@echo "    gdb-multiarch $(B)/$(1)/guest/$$(PAYLOAD).elf -ex 'target remote 127.0.0.1:$$(GDB_PORT)'"
	@echo
	$$(QEMU_$(1)) --smp $$(KVM_SMP) --mem $$(KVM_MEM) $(boot_arg_$(1)) $$(DEBUG_TIMEOUT) \
		$$(call qemu_run_$(1),$$(PAYLOAD):$$(VCPUS):gdb) \
		-chardev socket,id=gdb,host=127.0.0.1,port=$$(GDB_PORT),server=on,wait=off \
		$$(QEMU_GDB_$(1))
test-gdb-$(1):
	@tools/deps.sh debug $(1)
	@$$(SUB) $(1)-kvm
	@tools/gdb-test.sh --arch $(1) $(boot_arg_$(1)) $(B)/$(1)/guest/gdbdemo.elf
endef
boot_arg_arm64 := $(B)/arm64/hyp.bin
boot_arg_x86_64 := $(B)/x86_64/esp

$(foreach a,$(ARCHES),$(eval $(call arch_build,$(a)))$(foreach v,$(GUEST_VARIANTS_$(a)),$\
	$(eval $(call guest_build,$(a),$(v)))))
$(foreach a,$(ARCHES),$(foreach v,$(GUEST_VARIANTS_$(a)),$(foreach p,$(call guests,$(a)),$\
	$(eval $(B)/$(a)/$(v)/$(p).elf: $(B)/$(a)/$(v)/obj/$(basename $(call guest_src,$(a),$(p))).o))))

# The arch smoke test (tests/arch-arm64/): the arch layer and the walker, no kvm/.
$(eval $(call image,arm64,$(B)/arm64/smoke,$(filter-out %/boot_demo.c,$(call arch_srcs,arm64)) $\
	$(MMU_SRCS) $(wildcard tests/arch-arm64/*.c tests/arch-arm64/*.S)))
.PHONY: arm64-arch-smoke arm64-arch-smoke-run
arm64-arch-smoke: $(B)/arm64/smoke/hyp.bin
arm64-arch-smoke-run: arm64-arch-smoke
	tools/qemu-run.sh $(B)/arm64/smoke/hyp.bin 60

check-elf: $(PAYLOAD_CHECK)
	@$(PAYLOAD_CHECK) $(ARCH) $(ELF) && echo "$(ELF): a well-formed $(ARCH) ELF executable"

# ---- Host builds: tests, benchmarks, the payload check ---------------------------------
HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -I. -Immu -pthread
VARIANTS := plain tsan asan
FLAGS_plain :=
FLAGS_tsan := -fsanitize=thread
FLAGS_asan := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FLAGS_bench := -DNDEBUG
HOST_TESTS := $(basename $(notdir $(filter-out %_env.c,$(wildcard tests/host/test_*.c))))
# A test links its own main and, from the variant's library, what it uses: mmu/, the test
# support, and what of kvm/ and arch/ is plain C (the fdt generator, the x86 decoder).
HOST_LIB_SRCS := $(MMU_SRCS) $(filter-out $(HOST_TESTS:%=tests/host/%.c),$\
	$(wildcard tests/host/*.c)) $(wildcard kvm/fdt_gen.c kvm/*/fdt_gen.c) kvm/mmu_yield.c $\
	arch/x86_64/insn.c arch/x86_64/insn_rmw.c
LIB_SRCS_bench := $(HOST_LIB_SRCS) tests/bench/resched_probe.c

# Each source compiled once per variant with its header dependencies, into a library.
define host_variant
$(B)/host/$(1)/obj/%.o: %.c | deps
	@mkdir -p $$(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(FLAGS_$(1)) -MMD -MP -c $$< -o $$@
$(B)/host/$(1)/libhost.a: $(call objs,,$(B)/host/$(1)/obj,$(or $(LIB_SRCS_$(1)),$(HOST_LIB_SRCS)))
	@rm -f $$@
	ar rcs $$@ $$^
$(HOST_TESTS:%=$(B)/host/$(1)/%): $(B)/host/$(1)/%: $(B)/host/$(1)/obj/tests/host/%.o \
		$(B)/host/$(1)/libhost.a
	$(HOST_CC) $(HOST_CFLAGS) $(FLAGS_$(1)) $$^ -o $$@
endef
$(foreach v,$(VARIANTS) bench,$(eval $(call host_variant,$(v))))
HOST_BINS := $(foreach v,$(VARIANTS),$(HOST_TESTS:%=$(B)/host/$(v)/%))
$(B)/bench/%: $(B)/host/bench/obj/tests/bench/%.o $(B)/host/bench/libhost.a
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(FLAGS_bench) $^ -o $@

# The embedding step's check: kvm/loader.c's own header and segment checks, on the host.
# Its loading half needs a VM and is never called here: --gc-sections drops it.
$(PAYLOAD_CHECK): tools/payload_check.c kvm/loader.c kvm/loader.h | deps
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ikvm -Iarch/x86_64 -ffunction-sections -Wl,--gc-sections \
		$(filter %.c,$^) -o $@

# Header dependencies (-MMD) of every object folder: build/<arch>/obj, build/<arch>/guest*/obj,
# build/host/<variant>/obj.
-include $(wildcard $(foreach o,$(B)/*/obj $(B)/*/*/obj,$(foreach d,. * */* */*/* */*/*/*,$\
	$(o)/$(d)/*.d)))

# ---- Tests ------------------------------------------------------------------------------
# Every QEMU boot has a time limit (tools/qemu-run.sh): a hang fails with the last console
# lines.  Sub-makes: the packages must be there before the cross rules are looked at.
test-host-build: $(HOST_BINS)
test-host: $(HOST_BINS)
	@tools/run-tests.sh $(HOST_BINS)

test-arm64: deps-arm64
	@$(SUB) arm64-arch-smoke arm64-kvm
	@tools/run-tests.sh "tools/qemu-run.sh $(B)/arm64/smoke/hyp.bin 60" \
		"tools/qemu-run.sh --smp 2 --mem $(KVM_MEM) $(B)/arm64/hyp.bin $(GUEST_TIMEOUT)" \
		"$(SUB) test-linux" "$(SUB) test-gdb"

X86_RUN := $(SUB) x86_64-kvm-run KVM_RUN_TIMEOUT=$(GUEST_TIMEOUT)
test-x86_64: deps-x86_64
	@$(SUB) x86_64-kvm
	@tools/run-tests.sh "$(X86_RUN)" "$(X86_RUN) KVM_CPU=qemu64 RUN=$(RUN_X86_SHADOW)" \
		"$(X86_RUN) KVM_CPU=qemu64 KVM_MEM=3G RUN=$(RUN_X86_SHADOW_BIG)" \
		"$(X86_RUN) RUN=$(RUN_X86_MIXED)" "$(SUB) test-gdb-x86_64" \
		"GDB_TEST_CPU=qemu64 $(SUB) test-gdb-x86_64"

# Everything the tests run is built first, on every core (nothing boots meanwhile); the
# tests themselves then run one after another, each with the machine to itself.
test-build: deps-arm64 deps-x86_64
	@$(SUB) -j$(JOBS) test-host-build arm64-arch-smoke arm64-kvm x86_64-kvm

test: test-build
	@tools/run-tests.sh "$(SUB) lint" "$(SUB) test-host" "$(SUB) test-arm64" "$(SUB) test-x86_64"

# The house rules (tools/lint.sh): clang-format, no assembly or register names in mmu/ and
# kvm/, mmu/ alone, files under 800 lines, a README per folder.
lint: deps
	@tools/lint.sh

run: deps-$(ARCH)
	@$(SUB) $(ARCH)-kvm-run

difftest-long: $(B)/host/plain/test_difftest
	$< --ops $(OPS) --seed $(SEED)

# ---- Benchmarks -------------------------------------------------------------------------
bench: bench-host bench-rmap $(if $(filter x86_64,$(ARCH)),bench-x86_64,bench-arm64 bench-linux)
bench-host: $(B)/bench/bench_walker
	$< --out $(B)/bench
	@tools/bench-plot.sh $(B)/bench
# Real-time priority where allowed: the host's other tasks must not preempt the zap in the
# middle of a stretch (interrupts and the machine's own stalls still can).
bench-rmap: $(B)/bench/bench_rmap
	@chrt -f 50 true 2>/dev/null && chrt -f 50 $< || $<
bench-arm64: deps-arm64
	@$(SUB) arm64-kvm arm64-guests-bare
	@tools/bench-arm64.sh $(B)/arm64
bench-x86_64: deps-x86_64
	@$(SUB) x86_64-kvm
	@tools/bench-x86.sh $(B)/x86_64

# ---- Debugging --------------------------------------------------------------------------
.PHONY: debug debug-hyp test-gdb
debug: debug-$(ARCH)
test-gdb: test-gdb-arm64
# QEMU's own gdbstub (-S: the machine waits) for debugging the hypervisor itself.
debug-hyp: deps-$(ARCH)
	@tools/deps.sh debug $(ARCH)
	@$(SUB) $(ARCH)-kvm
	@echo "debug-hyp: QEMU waits for the debugger before the first instruction; in another terminal:"
	@echo
	@echo "    gdb-multiarch $(B)/$(ARCH)/hyp.elf -ex 'target remote 127.0.0.1:$(HYP_GDB_PORT)'"
	@echo
	$(QEMU_$(ARCH)) --keep-after-panic --smp $(KVM_SMP) --mem $(KVM_MEM) $(boot_arg_$(ARCH)) \
		$(DEBUG_TIMEOUT) $(or $(call qemu_run_$(ARCH),$(RUN)),--) \
		-gdb tcp:127.0.0.1:$(HYP_GDB_PORT) -S

# ---- Guests nobody here wrote: your kernel, Debian's arm64 kernel (tools/linux-guest.sh) -
.PHONY: linux-guest run-guest run-linux test-linux bench-linux
LINUX_DIR := $(B)/linux-guest
SMP ?= 2
MEM ?= 512M
RUN_GUEST_TIMEOUT ?= 300
LINUX_TEST_TIMEOUT ?= 600
APPEND ?= console=ttyAMA0 earlycon=pl011,0x09000000
RUN_GUEST := tools/run-guest.sh --smp $(SMP) --mem $(MEM)
linux-guest: deps-arm64
	@tools/linux-guest.sh
run-guest: deps-arm64
	@[ -n "$(IMAGE)" ] || { echo "run-guest: say which kernel: make run-guest IMAGE=path [INITRD=...]" >&2; exit 2; }
	@$(SUB) arm64-kvm
	@$(RUN_GUEST) --timeout $(RUN_GUEST_TIMEOUT) --append "$(APPEND)" \
		$(if $(INITRD),--initrd $(INITRD)) $(IMAGE)
run-linux: deps-arm64
	@$(SUB) arm64-kvm linux-guest
	@$(RUN_GUEST) --console --timeout 0 --append "$(APPEND)" \
		--initrd $(LINUX_DIR)/initrd-shell.gz $(LINUX_DIR)/Image
# Status 0: the hypervisor saw the guest power off; the marker line proves it reached its
# init with both vCPUs.  One case, with its own closing line for tools/run-tests.sh.
test-linux: deps-arm64
	@$(SUB) arm64-kvm linux-guest
	@if tools/run-guest.sh --smp 2 --mem 512M --timeout $(LINUX_TEST_TIMEOUT) \
		--append "console=ttyAMA0 panic=-1" --expect '^\[linux\] LINUX-GUEST-MARKER cpus=2 ' \
		--log $(B)/arm64/test-linux.log \
		--initrd $(LINUX_DIR)/initrd-marker.gz $(LINUX_DIR)/Image; then \
		echo "PASS linux/marker-cpus-2-power-off"; echo "1 passed, 0 failed"; \
	else \
		echo "FAIL linux/marker-cpus-2-power-off"; echo "0 passed, 1 failed"; exit 1; \
	fi
bench-linux: deps-arm64
	@$(SUB) arm64-kvm linux-guest
	@tools/bench-linux.sh $(B)/arm64

clean:
	rm -rf $(B)
