/* SPDX-License-Identifier: MIT */
/*
 * ELF64 payload loader: checks an image completely, then copies its PT_LOAD
 * segments into the VM's memslots.
 */
#ifndef KVM_LOADER_H
#define KVM_LOADER_H

#include "mmu/types.h"

/* The ELF machine of the guests this build runs (the compiler knows its own target). */
#ifndef ARCH_ELF_MACHINE
#if defined(__aarch64__)
#define ARCH_ELF_MACHINE 183 /* EM_AARCH64 */
#elif defined(__x86_64__)
#define ARCH_ELF_MACHINE 62 /* EM_X86_64 */
#endif
#endif

struct vm;

/* An ELF image in hypervisor memory, by name (the runner's embedded payloads, payloads.h). */
struct payload_image {
	const char *name;
	const u8 *start;
	u64 size;
};

/*
 * Load the ELF image [@image, @image + @size) into @vm: every PT_LOAD must
 * lie inside one memslot, the entry point inside a loaded executable
 * segment.  0 with *entry; -ENOEXEC (not an ELF64 for @machine, malformed)
 * or -EFAULT (outside guest memory) with the reason printed, and guest
 * memory untouched; -ENOMEM.
 */
int loader_load_machine(struct vm *vm, const void *image, u64 size, u16 machine, u64 *entry);

static inline int loader_load(struct vm *vm, const void *image, u64 size, u64 *entry)
{
	return loader_load_machine(vm, image, size, ARCH_ELF_MACHINE, entry);
}

/*
 * Only the checks that need no VM (everything but the memslots): 0, or -ENOEXEC with
 * *why.  The build runs them on the host on every payload before embedding it
 * (tools/payload_check.c), so that the loader's rules are written once.
 */
int loader_check_image(const void *image, u64 size, u16 machine, const char **why);

/*
 * Feed the checker malformed images (truncated, wrong class or machine,
 * segments outside memory or wrapping, ...): each must be refused.  Prints
 * one PASS/FAIL line per case; returns the number of failures.
 */
unsigned int loader_selftest(struct vm *vm, const void *good, u64 size, unsigned int *passed);

#endif
