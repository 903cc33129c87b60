// SPDX-License-Identifier: MIT
/*
 * SVM without nested paging: the guest runs on shadow page tables
 * (mmu/shadow.h) that the hypervisor builds from the guest's own, so every
 * event that changes the guest's translation must reach us (AMD APM vol. 2,
 * 15.12 "Paging" under SVM without nested paging, and 15.9 "Instruction
 * Intercepts"):
 *
 *  - CR0, CR3 and CR4 reads and writes (there is no read shadow on SVM:
 *    the CPU runs with our values, the guest must see its own), and EFER
 *    through the MSR intercept;
 *  - #PF: a fault on the shadow tables is ours to fix, inject or emulate;
 *  - INVLPG: drops the shadow leaf (shadow_invlpg).
 *
 * What the CPU runs with, by the guest's paging mode:
 *  - paging off: PAE paging on a four-entry root (a page of its own per
 *    physical CPU, zero past the four entries) whose entries copy the
 *    first four PDPT entries of the VM's stage-2 table (gpa -> hpa, the
 *    NPT format is the long-mode format), so the guest's "physical"
 *    accesses go through the same table nested paging would use, and its
 *    faults are stage-2 faults for kvm/ (EXIT_MEM_FAULT at gpa = CR2).
 *    Legacy, not long, mode: the guest's 32-bit IDT and segments keep their
 *    meaning.  The entries are refreshed at every entry after this CPU
 *    announced it (vcpu.c's cpu_guest): a table unlinked from stage 2 after
 *    that is flushed with an IPI that ends this entry, and freed only after
 *    an RCU grace period this vCPU is inside of.
 *  - long mode (EFER.LME, CR0.PG): the shadow root for the guest's CR3,
 *    and nothing else: with paging on the guest is entered only once
 *    svm_shadow_before() holds a valid root (a page of the VM's shadow
 *    pool, in the long-mode format).  When the pool has none to give even
 *    after shadow_zap_all(), the entry does not happen: the vCPU yields
 *    (its own and the other CPUs' quiescent states end the grace period
 *    that returns the zapped pages) and tries again; after ROOT_WAIT_NS
 *    without one the VM ends with -ENOSPC.  The CPU is never pointed at a
 *    table the guest could write, nor a PAE root taken for a PML4.
 *  - 32-bit and PAE guest paging: not shadowed (mmu/shadow builds 4-level
 *    tables only); the CR0 write that would enable it is refused.
 *
 * CR0.WP is always set on the CPU (a read-only shadow leaf must stop the
 * guest kernel's writes: that is how its page tables are write-protected),
 * EFER.NXE whenever the host has NX (shadow leaves only carry NX when the
 * guest's EFER.NXE is set).  QEMU gives neither decode assists nor next-RIP
 * for qemu64, so instructions are decoded from guest memory (insn.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kvm/arch/cpu.h"
#include "kvm/arch/debug.h"
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"
#include "kvm/hypercall_abi.h"
#include "mmu/shadow_x86.h"

#include "insn.h"
#include "platform.h"
#include "svm.h"
#include "x86.h"

#define CR0_ET	  BIT(4)
#define CR0_NW	  BIT(29)
#define CR0_CD	  BIT(30)
#define CR4_PCIDE BIT(17)
#define CR4_SMEP  BIT(20)
#define CR4_SMAP  BIT(21)
#define CR4_PKE	  BIT(22)
#define CR4_LA57  BIT(12)
/* What the guest may set in EFER: SCE, LME, NXE, SVME (kept for the entry contract). */
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_NXE | EFER_SVME)
#define SEG_ATTR_L	BIT(9) /* VMCB attribute bits 11:8 = descriptor bits 55:52 */
#define SEG_ATTR_DB	BIT(10)
#define VMCB_FS_BASE	(VMCB_FS + 8)
#define VMCB_GS_BASE	(VMCB_GS + 8)
#define VMCB_CS_ATTR	(VMCB_CS + 2)
#define SHADOW_LOG_MAX	8
/* How long a vCPU waits for a shadow root before its VM ends (a grace period takes ticks). */
#define ROOT_WAIT_NS 2000000000ULL
/* Faults at one RIP on one guest table whose store cannot be emulated, before the VM ends. */
#define UNEMULATED_MAX 16

