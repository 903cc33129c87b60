# SPDX-License-Identifier: MIT
#
# Debugging under QEMU.  Include after mk/kvm-arm64.mk.
#
#   make debug [PAYLOAD=gdbdemo] [VCPUS=2] [GDB_PORT=1234]
#       boot the hypervisor with run=$(PAYLOAD):$(VCPUS):gdb: the VM starts
#       stopped and the hypervisor's GDB stub (kvm/gdbstub.c) waits on a
#       second serial port, a pci-serial 16550 that QEMU exposes as a TCP
#       socket; prints the gdb-multiarch command (the payload's symbols loaded)
#   make debug-hyp [RUN=...] [HYP_GDB_PORT=1235]
#       QEMU's own gdbstub (-S: the machine waits) for debugging the
#       hypervisor itself; prints the command
#   make test-gdb
#       tools/gdb-test.sh: gdb-multiarch against gdbdemo, and raw packets

debug_saved_goal := $(.DEFAULT_GOAL)

PAYLOAD ?= gdbdemo
VCPUS ?= 2
GDB_PORT ?= 1234
HYP_GDB_PORT ?= 1235
DEBUG_TIMEOUT ?= 3600

.PHONY: debug debug-hyp test-gdb

debug:
	@tools/deps.sh debug arm64
	@$(MAKE) --no-print-directory -s arm64-kvm
	@echo "debug: the VM '$(PAYLOAD)' waits for the debugger; in another terminal:"
	@echo
	@echo "    gdb-multiarch $(GUEST_ARM64_OUT)/$(PAYLOAD).elf -ex 'target remote 127.0.0.1:$(GDB_PORT)'"
	@echo
	tools/qemu-run.sh --smp $(KVM_SMP) --mem $(KVM_MEM) $(ARM64_OUT)/hyp.bin $(DEBUG_TIMEOUT) -- \
		-append "run=$(PAYLOAD):$(VCPUS):gdb" \
		-device pci-serial,chardev=gdb \
		-chardev socket,id=gdb,host=127.0.0.1,port=$(GDB_PORT),server=on,wait=off

debug-hyp:
	@tools/deps.sh debug arm64
	@$(MAKE) --no-print-directory -s arm64-kvm
	@echo "debug-hyp: QEMU waits for the debugger before the first instruction; in another terminal:"
	@echo
	@echo "    gdb-multiarch $(ARM64_OUT)/hyp.elf -ex 'target remote 127.0.0.1:$(HYP_GDB_PORT)'"
	@echo
	tools/qemu-run.sh --keep-after-panic --smp $(KVM_SMP) --mem $(KVM_MEM) \
		$(ARM64_OUT)/hyp.bin $(DEBUG_TIMEOUT) -- -gdb tcp:127.0.0.1:$(HYP_GDB_PORT) -S \
		$(if $(RUN),-append "run=$(RUN)")

test-gdb:
	@tools/deps.sh debug arm64
	@$(MAKE) --no-print-directory -s arm64-kvm
	@tools/gdb-test.sh $(ARM64_OUT)/hyp.bin $(GUEST_ARM64_OUT)/gdbdemo.elf

.DEFAULT_GOAL := $(debug_saved_goal)
