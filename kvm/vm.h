/* SPDX-License-Identifier: MIT */
/*
 * VMs, their memslots and vCPUs.
 *
 * Guest memory is backed lazily in 2 MiB host chunks: each memslot has one
 * u32 per 2 MiB of guest-physical space, 0 while unbacked, else the host
 * chunk (host_mem.h) plus the CHUNK_DYING bit while a give-back is taking
 * it away.  Entries change only by compare-and-swap under the MMU lock held
 * for reading (a fault publishing a fresh chunk) or under it held for
 * writing (give-back), so a chunk is freed only while no fault can be
 * mapping it.
 */
#ifndef KVM_VM_H
#define KVM_VM_H

#include "host_mem.h"
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"
#include "kvm/devices/device.h"
#include "mmio.h"
#include "sched.h"

#define VM_MAX_VCPUS 8
#define VM_MAX_SLOTS 4
#define VM_NAME_LEN  40
#define VM_LINE_LEN  160

/* The guest platform: RAM, and the PL011 the hypervisor emulates for it. */
#define VM_RAM_BASE  0x40000000ULL
#define VM_RAM_SIZE  0x20000000ULL
#define VM_UART_BASE 0x09000000ULL
#define VM_UART_SIZE 0x1000ULL

#define CHUNK_DYING BIT(31)
#define CHUNK_MASK  ((u32)CHUNK_DYING - 1)

struct guest_boot;
struct payload_image;
struct rmap_head;
struct vgic;
struct vm_platform;
struct vm_shadow;

struct memslot {
	u64 base, size;		/* 2 MiB aligned */
	u32 *chunks;		/* size / 2 MiB backing entries */
	struct rmap_head *rmap; /* shadow MMU only: one head per 4 KiB frame */
};

struct vm_config {
	char name[VM_NAME_LEN];
	const struct payload_image *image;
	unsigned int nr_vcpus;
	u64 mem_size;		       /* of the one memslot at VM_RAM_BASE */
	bool blocks;		       /* map 2 MiB blocks where a whole chunk backs them */
	bool prepopulate;	       /* back and map the whole memslot before the start */
	unsigned int spread;	       /* physical CPUs its vCPUs are spread over (0: all) */
	int first_cpu;		       /* physical CPU of vCPU 0 (-1: by the VM's id) */
	u64 time_limit_ns;	       /* 0: none */
	const struct guest_boot *boot; /* instead of @image: a kernel, initrd, command line */
	bool console_input;	       /* the hypervisor's console is this VM's UART, both ways */
	bool gdb;    /* debugged: starts stopped, waiting for GDB (kvm/gdbstub/) */
	bool shadow; /* shadow paging even where the CPU has nested paging */
};

/* Per-vCPU counters: each written by its own thread only. */
struct vcpu_stats {
	u64 exits, faults, fault_dying, fault_eagain, chunk_races, mmio, aborts;
	u64 hypercalls, psci_calls, wfi, give_backs, give_back_bytes, chunks_freed, unhandled;
	u64 hc_refused; /* hypercalls and PSCI calls from the guest's user mode */
	u64 preempted;	/* the tick switched this vCPU out for another thread */
};

enum vcpu_power {
	VCPU_OFF,
	VCPU_ON_PENDING, /* CPU_ON in progress: the reset parameters are being written */
	VCPU_ON,
};

struct vcpu {
	struct arch_vcpu arch;
	struct sched_thread thread;
	struct vm *vm;
	unsigned int index;
	u32 power;	    /* enum vcpu_power, changed by compare-and-swap */
	bool reset_pending; /* apply reset_entry/reset_arg before the next entry */
	u64 reset_entry, reset_arg;
	struct mmu_page_cache cache;
	struct vcpu_stats stats;
	unsigned int line_len; /* console line being assembled */
	char line[VM_LINE_LEN];
	u8 buf[4096]; /* guest memory copied in for a hypercall */
	/* The debugger (kvm/gdbstub/): stay out of the guest while @dbg_hold */
	u32 dbg_hold;
	u32 dbg_parked; /* it is parked: its registers may be read and written */
	bool dbg_step;	/* the next entry runs one instruction */
};