/*
 * Paging off: the PAE root (APM vol. 2, 5.3.2), one page per physical CPU,
 * written right before each VMRUN on that CPU.  A page of its own: past
 * the four PDPTEs it holds zeros, never anything a guest controls.  Static
 * image data: below 4 GiB (legacy-mode CR3 has 32 bits), checked at use.
 */
static u64 pae_root_page[MAX_CPUS][PT_ENTRIES] __attribute__((aligned(4096)));

static bool paging(const struct arch_vcpu *v)
{
	return v->sh.cr0 & CR0_PG;
}

static bool long_mode(const struct arch_vcpu *v)
{
	return v->sh.efer & EFER_LMA;
}

static bool host_has_nx(void)
{
	return cpuid(0x80000001, 0).edx & (1u << 20);
}

void svm_guest_ctl(const struct arch_vcpu *v, struct svm_guest_ctl *ctl)
{
	if (v->sh.on) {
		*ctl = (struct svm_guest_ctl){ v->sh.cr0, v->sh.cr3, v->sh.cr4, v->sh.efer };
		return;
	}
	ctl->cr0 = vmcb_r64(v, VMCB_CR0);
	ctl->cr3 = vmcb_r64(v, VMCB_CR3);
	ctl->cr4 = vmcb_r64(v, VMCB_CR4);
	ctl->efer = vmcb_r64(v, VMCB_EFER);
}

/* The entry state of tests/guest/runtime/entry_x86_64.h, as the guest sees it. */
void svm_shadow_reset(struct arch_vcpu *v)
{
	if (v->sh.sv.root)
		shadow_put_root(&v->sh.sv);
	v->sh.pending = 0;
	v->sh.cr0 = vmcb_r64(v, VMCB_CR0);
	v->sh.cr3 = 0;
	v->sh.cr4 = 0;
	v->sh.efer = EFER_SVME;
}

void arch_vcpu_release(struct arch_vcpu *v)
{
	if (v->sh.sv.root)
		shadow_put_root(&v->sh.sv);
}

/* The VM cannot go on: say why, and kvm/ ends it with @status (EXIT_FATAL). */
static void end_vm(struct arch_vcpu *v, struct vcpu_exit *exit, int status, const char *why,
		   u64 val)
{
	printf("vcpu %u: shadow MMU: %s (%#llx) at rip %#llx: ending the VM (status %d)\n",
	       v->index, why, (unsigned long long)val, (unsigned long long)vmcb_r64(v, VMCB_RIP),
	       status);
	memset(exit, 0, sizeof(*exit));
	exit->pc = vmcb_r64(v, VMCB_RIP);
	exit->reason = EXIT_FATAL;
	exit->fatal_status = status;
}

static void shadow_log(struct arch_vcpu *v, const char *what, u64 val)
{
	if (++v->sh.logged > SHADOW_LOG_MAX)
		return;
	printf("vcpu %u: shadow MMU: %s (%#llx) at rip %#llx\n", v->index, what,
	       (unsigned long long)val, (unsigned long long)vmcb_r64(v, VMCB_RIP));
}

/*
 * (Re)load the shadow root for the guest's CR3; a full pool is emptied and
 * tried once more.  Failing leaves no root or a zapped one: the next entry
 * waits for one (get_root).
 */
