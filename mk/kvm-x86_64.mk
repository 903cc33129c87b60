# SPDX-License-Identifier: MIT
#
# The x86-64 hypervisor with kvm/: VMs running the guest payloads under AMD
# SVM with nested paging, the payloads embedded in the image.  Include after
# mk/x86_64.mk and mk/guest-x86_64.mk; on its own, from the top of the tree:
#
#   make -f mk/x86_64.mk -f mk/guest-x86_64.mk -f mk/kvm-x86_64.mk x86_64-kvm
#   make -f mk/x86_64.mk -f mk/guest-x86_64.mk -f mk/kvm-x86_64.mk x86_64-kvm-run \
#	RUN="touch,touch:blocks,give_back"
#
# x86_64-kvm       build/x86_64/esp/EFI/BOOT/BOOTX64.EFI with kvm/main.c and
#                  every payload of build/x86_64/guest/ embedded
# x86_64-kvm-run   boot it under OVMF (tools/qemu-run.sh --arch x86_64,
#                  KVM_RUN_TIMEOUT seconds, QEMU CPU model KVM_CPU: max
#                  has SVM with nested paging, qemu64 SVM without it).
#                  RUN, when set, reaches arch_boot_args() through QEMU's fw_cfg file
#                  opt/hyp/cmdline as "run=$(RUN)" (the removable-media
#                  boot has no load options); empty RUN runs
#                  KVM_X86_RUN_DEFAULT
# bench-x86_64     tools/bench-x86.sh: #NPF exits/s with 4K and 2M mappings
#                  against a pre-populated run (fault_bench), QEMU start to
#                  the payload's first line, the first guest instruction
# x86_64-check-elf ELF=file   the embedding step's payload check on any file
#
# Every embedded payload is checked before it is embedded (kvm_x86_check_elf
# below): a missing, truncated or non-x86-64 ELF stops the build.
#
# kvm/vgic.c and kvm/vgic_mmio.c are arm64's GICv3: left out, and
# kvm/vgic_none.c (KVM_VGIC_NONE) stands in.  The guest debugger's
# arch side is arch/x86_64/debug.c (channel: COM2, see x86_64-debug below).

kvm_x86_64_saved_goal := $(.DEFAULT_GOAL)

KVM_RUN_TIMEOUT ?= 300
KVM_SMP ?= 2
KVM_MEM ?= 2G
KVM_CPU ?= max
RUN ?=
kvm_x86_comma := ,
# What runs when RUN is empty: kvm/main.c's RUN_DEFAULT minus what x86 does
# not have yet (guest_image: arm64 Linux images; vgic: the GICv3 payload).
# uart is the COM1 variant (arch/x86_64/vcom1.c).
KVM_X86_BASE_RUN := loader,touch,touch:blocks,give_back,give_back:blocks,isolation+isolation,$\
	smp_faults:2,smp_faults:4,hostile:2,ticker:2:cpus=1,fault_bench,fault_bench:prepopulate,$\
	uart,give_back_race:3+give_back_race:3:blocks,paging,paging:2
# Isolation (kvm/README.md "Reliability"): a guest spinning on each CPU ended at its time
# limit, the one on CPU 0 beside a ticker that must not starve (CPU 1 left idle: under
# QEMU's one TCG thread two busy CPUs take turns of up to 100 ms, tools/qemu-run.sh);
# hypercalls from user mode refused; VMs that would not fit refused at creation.
KVM_X86_SPIN_RUN := spin:time=3:expect=limit:cpu=0+ticker:2:cpus=1:cpu=0,spin:time=2:expect=limit:cpu=1
KVM_X86_OOM_RUN := oom:mem=1G:blocks+oom:mem=512M:blocks+oom:mem=1G:expect=refused
KVM_X86_RUN_DEFAULT := $(KVM_X86_BASE_RUN),$(KVM_X86_SPIN_RUN),regleak:cpu=0+regleak:cpu=0,$\
	user_hypercall:2,$(KVM_X86_OOM_RUN)
# The shadow MMU (make test runs each): the set above under KVM_CPU=qemu64
# (no nested paging), a 1 GiB give-back beside a ticker on one physical CPU
# (KVM_MEM=3G: the VM's 2 GiB are promised to it, kvm/host_mem.h), and shadow VMs
# forced beside nested-paging ones on -cpu max.
# cr_refuse only where control registers are emulated (QEMU's own CPU checks none of it).
# The shadow MMU's own payloads: shadow_rmw (also beside a nested-paging copy in the mixed
# run), shadow_pool overflowing the pool (twice: the bug it guards against showed in about
# one run of two; under nested paging it would pass for nothing).
KVM_X86_SHADOW_RUN := $(KVM_X86_BASE_RUN),$(KVM_X86_SPIN_RUN),regleak:cpu=0+regleak:cpu=0,$\
	user_hypercall:2,cr_refuse,shadow_rmw,shadow_pool:4,shadow_pool:4
