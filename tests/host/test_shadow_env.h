/* SPDX-License-Identifier: MIT */
/*
 * A fake VM for the shadow MMU host tests and bench_rmap: guest memory in
 * memslots, the guest's own 4-level tables built in it, fake host frames.
 *
 *	slot 0: gfn [0, SLOT0_FRAMES), backed by real memory (guest tables and data)
 *	slot 1: gfn [SLOT1_BASE, + slot1_frames), not backed: only mapped, never read
 *	anything else: a hole (MMIO)
 *
 * Host frame of gfn g is HOST_PFN_BASE + g: never dereferenced by the shadow
 * MMU, only compared.
 */
#ifndef TESTS_HOST_TEST_SHADOW_ENV_H
#define TESTS_HOST_TEST_SHADOW_ENV_H

#include "../../mmu/shadow_x86.h"
#include "host_env.h"

#define SLOT0_FRAMES  2048ULL	 /* 8 MiB */
#define SLOT1_BASE    0x40000ULL /* 1 GiB */
#define HOST_PFN_BASE 0x1000000ULL

struct fake_vm {
	struct shadow_mmu sm;
	struct page_pool *pool;
	struct shadow_page *meta;
	struct rcu_state rcu;
	u64 *mem; /* slot 0 */
	struct rmap_head *rmap0, *rmap1;
	u64 slot1_frames;
	bool slot1_readonly;
	u64 next_table; /* bump allocator of guest table frames in slot 0 */
	u64 tlb_flushes;
	int gfn_lookup_error; /* nonzero: what every frame lookup answers (-EAGAIN, -ENOMEM) */
};

extern const struct shadow_ops fake_shadow_ops;

/* @nr_cpus for RCU (0: no RCU, every free at once). */
struct fake_vm *fake_vm_create(u64 pool_pages, u64 slot1_frames, unsigned int nr_cpus);
/* Destroy; returns pool pages still out plus rmap descriptors still in use (0 = no leak). */
u64 fake_vm_destroy(struct fake_vm *fv);

/* A zeroed guest table frame from slot 0 (gfn), 0 when none left. */
u64 fake_alloc_table(struct fake_vm *fv);
u64 *fake_gpa_ptr(struct fake_vm *fv, u64 gpa);

/* Host address the shadow should map for @gfn, or 0 when in no slot. */
u64 fake_host_pa(const struct fake_vm *fv, u64 gfn);

/*
 * A reference walk of the guest's 4-level tables (SDM vol. 3A 4.5-4.7, APM vol. 2 5.3-5.6),
 * written apart from mmu/shadow_fault.c so the differential test has something to differ from.
 */
struct ref {
	int rc; /* 0 ok, 1 #PF (ec), -1 a table outside guest memory */
	u32 ec;
	u64 gpa;
	u8 acc;
	u64 gpte_gpa[4];
	int leaf;
};
void ref_walk(struct fake_vm *fv, u64 cr3, u64 gva, u32 ec, struct ref *r);

#endif