static int load_root(struct arch_vcpu *v)
{
	/*
	 * The guest's paging format: paging on means 4-level long mode here
	 * (guest_write_cr0 refuses 32-bit and PAE paging; paging off runs on the
	 * stage-2 table).  PAE would choose its own descriptor here.
	 */
	v->sh.sv.fmt = &shadow_format_x86_64;
	v->sh.sv.wp = v->sh.cr0 & CR0_WP;
	v->sh.sv.nx = v->sh.efer & EFER_NXE;
	return shadow_load_root_or_zap(&v->sh.sv, gpa(v->sh.cr3 & PTE64_ADDR));
}

/*
 * Paging on: a valid root before the guest runs, or no entry this time
 * (false, with @exit saying so).  The pool may be empty until a grace
 * period returns what shadow_zap_all() handed to RCU: yield (a quiescent
 * state here, and the CPU to a thread that must pass one) and let kvm/
 * call again.  Past ROOT_WAIT_NS the VM ends rather than wait for ever.
 */
static bool get_root(struct arch_vcpu *v, struct vcpu_exit *exit)
{
	u64 now;
	int err = load_root(v);

	if (!err && shadow_root_valid(&v->sh.sv)) {
		v->sh.root_wait_since = 0;
		return true;
	}
	now = arch_time_ns();
	if (!v->sh.root_wait_since) {
		v->sh.root_wait_since = now;
		shadow_log(v, "shadow page pool empty: waiting for a root", (u64)err);
	} else if (now - v->sh.root_wait_since > ROOT_WAIT_NS) {
		end_vm(v, exit, -ENOSPC, "no shadow root could be had", (u64)err);
		return false;
	}
	v->sh.root_waits++;
	memset(exit, 0, sizeof(*exit));
	exit->pc = vmcb_r64(v, VMCB_RIP);
	exit->reason = EXIT_NONE;
	kvm_resched();
	return false;
}

bool svm_shadow_before(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit)
{
	u64 cr0, cr4, efer;

	if (!v->sh.on || v->sh.sv.sm != s2->shadow) {
		shadow_vcpu_init(&v->sh.sv, s2->shadow, arch_cpu_id(), &shadow_format_x86_64, false,
				 false);
		v->sh.on = true;
	}
	/* Paging on means long mode here: 32-bit and PAE paging are refused (guest_write_cr0). */
	if (paging(v) && !shadow_root_valid(&v->sh.sv) && !get_root(v, exit))
		return false;
	/* A legacy-mode CR3 has 32 bits: a PAE root above 4 GiB would be truncated. */
	if (!paging(v) && (u64)(uintptr_t)pae_root_page >> 32) {
		end_vm(v, exit, -EFAULT, "PAE root above 4 GiB", (u64)(uintptr_t)pae_root_page);
		return false;
	}

	vmcb_w32(v, VMCB_INTERCEPT_CR, 0x0019 | 0x0019 << 16); /* CR0, CR3, CR4 */
	vmcb_w32(v, VMCB_INTERCEPT_EXC, vmcb_r32(v, VMCB_INTERCEPT_EXC) | BIT(X86_VEC_PF));
	vmcb_w32(v, VMCB_INTERCEPT_MISC1, vmcb_r32(v, VMCB_INTERCEPT_MISC1) | INTERCEPT_INVLPG);

	cr0 = v->sh.cr0 | CR0_PG | CR0_WP;
	cr4 = (v->sh.cr4 | CR4_PAE) & ~CR4_PCIDE;
	if (!paging(v))
		cr4 &= ~(CR4_SMEP | CR4_SMAP | CR4_PKE); /* stage 2's entries are all U */
	efer = EFER_SVME | (v->sh.efer & EFER_SCE) | (host_has_nx() ? EFER_NXE : 0);
	if (long_mode(v))
		efer |= EFER_LME | EFER_LMA;
	vmcb_w64(v, VMCB_CR0, cr0);
	vmcb_w64(v, VMCB_CR4, cr4);
	vmcb_w64(v, VMCB_EFER, efer);
	return true;
}