KVM_X86_SHADOW_BIG_RUN := ticker:2:cpus=1:mem=2G
KVM_X86_MIXED_RUN := touch:shadow+touch,paging:2:shadow+paging,isolation:shadow+isolation,$\
	give_back_race:3:shadow+give_back_race:3,cr_refuse:shadow,regleak:shadow:cpu=0+regleak:cpu=0,$\
	shadow_rmw:shadow+shadow_rmw
KVM_X86_RUN = $(if $(RUN),$(RUN),$(KVM_X86_RUN_DEFAULT))

KVM_X86_GEN := $(X86_OUT)/gen
KVM_X86_PAYLOADS_S := $(KVM_X86_GEN)/payloads.S
KVM_X86_SRCS := $(filter-out kvm/vgic.c kvm/vgic_mmio.c,$(sort $(wildcard kvm/*.c))) \
	mmu/page_pool.c mmu/pgtable.c mmu/pgtable_walk.c mmu/pte_arm64.c mmu/pte_x86.c mmu/rcu.c \
	mmu/shadow.c mmu/shadow_fault.c mmu/shadow_x86.c mmu/rmap.c mmu/rmap_zap.c \
	arch/x86_64/svm.c arch/x86_64/svm_exit.c arch/x86_64/svm_entry.S arch/x86_64/vcom1.c arch/x86_64/kvm_arch.c \
	arch/x86_64/debug.c arch/x86_64/svm_shadow.c arch/x86_64/insn.c arch/x86_64/insn_rmw.c \
	$(KVM_X86_PAYLOADS_S)

X86_HYP_MAIN := kvm/main.c
X86_HYP_SRCS += $(filter-out $(X86_HYP_MAIN),$(KVM_X86_SRCS))
X86_CFLAGS += -Ikvm -DKVM_VGIC_NONE

KVM_X86_OBJS := $(patsubst %,$(X86_OUT)/obj/%.o,$(basename $(KVM_X86_SRCS)))
KVM_X86_PAYLOADS_O := $(X86_OUT)/obj/$(basename $(KVM_X86_PAYLOADS_S)).o

.PHONY: x86_64-kvm x86_64-kvm-run bench-x86_64 kvm-x86_64-payloads-force

x86_64-kvm: $(X86_ESP)/EFI/BOOT/BOOTX64.EFI

x86_64-kvm-run: $(X86_ESP)/EFI/BOOT/BOOTX64.EFI
	tools/qemu-run.sh --arch x86_64 --smp $(KVM_SMP) --mem $(KVM_MEM) \
		--cpu $(KVM_CPU) $(X86_ESP) \
		$(KVM_RUN_TIMEOUT) -- -fw_cfg \
		'name=opt/hyp/cmdline$(kvm_x86_comma)string=run=$(subst $(kvm_x86_comma),$(kvm_x86_comma)$(kvm_x86_comma),$(KVM_X86_RUN))'

bench-x86_64: $(X86_ESP)/EFI/BOOT/BOOTX64.EFI
	@tools/bench-x86.sh $(X86_OUT)

# mk/x86_64.mk expanded the link rule's prerequisites before this file added
# sources: name them again (the recipe itself sees the final list).
$(X86_OUT)/hyp.elf: $(KVM_X86_OBJS)

# The image without kvm/ (mk/x86_64.mk alone: boot_demo.c) links to the same
# hyp.elf.  If that was the last link, relink even though no object changed.
KVM_X86_RELINK := $(KVM_X86_GEN)/relink.stamp
$(X86_OUT)/hyp.elf: $(KVM_X86_RELINK)
$(KVM_X86_RELINK): kvm-x86_64-payloads-force
	@mkdir -p $(@D)
	@grep -qs '$(X86_OUT)/obj/kvm/main.o' $(X86_OUT)/hyp.map && [ -e $@ ] || touch $@

# .incbin is invisible to -MMD: the object depends on the ELFs themselves,
# each checked first (kvm_x86_check_elf below).
KVM_X86_ELF_OKS := $(patsubst %,$(KVM_X86_GEN)/elf-ok/%.ok,$(GUEST_X86_PAYLOADS))
$(KVM_X86_PAYLOADS_O): $(GUEST_X86_ELFS) $(KVM_X86_ELF_OKS)

# A payload named in GUEST_X86_PAYLOADS without a source is refused here,
# before make's own "No rule to make target".
$(foreach p,$(GUEST_X86_PAYLOADS),$(if $(wildcard tests/guest/$(p).c tests/guest/x86_64/$(p).c),,$\
	$(error payload '$(p)': no tests/guest/$(p).c or tests/guest/x86_64/$(p).c $\
	(GUEST_X86_PAYLOADS))))

# Bad input before anything boots: an image that is not what the
# hypervisor's loader (kvm/loader.c) accepts would only be refused at run
# time, inside QEMU.  Checked at build time instead, with the same rules as
# the loader's header checks (ELF-64 gABI, "ELF Header" and "Program
# Header"; the System V AMD64 psABI's EM_X86_64 = 62): the file exists and
# holds at least an ELF header (64 bytes), the magic 7f 'E' 'L' 'F', class
# ELFCLASS64, data ELFDATA2LSB, type ET_EXEC, machine EM_X86_64, a program
# header table of 56-byte entries inside the file, and every PT_LOAD's file
# bytes inside the file (a truncated copy fails here).  Fields are read with
# od as the build host's byte order: little-endian, like the image.
#   $(call kvm_x86_check_elf,file)   shell: exits 1 with "error: ..." on stderr
define kvm_x86_check_elf
f='$(1)'; bad() { echo "error: payload image $$f: $$*: refusing to embed it" >&2; exit 1; }; \
u() { od -An -t u$$2 -j $$1 -N $$2 "$$f" | tr -d ' '; }; \
[ -f "$$f" ] || bad "missing"; \
size=$$(stat -c %s "$$f"); \
[ "$$size" -ge 64 ] || bad "truncated: $$size bytes, an ELF-64 header alone is 64"; \
[ "$$(od -An -t x1 -N 4 "$$f" | tr -d ' ')" = 7f454c46 ] || bad "not an ELF file (bad magic)"; \
[ "$$(u 4 1)" = 2 ] || bad "not ELF-64 (EI_CLASS $$(u 4 1), want 2)"; \
[ "$$(u 5 1)" = 1 ] || bad "not little-endian (EI_DATA $$(u 5 1), want 1)"; \
[ "$$(u 16 2)" = 2 ] || bad "not an executable (e_type $$(u 16 2), want ET_EXEC 2)"; \
[ "$$(u 18 2)" = 62 ] || bad "built for machine $$(u 18 2), want EM_X86_64 (62)"; \
phoff=$$(u 32 8); phnum=$$(u 56 2); \
[ "$$(u 54 2)" = 56 ] && [ "$$phnum" -gt 0 ] && \
	[ $$((phoff + phnum * 56)) -le "$$size" ] || \
	bad "truncated or bad program headers ($$phnum at offset $$phoff, file $$size bytes)"; \
i=0; while [ $$i -lt $$phnum ]; do \
	ph=$$((phoff + i * 56)); \
	if [ "$$(u $$ph 4)" = 1 ]; then \
		off=$$(u $$((ph + 8)) 8); filesz=$$(u $$((ph + 32)) 8); \
		[ $$((off + filesz)) -le "$$size" ] || \
			bad "truncated: segment $$i needs bytes up to $$((off + filesz)), file has $$size"; \
	fi; \
	i=$$((i + 1)); \
done
endef

$(KVM_X86_GEN)/elf-ok/%.ok: $(GUEST_X86_OUT)/%.elf
	@mkdir -p $(@D)
	@$(call kvm_x86_check_elf,$<)
	@touch $@

# The same check on any file: make ... x86_64-check-elf ELF=path
.PHONY: x86_64-check-elf
x86_64-check-elf:
	@$(call kvm_x86_check_elf,$(ELF))
	@echo "$(ELF): a well-formed x86-64 ELF executable"

# One .incbin and one table row per payload (kvm/payloads.h).  Rewritten
# only when the list of payloads changes.
$(KVM_X86_PAYLOADS_S): kvm-x86_64-payloads-force
	@mkdir -p $(@D)
	@{ \
	echo '/* Generated by mk/kvm-x86_64.mk: the guest payloads (kvm/payloads.h). */'; \
	echo '	.section .rodata.payload_data, "a"'; \
	$(foreach p,$(GUEST_X86_PAYLOADS), \
		echo '	.balign 16'; \
		echo '.Lpayload_$(p)_start:'; \
		echo '	.incbin "$(GUEST_X86_OUT)/$(p).elf"'; \
		echo '.Lpayload_$(p)_end:'; \
		echo '.Lpayload_$(p)_name:'; \
		echo '	.asciz "$(p)"';) \
	echo '	.section .rodata.payload_images, "a"'; \
	echo '	.balign 8'; \
	echo '	.global payload_images'; \
	echo 'payload_images:'; \
	$(foreach p,$(GUEST_X86_PAYLOADS), \
		echo '	.quad .Lpayload_$(p)_name, .Lpayload_$(p)_start'; \
		echo '	.quad .Lpayload_$(p)_end - .Lpayload_$(p)_start';) \
	echo '	.balign 4'; \
	echo '	.global payload_count'; \
	echo 'payload_count:'; \
	echo '	.long $(words $(GUEST_X86_PAYLOADS))'; \
	} >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

-include $(KVM_X86_OBJS:.o=.d)

.DEFAULT_GOAL := $(kvm_x86_64_saved_goal)
