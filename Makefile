# The one entry point.  `make test` runs every test, `make bench` the
# benchmarks, `make run` boots the hypervisor in QEMU.  Each target installs
# the Debian packages it needs first (tools/deps.sh, a no-op when present).
ARCH ?= arm64
BUILD := build
HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Immu -pthread
SEED ?= 1
OPS ?= 10000000

MMU_SRCS := mmu/page_pool.c mmu/pgtable.c mmu/pgtable_walk.c mmu/pte_arm64.c mmu/pte_x86.c \
	    mmu/rcu.c
HOST_SUPPORT := tests/host/harness.c tests/host/host_env.c tests/host/host_relax.c kvm/mmu_yield.c
HOST_TESTS := test_pte_formats test_pgtable test_rcu test_difftest test_stress test_fdt_gen \
	      test_shadow test_shadow_pool test_x86_insn test_x86_rmw
# Sources a host test has besides its own .c file and HOST_SUPPORT.
SRCS_test_difftest := tests/host/difftest_model.c tests/host/difftest_gen.c
SRCS_test_fdt_gen := kvm/fdt_gen.c
SHADOW_SRCS := mmu/shadow.c mmu/shadow_fault.c mmu/shadow_x86.c mmu/rmap.c mmu/rmap_zap.c
SRCS_test_shadow := $(SHADOW_SRCS) tests/host/test_shadow_env.c
SRCS_test_shadow_pool := $(SHADOW_SRCS) tests/host/test_shadow_env.c
SRCS_test_x86_insn := arch/x86_64/insn.c
SRCS_test_x86_rmw := arch/x86_64/insn.c arch/x86_64/insn_rmw.c
HOST_DEPS := $(MMU_SRCS) $(HOST_SUPPORT) $(wildcard mmu/*.h tests/host/*.h) kvm/fdt_gen.h \
	     arch/x86_64/insn.h \
	     kvm/guest_platform.h kvm/mmu_yield.h

# Three builds of the host tests: plain, ThreadSanitizer, AddressSanitizer+UBSan.
VARIANTS := plain tsan asan
FLAGS_plain :=
FLAGS_tsan := -fsanitize=thread
FLAGS_asan := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps deps-arm64 deps-x86_64 test test-host test-arm64 test-x86_64 bench bench-host \
	bench-arm64 bench-x86_64 bench-rmap \
	difftest-long run clean
all: test-host-build

deps:
	@tools/deps.sh host

deps-arm64:
	@tools/deps.sh host arm64

deps-x86_64:
	@tools/deps.sh host x86_64

# The arm64 hypervisor: boot image, guest payloads, kvm/ (each also works alone).
include mk/arm64.mk
include mk/guest-arm64.mk
include mk/kvm-arm64.mk
include mk/linux-guest.mk
include mk/debug.mk

# The x86-64 hypervisor: UEFI stub + image, guest payloads, kvm/ with SVM.
include mk/x86_64.mk
include mk/guest-x86_64.mk
include mk/kvm-x86_64.mk

# Each source is compiled once per variant (with its header dependencies), not once per
# test binary: the objects of variant $(1) for the sources $(2).
host_objs = $(patsubst %.c,$(BUILD)/host/$(1)/obj/%.o,$(2))

define host_variant_rule
$(BUILD)/host/$(1)/obj/%.o: %.c | deps
	@mkdir -p $$(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(FLAGS_$(1)) -MMD -MP -c $$< -o $$@
-include $(wildcard $(BUILD)/host/$(1)/obj/*/*.d $(BUILD)/host/$(1)/obj/*/*/*.d)
endef
$(foreach v,$(VARIANTS),$(eval $(call host_variant_rule,$(v))))

define host_test_rule
$(BUILD)/host/$(1)/$(2): $(call host_objs,$(1),tests/host/$(2).c $(MMU_SRCS) $(HOST_SUPPORT) $(SRCS_$(2)))
	$(HOST_CC) $(HOST_CFLAGS) $(FLAGS_$(1)) $$^ -o $$@
endef
$(foreach v,$(VARIANTS),$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(v),$(t)))))

HOST_BINS := $(foreach v,$(VARIANTS),$(foreach t,$(HOST_TESTS),$(BUILD)/host/$(v)/$(t)))
test-host-build: $(HOST_BINS)

test-host: $(HOST_BINS)
	@tools/run-tests.sh $(HOST_BINS)

# Every QEMU boot has a time limit (tools/qemu-run.sh): a hang fails with the
# last console lines.  Sub-makes: the packages must be there before the
# arm64 rules (newlib, the cross compiler) are even looked at.
GUEST_TIMEOUT ?= 900
test-arm64: deps-arm64
	@$(MAKE) --no-print-directory -s arm64-arch-smoke arm64-kvm
	@tools/run-tests.sh "tools/qemu-run.sh $(ARM64_SMOKE_OUT)/hyp.bin $(ARM64_SMOKE_TIMEOUT)" \
		"tools/qemu-run.sh --smp 2 --mem $(KVM_MEM) $(ARM64_OUT)/hyp.bin $(GUEST_TIMEOUT)" \
		"$(MAKE) --no-print-directory -s test-linux" \
		"$(MAKE) --no-print-directory -s test-gdb"