/*
 * Paging off: the PAE root's four entries from stage 2's PML4[0] -> PDPT[0..3]
 * (PAE PDPTEs carry only P and the address, APM 5.3.2; a 1 GiB stage-2
 * leaf there cannot be expressed, and stage 2 maps 2 MiB at most).
 */
static u64 refresh_pae_root(const struct arch_stage2 *s2)
{
	const u64 *pml4 = (const u64 *)(uintptr_t)s2->root.val, *pdpt;
	u64 *root = pae_root_page[arch_cpu_id()];
	u64 e = READ_ONCE(pml4[0]);

	for (unsigned int i = 0; i < 4; i++) {
		u64 d = 0;

		if (e & PTE64_P) {
			pdpt = (const u64 *)(uintptr_t)(e & PTE64_ADDR);
			d = READ_ONCE(pdpt[i]);
		}
		root[i] = (d & PTE64_P) && !(d & PTE64_PS) ? (d & PTE64_ADDR) | PTE64_P : 0;
	}
	return (u64)(uintptr_t)root; /* identity map */
}

/* Every entry zero: whatever mode the CPU is in, every access through it is a #PF. */
static u64 empty_root[PT_ENTRIES] __attribute__((aligned(4096)));

u64 svm_shadow_load_root(struct arch_vcpu *v, const struct arch_stage2 *s2)
{
	u64 root;

	if (!paging(v)) {
		root = refresh_pae_root(s2);
	} else if (v->sh.sv.root) {
		/* Pinned since svm_shadow_before(); zapped meanwhile, it reads as all zero. */
		root = (u64)(uintptr_t)v->sh.sv.root->spt;
	} else {
		/*
		 * svm_shadow_before() lets no paging guest in without a root: a
		 * bug if seen.  Safe (every access faults), and the VM ends at
		 * the exit (svm_shadow_handle) so that no test passes over it.
		 */
		v->sh.entered_without_root = true;
		root = (u64)(uintptr_t)empty_root;
	}
	vmcb_w64(v, VMCB_CR3, root);
	return root;
}

bool svm_shadow_decode(struct arch_vcpu *v, u64 code, struct vcpu_exit *exit)
{
	bool ours = code < SVM_EXIT_WRITE_CR0 + 16 || code == SVM_EXIT_EXCP_PF ||
		    code == SVM_EXIT_INVLPG ||
		    (code == SVM_EXIT_MSR && (u32)v->gpr[GPR_RCX] == MSR_EFER);

	if (!v->sh.on || !ours)
		return false;
	/* CLTS may not reach the CR0 intercept: TS is the one bit the guest changes alone. */
	v->sh.cr0 = (v->sh.cr0 & ~(u64)CR0_TS) | (vmcb_r64(v, VMCB_CR0) & CR0_TS);
	v->sh.pending = (u32)code | BIT(31);
	exit->reason = EXIT_NONE;
	return true;
}

/* ---- instruction fetch and decode ---------------------------------------------------------- */

static int read_guest64(void *ctx, u64 addr, u64 *val)
{
	struct shadow_mmu *sm = ctx;

	return sm->ops->read_gpa(sm->vm, gpa(addr), val);
}

/* Up to X86_INSN_MAX bytes at RIP through the guest's own translation. */
static unsigned int fetch_insn(struct arch_vcpu *v, u8 *buf)
{
	struct shadow_mmu *sm = v->sh.sv.sm;
	u64 rip = vmcb_r64(v, VMCB_RIP), addr, len, word;
	unsigned int n = 0, off;

	if (!long_mode(v))
		rip = (u32)(rip + *(u32 *)(v->vmcb + VMCB_CS + 8)); /* CS base */
	while (n < X86_INSN_MAX) {
		if (arch_vcpu_translate(v, rip + n, &addr, &len, read_guest64, sm) ||
		    sm->ops->read_gpa(sm->vm, gpa(addr & ~7ULL), &word))
			break;
		for (off = addr & 7; off < 8 && n < X86_INSN_MAX && len; off++, len--)
			buf[n++] = (u8)(word >> (8 * off));
	}
	return n;
}

