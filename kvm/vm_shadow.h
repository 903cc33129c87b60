/* SPDX-License-Identifier: MIT */
/*
 * A VM's shadow MMU, for CPUs without nested paging (or when a VM asks for
 * it with the "shadow" option): see vm_shadow.c.
 */
#ifndef KVM_VM_SHADOW_H
#define KVM_VM_SHADOW_H

#include "mmu/types.h"

struct vm;
struct vm_config;

/* Host chunks the shadow MMU of a VM made from @cfg takes (its page pool). */
u32 vm_shadow_pool_chunks(const struct vm_config *cfg);

/*
 * 8 MiB of shadow tables per VM (host chunks, allocated at creation): a
 * 4K-mapped 1 GiB of guest RAM needs 512 leaf tables.
 */
#define VM_SHADOW_POOL_CHUNKS 4

/* After the memslots and stage 2 exist: pool, rmap heads, vm->s2.shadow.  0 or -ENOMEM. */
int vm_shadow_create(struct vm *vm);
/* Every vCPU thread has left: print the counters, zap and tear down the shadow tables. */
void vm_shadow_zap(struct vm *vm);
/* After the RCU barrier (shadow pages freed through RCU are back): give the memory back. */
void vm_shadow_free(struct vm *vm);

#endif