test-x86_64: deps-x86_64
	@$(MAKE) --no-print-directory -s x86_64-kvm
	@tools/run-tests.sh "$(MAKE) --no-print-directory -s x86_64-kvm-run KVM_RUN_TIMEOUT=$(GUEST_TIMEOUT)" \
		"$(MAKE) --no-print-directory -s x86_64-kvm-run KVM_CPU=qemu64 RUN=$(KVM_X86_SHADOW_RUN) KVM_RUN_TIMEOUT=$(GUEST_TIMEOUT)" \
		"$(MAKE) --no-print-directory -s x86_64-kvm-run KVM_CPU=qemu64 KVM_MEM=3G RUN=$(KVM_X86_SHADOW_BIG_RUN) KVM_RUN_TIMEOUT=$(GUEST_TIMEOUT)" \
		"$(MAKE) --no-print-directory -s x86_64-kvm-run RUN=$(KVM_X86_MIXED_RUN) KVM_RUN_TIMEOUT=$(GUEST_TIMEOUT)" \
		"$(MAKE) --no-print-directory -s test-gdb-x86_64" \
		"GDB_TEST_CPU=qemu64 $(MAKE) --no-print-directory -s test-gdb-x86_64"

# Everything the tests run is built first, on every core (nothing boots meanwhile); the
# tests themselves then run one after another, each with the machine to itself.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
.PHONY: test-build
test-build: deps-arm64 deps-x86_64
	@$(MAKE) --no-print-directory -s -j$(JOBS) test-host-build arm64-arch-smoke arm64-kvm x86_64-kvm

test: test-build
	@tools/run-tests.sh "$(MAKE) --no-print-directory -s test-host" \
		"$(MAKE) --no-print-directory -s test-arm64" \
		"$(MAKE) --no-print-directory -s test-x86_64"

# Boot the hypervisor with the default payload set (or RUN="touch,isolation+isolation,...");
# ARCH=x86_64 boots the UEFI build under OVMF.
run: deps-$(ARCH)
ifeq ($(ARCH),x86_64)
	@$(MAKE) --no-print-directory -s x86_64-kvm-run
else
	@$(MAKE) --no-print-directory -s arm64-kvm
	tools/qemu-run.sh --smp $(KVM_SMP) --mem $(KVM_MEM) $(ARM64_OUT)/hyp.bin $(KVM_RUN_TIMEOUT) \
		$(if $(RUN),-- -append "run=$(RUN)")
endif

# The differential test for as long as you like: make difftest-long [OPS=n] [SEED=n]
difftest-long: $(BUILD)/host/plain/test_difftest
	$(BUILD)/host/plain/test_difftest --ops $(OPS) --seed $(SEED)

BENCH_SUPPORT := tests/host/host_env.c tests/host/host_relax.c tests/bench/resched_probe.c \
		 kvm/mmu_yield.c

$(BUILD)/bench/bench_walker: tests/bench/bench_walker.c $(BENCH_SUPPORT) $(HOST_DEPS) \
			     tests/bench/resched_probe.h | deps
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -DNDEBUG $(MMU_SRCS) $(BENCH_SUPPORT) $< -o $@

# Zap latency through the shadow MMU's rmap.
.PHONY: bench-rmap
$(BUILD)/bench/bench_rmap: tests/bench/bench_rmap.c $(SHADOW_SRCS) tests/host/test_shadow_env.c \
			   $(BENCH_SUPPORT) $(HOST_DEPS) tests/bench/resched_probe.h | deps
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -DNDEBUG $(MMU_SRCS) $(SHADOW_SRCS) $(BENCH_SUPPORT) \
		tests/host/test_shadow_env.c $< -o $@

# Real-time priority where allowed: the host's other tasks must not preempt the
# zap in the middle of a stretch (interrupts and the machine's own stalls still can).
bench-rmap: $(BUILD)/bench/bench_rmap
	@chrt -f 50 true 2>/dev/null && chrt -f 50 $(BUILD)/bench/bench_rmap || $(BUILD)/bench/bench_rmap

ifeq ($(ARCH),x86_64)
bench: bench-host bench-rmap bench-x86_64
else
bench: bench-host bench-rmap bench-arm64 bench-linux
endif

bench-host: $(BUILD)/bench/bench_walker
	$(BUILD)/bench/bench_walker --out $(BUILD)/bench
	@tools/bench-plot.sh $(BUILD)/bench

bench-arm64: deps-arm64
	@$(MAKE) --no-print-directory -s arm64-kvm arm64-guests-bare
	@tools/bench-arm64.sh $(ARM64_OUT)

clean:
	rm -rf $(BUILD)