static int decode(struct arch_vcpu *v, struct x86_insn *insn)
{
	u16 cs_attr = *(u16 *)(v->vmcb + VMCB_CS_ATTR);
	struct x86_insn_ctx ctx;
	u8 buf[X86_INSN_MAX];
	unsigned int n = fetch_insn(v, buf);

	for (unsigned int i = 0; i < 16; i++)
		ctx.gpr[i] = arch_vcpu_get_reg(v, i);
	ctx.rip = vmcb_r64(v, VMCB_RIP);
	ctx.fs_base = vmcb_r64(v, VMCB_FS_BASE);
	ctx.gs_base = vmcb_r64(v, VMCB_GS_BASE);
	ctx.long_mode = long_mode(v) && (cs_attr & SEG_ATTR_L);
	ctx.default32 = cs_attr & SEG_ATTR_DB;
	return x86_insn_decode(buf, n, &ctx, insn);
}

static void skip(struct arch_vcpu *v, const struct x86_insn *insn)
{
	vmcb_w64(v, VMCB_RIP, vmcb_r64(v, VMCB_RIP) + insn->len);
}

/* ---- control registers and EFER ------------------------------------------------------------ */

/* 0, or -EINVAL for #GP(0) (SDM vol. 3A 2.5, APM vol. 2 3.1.1), -ENOTSUP for a mode not shadowed. */
static int guest_write_cr0(struct arch_vcpu *v, u64 val)
{
	u64 old = v->sh.cr0;
	bool pg_on = !(old & CR0_PG) && (val & CR0_PG), pg_off = (old & CR0_PG) && !(val & CR0_PG);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -EINVAL;
	if (!(val & CR0_PE))
		return -ENOTSUP; /* real mode: not run here */
	/* Paging goes off only from compatibility mode, never in 64-bit mode (APM 14.7). */
	if (pg_off && long_mode(v) && (*(u16 *)(v->vmcb + VMCB_CS_ATTR) & SEG_ATTR_L))
		return -EINVAL;
	if (pg_on && (v->sh.efer & EFER_LME) && !(v->sh.cr4 & CR4_PAE))
		return -EINVAL;
	if (pg_on && !(v->sh.efer & EFER_LME))
		return -ENOTSUP; /* 32-bit or PAE paging: not shadowed */
	v->sh.cr0 = val | CR0_ET;
	if (pg_on)
		v->sh.efer |= EFER_LMA;
	if (pg_off) {
		v->sh.efer &= ~(u64)EFER_LMA;
		shadow_put_root(&v->sh.sv);
	}
	/* CR0.WP is part of the shadow pages' role. */
	if (paging(v) && (pg_on || ((old ^ val) & CR0_WP)))
		load_root(v);
	return 0;
}

static int guest_write_cr4(struct arch_vcpu *v, u64 val)
{
	/* PCID and 5-level paging are not shadowed, whatever the CPU has. */
	if ((val & ~svm_guest_cr4_mask(v)) || (val & (CR4_PCIDE | CR4_LA57)))
		return -EINVAL;
	if (long_mode(v) && !(val & CR4_PAE))
		return -EINVAL;
	v->sh.cr4 = val;
	return 0;
}

static int guest_write_cr(struct arch_vcpu *v, unsigned int n, u64 val)
{
	switch (n) {
	case 0:
		return guest_write_cr0(v, val);
	case 3:
		v->sh.cr3 = long_mode(v) ? val : (u32)val;
		if (long_mode(v))
			load_root(v);
		return 0;
	case 4:
		return guest_write_cr4(v, val);
	}
	return -EINVAL;
}

