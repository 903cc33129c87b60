// SPDX-License-Identifier: MIT
/*
 * More address spaces than the shadow MMU's pool holds (x86-64 only; run
 * with 4 vCPUs): vCPUs 1 and 2 each switch (MOV CR3) between SPACES address
 * spaces of their own, 4-level tables with N_PT page tables each, and read
 * one page through every one of those tables, checking what it holds; a
 * store through the window lands in the page the identity map shows.
 * Meanwhile vCPU 0 powers vCPU 3 on and off again and again: each start
 * turns paging on from nothing (the runtime's entry), so it needs a fresh
 * shadow root, often while the pool is empty.  Every read must see its
 * page, every start must run, and the VM must end by itself.
 *
 * What it is for: under the shadow MMU (SVM without nested paging) each
 * guest table touched costs a shadow page (a page table two: its gfns), so
 * the two workers' 2 * SPACES * (3 + 2 * N_PT) pages overflow the VM's pool
 * (kvm/vm_shadow.c, 2048 pages) every round and it is zapped again and
 * again while the others load roots.  A vCPU must then wait for a root,
 * never run on something else (the bug this guards against entered long
 * mode with CR3 on a PAE root inside the hypervisor's vCPU structure).
 * Architectural only, so it passes under nested paging too.
 */
#if !defined(__x86_64__)
#error "shadow_pool is x86-64 only (GUEST_SKIP_arm64 in arch/arm64/arch.mk)"
#endif

#include <stdio.h>
#include <string.h>

#include "guest.h"

#define PTE_P	 (1ULL << 0)
#define PTE_RW	 (1ULL << 1)
#define PTE_ADDR 0x000ffffffffff000ULL

#define WORKERS	    2
#define SPACES	    12
#define N_PT	    64 /* page tables per space: one 4 KiB page used in each 2 MiB */
#define ROUNDS	    8
#define N_DATA	    32
#define STARTER_CPU 3
/* The window: PML4[1], PDPT[0], PD[0..N_PT), PT[k][7]. */
#define WIN_VA	   ((uintptr_t)1 << 39)
#define TIMEOUT_NS 120000000000ULL
#define SPIN	   100000

struct space {
	uint64_t cr3;
	unsigned int data[N_PT]; /* the data page PT k maps */
};

static struct space spaces[WORKERS][SPACES];
static uintptr_t next_free, data_page[N_DATA];
static uint64_t orig_cr3;
static volatile unsigned int errors[WORKERS], reads[WORKERS], workers_done;
static volatile unsigned int starts;

static uint64_t pattern(unsigned int d)
{
	return 0x9001000000000000ULL | d;
}

static uintptr_t alloc_page(void)
{
	uintptr_t p = next_free;

	next_free += GUEST_PAGE_SIZE;
	memset((void *)p, 0, GUEST_PAGE_SIZE);
	return p;
}

static uintptr_t va(unsigned int k)
{
	return WIN_VA + ((uintptr_t)k << 21) + 7 * GUEST_PAGE_SIZE;
}

static uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v) : : "memory");
	return v;
}

static void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static void build(struct space *sp, unsigned int seed)
{
	uint64_t *pml4 = (uint64_t *)alloc_page(), *pdpt = (uint64_t *)alloc_page();
	uint64_t *pd = (uint64_t *)alloc_page();

	pml4[0] = ((uint64_t *)(uintptr_t)(orig_cr3 & PTE_ADDR))[0];
	pml4[1] = (uintptr_t)pdpt | PTE_P | PTE_RW;
	pdpt[0] = (uintptr_t)pd | PTE_P | PTE_RW;
	for (unsigned int k = 0; k < N_PT; k++) {
		uint64_t *pt = (uint64_t *)alloc_page();

		sp->data[k] = (seed * 7 + k) % N_DATA;
		pt[7] = data_page[sp->data[k]] | PTE_P | PTE_RW;
		pd[k] = (uintptr_t)pt | PTE_P | PTE_RW;
	}
	sp->cr3 = (uintptr_t)pml4;
}