struct vm {
	unsigned int id;
	char name[VM_NAME_LEN];
	struct vm_config cfg;
	unsigned int nr_slots;
	struct memslot slots[VM_MAX_SLOTS];
	unsigned int nr_mmio;
	struct mmio_region mmio[VM_MAX_MMIO]; /* emulated devices, fixed once vCPUs run */
	unsigned int nr_pio;
	struct mmio_region pio[VM_MAX_PIO]; /* the same on I/O ports (x86) */
	const struct vm_platform *platform; /* devices, vCPU power: arch_vm_platform() */
	unsigned int nr_devices;
	struct vm_device devices[VM_MAX_DEVICES];
	const struct vm_irqchip *irqchip; /* the interrupt controller's hooks, NULL if none */
	struct vgic *vgic;   /* the vGIC's state if it is the irqchip (devices/vgic.h) */
	struct gdbstub *gdb; /* the debugger's stub when debugged, else NULL */
	struct rwlock mmu_lock;
	struct arch_stage2 s2;	  /* stage2.owner */
	struct vm_shadow *shadow; /* the shadow MMU (vm_shadow.c), NULL with nested paging */
	struct page_pool pool;	  /* stage-2 table pages, nr_pool_chunks host chunks */
	u32 pool_chunk, nr_pool_chunks;
	struct host_mem_account mem; /* every host chunk the VM holds comes from here */
	unsigned int nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	u64 entry;
	u64 entry_arg;		     /* x0 of vCPU 0 (the device tree of a guest_boot) */
	u32 ending;		     /* set once: every vCPU leaves its loop */
	u32 nr_dead;		     /* vCPU threads that left */
	struct sched_thread *waiter; /* woken by vm_end() and by the last vCPU thread to leave */
	int exit_status;
	const char *end_reason;
	u32 passed, failed; /* HC_REPORT */
	u32 give_back_busy; /* one give-back at a time (hypercall.c) */
	u64 start_ns, end_ns;
	struct rcu_stats rcu_start;
	u64 switches_start;
	struct pgtable stage2;
};

/*
 * Create a VM from @cfg: memslot, stage-2 table, vCPUs (threads not started),
 * the payload loaded.  All the host memory it may ever hold is promised to
 * it here (host_mem.h), so a VM that does not fit is refused now, not killed
 * later.  NULL with the reason printed and *@err (-ENOMEM: host memory, or
 * another error) when anything fails.
 */
struct vm *vm_create(const struct vm_config *cfg, int *err);
/* Power on vCPU 0 at the payload's entry and start the clock. */
void vm_start(struct vm *vm);
/*
 * End the VM with @status (the first caller wins): every vCPU leaves its
 * loop at its next exit.  From any thread.
 */
void vm_end(struct vm *vm, int status, const char *reason);
/* Every vCPU thread has left and is switched out. */
bool vm_done(struct vm *vm);
/* Tear down (after vm_done): stage 2, RCU barrier, memory, VMID.  Idle context. */
void vm_destroy(struct vm *vm);

/* The memslot holding [@gpa, @gpa + @size), NULL if none holds all of it (or it wraps). */
struct memslot *vm_find_slot(struct vm *vm, u64 gpa, u64 size);

/*
 * The chunk backing @gpa in @slot, allocating and zeroing one if there is
 * none.  Caller holds mmu_lock for reading.  0 with *chunk, -EAGAIN when a
 * give-back holds it (dying), -ENOMEM.  *raced when another caller published
 * first.
 */
int vm_chunk_get(struct vm *vm, struct memslot *slot, u64 gpa, u32 *chunk, bool *raced);
/* Map the memory of @chunk at @gpa (4K page or the 2 MiB block), shared. */
int vm_map_chunk(struct vm *vm, struct vcpu *v, struct memslot *slot, u64 gpa, u32 chunk);

/*
 * Copy guest-physical [@gpa, @gpa + @len) out of the guest; memory never
 * backed reads as zero.  0, or -EFAULT when not inside one memslot.
 */
int vm_read_guest(struct vm *vm, u64 gpa, void *dst, u64 len);
/* Copy into the guest, backing chunks as needed.  0, -EFAULT, -ENOMEM. */
int vm_write_guest(struct vm *vm, u64 gpa, const void *src, u64 len);

/* Sum of the vCPUs' counters. */
void vm_sum_stats(struct vm *vm, struct vcpu_stats *out);

#endif