static int guest_read_cr(struct arch_vcpu *v, unsigned int n, u64 *val)
{
	switch (n) {
	case 0:
		*val = v->sh.cr0;
		return 0;
	case 3:
		*val = v->sh.cr3;
		return 0;
	case 4:
		*val = v->sh.cr4;
		return 0;
	}
	return -EINVAL;
}

static void refuse(struct arch_vcpu *v, int err, const char *what, u64 val)
{
	shadow_log(v, what, val);
	svm_inject(v, err == -EINVAL ? X86_VEC_GP : X86_VEC_UD, err == -EINVAL, 0);
}

static void handle_cr(struct arch_vcpu *v)
{
	struct x86_insn insn;
	u64 val = 0, mask = long_mode(v) ? ~0ULL : 0xffffffffULL;
	int err;

	if (decode(v, &insn)) {
		refuse(v, -ENOTSUP, "control-register access not decoded", 0);
		return;
	}
	switch (insn.op) {
	case X86_INSN_MOV_FROM_CR:
		err = guest_read_cr(v, insn.reg, &val);
		if (!err)
			arch_vcpu_set_reg(v, insn.rm, val & mask);
		break;
	case X86_INSN_MOV_TO_CR:
		val = arch_vcpu_get_reg(v, insn.rm) & mask;
		err = guest_write_cr(v, insn.reg, val);
		break;
	case X86_INSN_CLTS:
		err = guest_write_cr0(v, v->sh.cr0 & ~(u64)CR0_TS);
		break;
	case X86_INSN_LMSW:
		/* LMSW sets PE but never clears it (SDM "LMSW"). */
		val = insn.mem ? 0 : arch_vcpu_get_reg(v, insn.rm);
		err = insn.mem ? -ENOTSUP : guest_write_cr0(v, (v->sh.cr0 & ~0xeULL) | (val & 0xf));
		break;
	case X86_INSN_SMSW:
		/* A 16-bit destination keeps the register's upper bits (SDM "SMSW"). */
		err = insn.mem ? -ENOTSUP : 0;
		val = insn.size == 2 ? arch_vcpu_get_reg(v, insn.rm) & ~0xffffULL : 0;
		if (!err)
			arch_vcpu_set_reg(v, insn.rm, val | (v->sh.cr0 & 0xffff));
		break;
	default:
		err = -ENOTSUP;
		break;
	}
	if (err)
		refuse(v, err,
		       err == -EINVAL ? "control-register write refused (#GP)" :
					"control-register access not supported (#UD)",
		       val);
	else
		skip(v, &insn);
}

/* RDMSR/WRMSR of EFER (both 2 bytes: 0F 32, 0F 30). */
static void handle_efer(struct arch_vcpu *v)
{
	u64 val = (u32)vmcb_r64(v, VMCB_RAX) | v->gpr[GPR_RDX] << 32, old = v->sh.efer;

	if (!vmcb_r64(v, VMCB_EXIT_INFO1)) {
		vmcb_w64(v, VMCB_RAX, (u32)old);
		v->gpr[GPR_RDX] = old >> 32;
		vmcb_w64(v, VMCB_RIP, vmcb_r64(v, VMCB_RIP) + 2);
		return;
	}
	/* LMA is read-only; LME may change only while paging is off (APM 14.6). */
	val &= ~(u64)EFER_LMA;
	if ((val & ~(u64)EFER_GUEST_BITS) || (!host_has_nx() && (val & EFER_NXE)) ||
	    (paging(v) && ((val ^ old) & EFER_LME))) {
		refuse(v, -EINVAL, "EFER write refused (#GP)", val);
		return;
	}
	v->sh.efer = val | (old & EFER_LMA);
	if (paging(v) && ((val ^ old) & EFER_NXE))
		load_root(v); /* NXE is part of the shadow pages' role */
	vmcb_w64(v, VMCB_RIP, vmcb_r64(v, VMCB_RIP) + 2);
}

