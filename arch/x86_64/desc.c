// SPDX-License-Identifier: MIT
/*
 * Descriptor tables and the per-CPU register state every CPU sets up the
 * same way: one GDT for all CPUs (flat 64-bit code and data, one TSS per
 * CPU), one IDT, GS base pointing at the CPU's struct x86_percpu, SSE on,
 * the power-on PAT.
 */
#include "arch_priv.h"
#include "exception.h"
#include "platform.h"
#include "x86.h"

/*
 * 64-bit TSS (Intel SDM vol. 3A, 8.7 "Task Management in 64-bit Mode"; AMD
 * APM vol. 2, 12.2.5): no task switching in long mode, only the stack
 * pointers for privilege changes (unused: we stay at CPL 0) and the IST.
 */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/* IDT gate (Intel SDM vol. 3A, 6.14.1 "64-Bit Mode IDT"). */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __attribute__((packed));

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

/* Present, DPL 0, 64-bit interrupt gate (type 0xe): IF cleared on entry. */
#define GATE_INTERRUPT 0x8e

/*
 * Flat segments (Intel SDM vol. 3A, 3.4.5 "Segment Descriptors"; in 64-bit
 * mode only L, D, P, DPL and the type count for code, almost nothing for data).
 * 0x00af9a...: present, DPL 0, code execute/read, L = 1, D = 0, G = 1.
 * 0x00cf92...: present, DPL 0, data read/write, D/B = 1, G = 1.
 */
#define DESC_CODE64 0x00af9a000000ffffULL
#define DESC_DATA   0x00cf92000000ffffULL
/* Available 64-bit TSS, present (system descriptor type 9; 16 bytes). */
#define DESC_TSS_TYPE 0x89ULL

static u64 gdt[GDT_TSS0 / 8 + 2 * MAX_CPUS] __attribute__((aligned(16)));
static struct tss64 tss[MAX_CPUS] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));

struct x86_percpu x86_percpu[MAX_CPUS];

extern char x86_vector_stubs[];
extern u8 hyp_ist_stacks[MAX_CPUS][HYP_NR_IST][HYP_IST_SIZE];

static void set_tss_desc(unsigned int cpu)
{
	u64 base = (u64)&tss[cpu], limit = sizeof(struct tss64) - 1;
	u64 *d = &gdt[GDT_TSS0 / 8 + 2 * cpu];

	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_TYPE << 40) |
	       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32;
}

static void set_gate(unsigned int vec, unsigned int ist)
{
	u64 addr = (u64)x86_vector_stubs + 16 * vec;

	idt[vec] = (struct idt_gate){
		.offset_lo = addr & 0xffff,
		.selector = GDT_CODE64,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_hi = addr >> 32,
	};
}

/* Boot CPU, once: tables every CPU shares. */
void x86_desc_init(void)
{
	gdt[GDT_CODE64 / 8] = DESC_CODE64;
	gdt[GDT_DATA / 8] = DESC_DATA;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		for (unsigned int i = 0; i < HYP_NR_IST; i++)
			tss[cpu].ist[i] = (u64)hyp_ist_stacks[cpu][i] + HYP_IST_SIZE;
		tss[cpu].iomap_base = sizeof(struct tss64); /* no I/O bitmap */
		set_tss_desc(cpu);
	}
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(2, IST_NMI); /* NMI may arrive anywhere, even on a bad stack */
	set_gate(8, IST_DF);  /* #DF: the stack may be what faulted */
	set_gate(18, IST_MC);
}

/*
 * Load the GDT, reload every segment register (CS through a far return: a
 * plain MOV cannot load CS), the TSS and the IDT.  Loading GS zeroes the GS
 * base, so GS base is set afterwards.
 */
static void load_tables(unsigned int cpu)
{
	struct desc_ptr gp = { sizeof(gdt) - 1, (u64)gdt };
	struct desc_ptr ip = { sizeof(idt) - 1, (u64)idt };
	u64 tmp;

	__asm__ volatile("lgdt %0" : : "m"(gp) : "memory");
	__asm__ volatile("pushq %1\n\t"
			 "leaq 1f(%%rip), %0\n\t"
			 "pushq %0\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %k0\n\t"
			 "movl %k0, %%ds\n\t"
			 "movl %k0, %%es\n\t"
			 "movl %k0, %%ss\n\t"
			 "xorl %k0, %k0\n\t"
			 "movl %k0, %%fs\n\t"
			 "movl %k0, %%gs"
			 : "=&r"(tmp)
			 : "i"(GDT_CODE64), "i"(GDT_DATA)
			 : "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS0 + 16 * cpu));
	__asm__ volatile("lidt %0" : : "m"(ip) : "memory");
}

/*
 * Everything a CPU needs before it runs ordinary C: tables, per-CPU pointer,
 * SSE (Intel SDM vol. 3A, "Initialization of the SSE Extensions": CR4.OSFXSR
 * and OSXMMEXCPT, CR0.EM clear, CR0.MP set), the default PAT (the firmware
 * may have changed it; our page tables assume it).
 */
void x86_cpu_init(unsigned int cpu)
{
	struct x86_percpu *p = &x86_percpu[cpu];

	load_tables(cpu);
	p->self = p;
	p->cpu = cpu;
	wrmsr(MSR_GS_BASE, (u64)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	write_cr0((read_cr0() & ~(u64)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE | CR0_WP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_PAT, PAT_DEFAULT);
}
