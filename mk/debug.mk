# SPDX-License-Identifier: MIT
#
# Debugging under QEMU.  Include after mk/kvm-arm64.mk.
#
#   make debug [PAYLOAD=gdbdemo] [VCPUS=2] [GDB_PORT=1234]
#       boot the hypervisor with run=$(PAYLOAD):$(VCPUS):gdb: the VM starts
#       stopped and the hypervisor's GDB stub (kvm/gdbstub/gdbstub.c) waits on a
#       second serial port, a pci-serial 16550 that QEMU exposes as a TCP
#       socket; prints the gdb-multiarch command (the payload's symbols loaded)
#   make debug-hyp [RUN=...] [HYP_GDB_PORT=1235]
#       QEMU's own gdbstub (-S: the machine waits) for debugging the
#       hypervisor itself; prints the command
#   make test-gdb
#       tools/gdb-test.sh: gdb-multiarch against gdbdemo, and raw packets
#   make debug-x86_64 [PAYLOAD=gdbdemo] [VCPUS=2] [GDB_PORT=1234]
#       the same on the x86-64 hypervisor (needs mk/kvm-x86_64.mk): the
#       channel is COM2 (I/O 0x2f8), an isa-serial with the TCP socket
#   make test-gdb-x86_64
#       tools/gdb-test.sh --arch x86_64: the same tests against the x86-64 hypervisor

debug_saved_goal := $(.DEFAULT_GOAL)

PAYLOAD ?= gdbdemo
VCPUS ?= 2
GDB_PORT ?= 1234
HYP_GDB_PORT ?= 1235
DEBUG_TIMEOUT ?= 3600

.PHONY: debug debug-hyp test-gdb debug-x86_64 test-gdb-x86_64

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

debug-x86_64:
	@tools/deps.sh debug x86_64
	@$(MAKE) --no-print-directory -s x86_64-kvm
	@echo "debug-x86_64: the VM '$(PAYLOAD)' waits for the debugger; in another terminal:"
	@echo
	@echo "    gdb-multiarch $(GUEST_X86_OUT)/$(PAYLOAD).elf -ex 'target remote 127.0.0.1:$(GDB_PORT)'"
	@echo
	tools/qemu-run.sh --arch x86_64 --smp $(KVM_SMP) --mem $(KVM_MEM) $(X86_ESP) \
		$(DEBUG_TIMEOUT) -- \
		-fw_cfg 'name=opt/hyp/cmdline,string=run=$(PAYLOAD):$(VCPUS):gdb' \
		-chardev socket,id=gdb,host=127.0.0.1,port=$(GDB_PORT),server=on,wait=off \
		-device isa-serial,chardev=gdb,iobase=0x2f8,irq=3

test-gdb-x86_64:
	@tools/deps.sh debug x86_64
	@$(MAKE) --no-print-directory -s x86_64-kvm
	@tools/gdb-test.sh --arch x86_64 $(X86_ESP) $(GUEST_X86_OUT)/gdbdemo.elf

.DEFAULT_GOAL := $(debug_saved_goal)