static void handle_invlpg(struct arch_vcpu *v)
{
	struct x86_insn insn;

	if (decode(v, &insn) || insn.op != X86_INSN_INVLPG) {
		refuse(v, -ENOTSUP, "INVLPG not decoded", 0);
		return;
	}
	if (long_mode(v))
		shadow_invlpg(&v->sh.sv, insn.ea);
	skip(v, &insn);
}

/* ---- page faults ---------------------------------------------------------------------------- */

/*
 * A store we cannot emulate: stop shadowing the table, and let the guest
 * retry its instruction.  When the instruction needs that very table to
 * run (its code, stack or operand is mapped through it), the retry shadows
 * the table again and faults again without ever completing: the same RIP
 * and table UNEMULATED_MAX times in a row end the VM rather than spin.
 */
static void unemulated_store(struct arch_vcpu *v, struct vcpu_exit *exit, u64 pte_gpa)
{
	u64 rip = vmcb_r64(v, VMCB_RIP);

	if (rip == v->sh.unemulated_rip && pte_gpa >> PAGE_SHIFT == v->sh.unemulated_gfn) {
		if (++v->sh.unemulated >= UNEMULATED_MAX) {
			end_vm(v, exit, -EOPNOTSUPP,
			       "store to a guest page table not emulated, "
			       "the retry makes no progress",
			       pte_gpa);
			return;
		}
	} else {
		v->sh.unemulated_rip = rip;
		v->sh.unemulated_gfn = pte_gpa >> PAGE_SHIFT;
		v->sh.unemulated = 1;
		shadow_log(v, "store to a guest page table not emulated: unshadowing it", pte_gpa);
	}
	shadow_write_fault(&v->sh.sv, gpa(pte_gpa));
}

/*
 * A store to a write-protected guest page table, whose entry holds the
 * operand: a MOV, or a read-modify-write (LOCK-prefixed or not) as a
 * kernel updates its entries with.  Computed by x86_insn_rmw() from the
 * entry as read, stored with a compare-and-swap like the CPU's locked
 * cycle (another vCPU may store to the entry meanwhile: then read it again
 * and recompute), the shadow entries made from the old value dropped with
 * it (shadow_guest_pte_update); then the registers and RFLAGS.
 */
static void emulate_table_store(struct arch_vcpu *v, struct vcpu_exit *exit, u64 gva, u64 pte_gpa)
{
	struct shadow_vcpu *sv = &v->sh.sv;
	gpa_t entry_gpa = gpa(pte_gpa & ~7ULL);
	unsigned int shift = (pte_gpa & 7) * 8, i;
	struct x86_rmw_regs regs;
	struct x86_insn insn;
	u64 entry, val, mask;
	int rc;

	if (decode(v, &insn) || !x86_insn_is_store(&insn) || !insn.mem || insn.ea != gva ||
	    (pte_gpa & 7) + insn.size > 8) {
		unemulated_store(v, exit, pte_gpa);
		return;
	}
	mask = insn.size == 8 ? ~0ULL : ((1ULL << (8 * insn.size)) - 1) << shift;
	do {
		for (i = 0; i < 16; i++)
			regs.gpr[i] = arch_vcpu_get_reg(v, i);
		regs.rflags = vmcb_r64(v, VMCB_RFLAGS);
		rc = sv->sm->ops->read_gpa(sv->sm->vm, entry_gpa, &entry);
		if (rc)
			break;
		val = x86_insn_rmw(&insn, (entry & mask) >> shift, &regs);
		rc = shadow_guest_pte_update(sv, entry_gpa, entry,
					     (entry & ~mask) | ((val << shift) & mask));
	} while (rc == 1);
	if (rc == -ENOMEM) {
		end_vm(v, exit, -ENOMEM, "no host memory for a guest page table", pte_gpa);
		return;
	}
	if (rc)
		return; /* -EAGAIN: being given back; the guest retries */
	for (i = 0; i < 16; i++)
		arch_vcpu_set_reg(v, i, regs.gpr[i]);
	vmcb_w64(v, VMCB_RFLAGS, regs.rflags);
	v->sh.unemulated = 0;
	skip(v, &insn);
}

