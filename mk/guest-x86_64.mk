# SPDX-License-Identifier: MIT
#
# x86-64 guest payloads: build/x86_64/guest/<name>.elf for every
# tests/guest/<name>.c that is not arm64-only, linked with the guest runtime
# (tests/guest/runtime/, its *_x86_64.* half) and our newlib for
# x86_64-none-elf.  Include after mk/x86_64.mk (X86_TARGET_CFLAGS, X86_CC,
# the newlib stamp).  On its own, from the top of the tree:
#
#   make -f mk/x86_64.mk -f mk/guest-x86_64.mk x86_64-guests
#
# The entry contract (32-bit flat protected mode, EDI = vCPU index) is
# tests/guest/runtime/entry_x86_64.h.

guest_x86_64_saved_goal := $(.DEFAULT_GOAL)

GUEST_X86_OUT ?= $(X86_OUT)/guest
# arm64 only: the GICv3 payload.
GUEST_X86_ARM64_ONLY := vgic
# A payload whose two halves share nothing but a name: tests/guest/x86_64/<name>.c here.
GUEST_X86_PAYLOADS ?= $(filter-out $(GUEST_X86_ARM64_ONLY), \
	$(sort $(basename $(notdir $(wildcard tests/guest/*.c tests/guest/x86_64/*.c)))))

GUEST_RT_DIR := tests/guest/runtime
GUEST_RT_X86_SRCS := start_x86_64.S vectors_x86_64.S arch_x86_64.c abort_x86_64.c \
	start.c hypercall.c test.c smp.c syscalls.c locks.c

GUEST_X86_CFLAGS = $(X86_TARGET_CFLAGS) -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-I. -I$(GUEST_RT_DIR) -MMD -MP
GUEST_X86_ASFLAGS = $(X86_TARGET_CFLAGS) -g -Wall -Werror -I$(GUEST_RT_DIR) -MMD -MP
GUEST_X86_LDFLAGS = -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,norelro -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T linker/x86_64-guest.ld
GUEST_X86_LIBS = -L$(X86_NEWLIB)/lib -Wl,--start-group -lc -lm -lgcc -Wl,--end-group

GUEST_X86_RT_OBJS := $(patsubst %,$(GUEST_X86_OUT)/obj/%.o,$(basename $(GUEST_RT_X86_SRCS))) \
	$(GUEST_X86_OUT)/obj/lib/newlib_syscalls.o

$(GUEST_X86_OUT)/obj/lib/%.o: lib/%.c | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(GUEST_X86_CFLAGS) -c $< -o $@

$(GUEST_X86_OUT)/obj/%.o: $(GUEST_RT_DIR)/%.c | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(GUEST_X86_CFLAGS) -c $< -o $@

$(GUEST_X86_OUT)/obj/%.o: $(GUEST_RT_DIR)/%.S | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(GUEST_X86_ASFLAGS) -c $< -o $@

$(GUEST_X86_OUT)/obj/payload/%.o: tests/guest/x86_64/%.c | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(GUEST_X86_CFLAGS) -c $< -o $@

$(GUEST_X86_OUT)/obj/payload/%.o: tests/guest/%.c | $(X86_NEWLIB_STAMP)
	@mkdir -p $(@D)
	$(X86_CC) $(GUEST_X86_CFLAGS) -c $< -o $@

$(GUEST_X86_OUT)/%.elf: $(GUEST_X86_OUT)/obj/payload/%.o $(GUEST_X86_RT_OBJS) \
		linker/x86_64-guest.ld
	$(X86_CC) $(GUEST_X86_LDFLAGS) -Wl,-Map=$(@:.elf=.map) -o $@ \
		$(filter %.o,$^) $(GUEST_X86_LIBS)

GUEST_X86_ELFS := $(patsubst %,$(GUEST_X86_OUT)/%.elf,$(GUEST_X86_PAYLOADS))

# Pattern-built objects would count as intermediate and be deleted.
.SECONDARY: $(patsubst %,$(GUEST_X86_OUT)/obj/payload/%.o,$(GUEST_X86_PAYLOADS)) \
	$(GUEST_X86_RT_OBJS)

.PHONY: x86_64-guests

x86_64-guests: $(GUEST_X86_ELFS)

-include $(wildcard $(GUEST_X86_OUT)/obj/*.d $(GUEST_X86_OUT)/obj/payload/*.d $(GUEST_X86_OUT)/obj/lib/*.d)

.DEFAULT_GOAL := $(guest_x86_64_saved_goal)