/* vCPU 1 + w: every space, every page table, ROUNDS times; a store through the window now and then. */
static void worker(void *arg)
{
	unsigned int w = (unsigned int)(uintptr_t)arg, bad = 0, n = 0;
	uint64_t scratch = 0x5c0000000000ULL | (uint64_t)w << 32;

	for (unsigned int r = 0; r < ROUNDS; r++) {
		for (unsigned int s = 0; s < SPACES; s++) {
			struct space *sp = &spaces[w][s];

			write_cr3(sp->cr3);
			/*
			 * Worker 1 stays in the guest a while without an exit, its
			 * root loaded: a grace period then waits for its CPU's tick,
			 * and what a zap hands to RCU stays out of the pool that long.
			 */
			for (volatile unsigned int spin = 0; w == 1 && spin < SPIN; spin++)
				;
			for (unsigned int k = 0; k < N_PT; k++, n++) {
				volatile uint64_t *p = (volatile uint64_t *)va(k);

				bad += p[0] != pattern(sp->data[k]);
				if (k % 16 == 0) {
					/* Word 1 + w of the page is this worker's alone. */
					p[1 + w] = ++scratch;
					bad += ((volatile uint64_t *)
							data_page[sp->data[k]])[1 + w] != scratch;
				}
			}
		}
	}
	write_cr3(orig_cr3);
	errors[w] = bad;
	reads[w] = n;
	__atomic_fetch_add(&workers_done, 1, __ATOMIC_RELEASE);
}

/* vCPU 3: runs once per power-on, on a root loaded from nothing. */
static void starter(void *arg)
{
	(void)arg;
	if (read_cr3() == orig_cr3 && *(volatile uint64_t *)data_page[0] == pattern(0))
		__atomic_fetch_add(&starts, 1, __ATOMIC_RELEASE);
}

void test_main(void)
{
	unsigned int w, tries = 0, failed_starts = 0;
	uint64_t t0;

	if (!check("at-least-4-vcpus", guest_cpu_count() >= 4))
		return;
	orig_cr3 = read_cr3();
	next_free = guest_free_start();
	for (unsigned int d = 0; d < N_DATA; d++) {
		data_page[d] = alloc_page();
		*(volatile uint64_t *)data_page[d] = pattern(d);
	}
	for (w = 0; w < WORKERS; w++)
		for (unsigned int s = 0; s < SPACES; s++)
			build(&spaces[w][s], w * SPACES + s);
	for (w = 0; w < WORKERS; w++)
		checkf(guest_cpu_start(1 + w, worker, (void *)(uintptr_t)w) == 0, "worker%u-on", w);
	t0 = hc_time_ns();
	while (__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE) < WORKERS &&
	       hc_time_ns() - t0 < TIMEOUT_NS) {
		tries++;
		if (guest_cpu_start(STARTER_CPU, starter, NULL) ||
		    guest_cpu_wait_off(STARTER_CPU, TIMEOUT_NS))
			failed_starts++;
	}
	for (w = 0; w < WORKERS; w++)
		checkf(guest_cpu_wait_off(1 + w, TIMEOUT_NS) == 0, "worker%u-off", w);
	printf("shadow_pool: %u spaces of %u page tables per worker, %u reads each, "
	       "vCPU %u started %u times meanwhile\n",
	       SPACES, N_PT, reads[0], STARTER_CPU, tries);
	for (w = 0; w < WORKERS; w++) {
		checkf(reads[w] == ROUNDS * SPACES * N_PT, "worker%u-read-every-page", w);
		checkf(errors[w] == 0, "worker%u-contents", w);
	}
	check("restarted-vcpu-ran-every-time", tries > 0 && failed_starts == 0 && starts == tries);
}