static void fault_exit(struct arch_vcpu *v, struct vcpu_exit *exit, u64 gpa, u64 gva, u32 ec)
{
	exit->reason = EXIT_MEM_FAULT;
	exit->gpa = gpa;
	exit->gva = gva;
	exit->gva_valid = true;
	exit->write = ec & PFERR_W;
	exit->exec = ec & PFERR_I;
	exit->pc = vmcb_r64(v, VMCB_RIP);
}

static void handle_pf(struct arch_vcpu *v, struct vcpu_exit *exit)
{
	u32 ec = (u32)vmcb_r64(v, VMCB_EXIT_INFO1);
	u64 addr = vmcb_r64(v, VMCB_EXIT_INFO2);
	struct shadow_fault f = { 0 };
	int rc;

	if (!paging(v)) {
		/* Linear = guest-physical: a stage-2 fault, kvm/'s to back or refuse. */
		fault_exit(v, exit, addr, addr, ec);
		return;
	}
	rc = shadow_page_fault(&v->sh.sv, addr, ec, &f);
	switch (rc) {
	case SHADOW_FAULT_FIXED:
		break;
	case SHADOW_FAULT_RETRY:
		kvm_resched(); /* a give-back holding the frame may wait on this CPU */
		break;
	case SHADOW_FAULT_INJECT:
		/* The guest's own #PF: CR2 is written by us, not by an injected event (15.20). */
		vmcb_w64(v, VMCB_CR2, addr);
		svm_inject(v, X86_VEC_PF, true, f.error_code);
		break;
	case SHADOW_FAULT_EMULATE:
		emulate_table_store(v, exit, addr, f.gpa.val);
		break;
	case SHADOW_FAULT_MMIO:
		fault_exit(v, exit, f.gpa.val, addr, ec);
		break;
	case -ENOSPC:
		/* The pool is empty: start afresh (what no loaded root reaches is back at once). */
		if (shadow_make_room(v->sh.sv.sm))
			shadow_log(v, "shadow page pool exhausted: zapped all", addr);
		else
			kvm_resched(); /* a grace period brings pages back: let it pass */
		break;
	case -ENOMEM:
		/* No host memory for a guest frame: retrying would spin (stage2_fault.c ends too). */
		end_vm(v, exit, -ENOMEM, "no host memory to back guest memory", addr);
		break;
	case -EFAULT:
		/* A guest table outside guest RAM: the walk itself failed, as an abort would. */
		shadow_log(v, "guest page table outside guest memory", addr);
		arch_vcpu_inject_abort(v, ec & PFERR_I, addr);
		break;
	default:
		shadow_log(v, "page fault not handled", addr);
		exit->reason = EXIT_UNHANDLED;
		exit->syndrome = SVM_EXIT_EXCP_PF;
		break;
	}
}

void svm_shadow_handle(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit)
{
	u32 code = v->sh.pending & ~(u32)BIT(31);

	(void)s2;
	if (v->sh.entered_without_root) {
		v->sh.entered_without_root = false;
		end_vm(v, exit, -EFAULT, "BUG: entered with paging on and no shadow root", 0);
		return;
	}
	if (!v->sh.pending)
		return;
	v->sh.pending = 0;
	/* Moved on from the store unemulated_store() counts: its retry made progress. */
	if (vmcb_r64(v, VMCB_RIP) != v->sh.unemulated_rip)
		v->sh.unemulated = 0;
	if (code == SVM_EXIT_EXCP_PF)
		handle_pf(v, exit);
	else if (code == SVM_EXIT_INVLPG)
		handle_invlpg(v);
	else if (code == SVM_EXIT_MSR)
		handle_efer(v);
	else
		handle_cr(v);
}
