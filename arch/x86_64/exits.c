// SPDX-License-Identifier: MIT
/*
 * What a #VMEXIT means (AMD APM vol. 2, 15.9-15.13 intercepts, appendix C
 * exit codes): decoding it into kvm's struct vcpu_exit, and the exits
 * answered here without kvm/ -- CPUID as the guest may see it, I/O ports,
 * the MSRs and instructions refused or ignored -- and their names in
 * reports.  vcpu.c enters the guest and calls svm_decode() after each exit.
 */
#include <stdio.h>
#include <string.h>

#include "kvm/arch/vcpu.h"
#include "kvm/hypercall_abi.h"

#include "arch_priv.h"
#include "platform.h"
#include "svm.h"
#include "x86.h"

/* ---- CPUID --------------------------------------------------------------------------------------- */

/*
 * The host's answers, minus what the guest must not use: SVM (no nested
 * virtualization), XSAVE/OSXSAVE/AVX (XCR0 and the wider state are not
 * switched), MONITOR/MWAIT (intercepted), the local APIC and x2APIC (there
 * is none at 0xfee00000), with the hypervisor bit set.  Leaf 1 EBX[31:24]
 * is the vCPU index as the initial APIC ID.
 */
static struct cpuid_regs svm_guest_cpuid(const struct arch_vcpu *v, u32 leaf, u32 sub)
{
	struct cpuid_regs r = cpuid(leaf, sub);

	switch (leaf) {
	case 1:
		r.ecx &= ~((1u << 3) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28));
		r.ecx |= 1u << 31;
		r.edx &= ~(1u << 9);
		if (v->sh.on)
			r.ecx &= ~(1u << 17); /* PCID: the shadow MMU keys roots by CR3 alone */
		r.ebx = (r.ebx & 0x00ffffff) | (u32)v->index << 24;
		break;
	case 7:
		if (sub == 0) {
			/* AVX2, AVX-512 and friends need XSAVE state. */
			r.ebx &= ~((1u << 5) | 0xfffc0000u);
			r.ecx = 0;
			r.edx = 0;
		}
		break;
	case 0xd:
	case 0x8000000a:
		r = (struct cpuid_regs){ 0 };
		break;
	case 0x80000001:
		r.ecx &= ~(1u << 2); /* SVM */
		break;
	case 0x80000008:
		/* WBNOINVD: its length is not known at the WBINVD exit without next-RIP. */
		if (!(svm_features & SVM_FEAT_NRIPS))
			r.ebx &= ~(1u << 9);
		break;
	}
	return r;
}

static void svm_cpuid(struct arch_vcpu *v)
{
	struct cpuid_regs r = svm_guest_cpuid(v, (u32)vmcb_r64(v, VMCB_RAX), (u32)v->gpr[GPR_RCX]);

	vmcb_w64(v, VMCB_RAX, r.eax);
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
}

/* CR4 bit @bit may be set when CPUID bit @fbit of @reg says the guest has the feature. */
#define CR4_IF(reg, fbit, bit) (((reg) >> (fbit)&1) ? BIT(bit) : 0)

/*
 * The CR4 bits a guest may set: those whose feature its own CPUID shows
 * (APM vol. 2, 3.1.3 "CR4 Register"; a bit for an absent feature is
 * reserved and a MOV to CR4 setting it #GPs).  VMXE and SMXE never: the
 * guest is offered neither.  Where CR4 writes are intercepted (the shadow
 * MMU) this is what a CPU would refuse, and what VMRUN would refuse later.
 */
u64 svm_guest_cr4_mask(const struct arch_vcpu *v)
{
	struct cpuid_regs l1 = svm_guest_cpuid(v, 1, 0), l7 = svm_guest_cpuid(v, 7, 0);
	u64 mask = BIT(8); /* PCE: RDPMC is intercepted whatever CR4 says */

	mask |= CR4_IF(l1.edx, 1, 0) | CR4_IF(l1.edx, 1, 1);	/* VME: VME, PVI */
	mask |= CR4_IF(l1.edx, 4, 2) | CR4_IF(l1.edx, 2, 3);	/* TSC: TSD; DE */
	mask |= CR4_IF(l1.edx, 3, 4) | CR4_IF(l1.edx, 6, 5);	/* PSE, PAE */
	mask |= CR4_IF(l1.edx, 7, 6) | CR4_IF(l1.edx, 13, 7);	/* MCE, PGE */
	mask |= CR4_IF(l1.edx, 24, 9) | CR4_IF(l1.edx, 25, 10); /* FXSR: OSFXSR; SSE: OSXMMEXCPT */
	mask |= CR4_IF(l7.ecx, 2, 11) | CR4_IF(l7.ecx, 16, 12); /* UMIP, LA57 */
	mask |= CR4_IF(l7.ebx, 0, 16) | CR4_IF(l1.ecx, 17, 17); /* FSGSBASE, PCIDE */
	mask |= CR4_IF(l1.ecx, 26, 18);				/* XSAVE: OSXSAVE */
	mask |= CR4_IF(l7.ebx, 7, 20) | CR4_IF(l7.ebx, 20, 21); /* SMEP, SMAP */
	mask |= CR4_IF(l7.ecx, 3, 22) | CR4_IF(l7.ecx, 7, 23);	/* PKU: PKE; CET */
	return mask;
}

/* ---- I/O ports ----------------------------------------------------------------------------------- */

#define IOIO_LOG_MAX 8

/*
 * IN/OUT (15.10.2): an access the VM's port devices answer (kvm_vcpu_pio():
 * COM1, kvm/devices/vcom1.c, takes byte accesses) completes and RIP moves
 * on to EXITINFO2, the next instruction.  Every other port or size, every
 * string access (INS/OUTS): #GP(0), what the I/O permission check gives a
 * guest that may not touch the port (APM vol. 2, 13.3.2), and no machine
 * behind it ever sees the access.
 */
static void svm_ioio(struct arch_vcpu *v, u64 info1)
{
	unsigned int port = info1 >> IOIO_PORT_SHIFT & 0xffff;
	unsigned int size = info1 >> IOIO_SZ_SHIFT & 7; /* 1, 2 or 4: SZ8/16/32 */
	bool in = info1 & IOIO_IN;
	u64 rax = vmcb_r64(v, VMCB_RAX);

	u64 mask = size == 4 ? 0xffffffffULL : size == 2 ? 0xffffULL : 0xffULL;
	u64 val = rax & mask;

	if (!(info1 & IOIO_STR) && !kvm_vcpu_pio(v, port, size, in, &val)) {
		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends, as any 32-bit write. */
		if (in && size == 4)
			vmcb_w64(v, VMCB_RAX, val & mask);
		else if (in)
			vmcb_w64(v, VMCB_RAX, (rax & ~mask) | (val & mask));
		vmcb_w64(v, VMCB_RIP, vmcb_r64(v, VMCB_EXIT_INFO2));
		return;
	}
	if (++v->io_refused <= IOIO_LOG_MAX)
		printf("vcpu %u: %s%s port %#x, size %u, at rip %#llx: no device, injecting #GP(0)\n",
		       v->index, in ? "IN" : "OUT", info1 & IOIO_STR ? "S" : "", port, size,
		       (unsigned long long)vmcb_r64(v, VMCB_RIP));
	svm_inject(v, X86_VEC_GP, true, 0);
}

/* ---- decoding ------------------------------------------------------------------------------------ */

void svm_decode(struct arch_vcpu *v, struct vcpu_exit *exit)
{
	u64 code = vmcb_r64(v, VMCB_EXIT_CODE);
	u64 info1 = vmcb_r64(v, VMCB_EXIT_INFO1);
	u64 rip = vmcb_r64(v, VMCB_RIP);

	/*
	 * VMEXIT_INVALID is -1 (APM vol. 2, appendix C), but QEMU 7.2 stores
	 * it as a 32-bit -1: both are the failed VMRUN, whose save area holds
	 * the host's state -- never to be re-entered.
	 */
	if ((u32)code == (u32)SVM_EXIT_INVALID)
		code = SVM_EXIT_INVALID;
	memset(exit, 0, sizeof(*exit));
	exit->syndrome = code;
	exit->pc = rip;
	v->next_rip = svm_features & SVM_FEAT_NRIPS ? vmcb_r64(v, VMCB_NEXT_RIP) : 0;

	if (debug_decode(v, code, exit) || svm_shadow_decode(v, code, exit))
		return;
	switch (code) {
	case SVM_EXIT_NPF:
		/* 15.25.6: EXITINFO1 a #PF error code, EXITINFO2 the guest-physical address. */
		exit->reason = EXIT_MEM_FAULT;
		exit->gpa = vmcb_r64(v, VMCB_EXIT_INFO2);
		/* No GVA in an #NPF: the GPA stands in (arch_vcpu_inject_abort() says when it is one). */
		exit->gva = exit->gpa;
		exit->write = info1 & NPF_WRITE;
		exit->exec = info1 & NPF_FETCH;
		break;
	case SVM_EXIT_IOIO:
		svm_ioio(v, info1);
		exit->reason = EXIT_NONE;
		break;
	case SVM_EXIT_VMMCALL:
		exit->reason = EXIT_HYPERCALL;
		vmcb_w64(v, VMCB_RIP, rip + 3); /* 0f 01 d9 */
		break;
	case SVM_EXIT_HLT:
		exit->reason = EXIT_WFI;
		vmcb_w64(v, VMCB_RIP, rip + 1);
		break;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		/* Taken by the host after STGI: the tick, a kick, a TLB shootdown. */
		exit->reason = EXIT_IRQ;
		break;
	case SVM_EXIT_CPUID:
		svm_cpuid(v);
		vmcb_w64(v, VMCB_RIP, rip + 2);
		exit->reason = EXIT_NONE;
		break;
	case SVM_EXIT_SHUTDOWN:
		/*
		 * A triple fault: the guest's state is gone (15.12 "shutdown
		 * intercept"), and re-entering it would only fault again until the
		 * VM's time limit: the VM ends, and fails.
		 */
		printf("vcpu %u: triple fault (SHUTDOWN) at rip %#llx: ending the VM\n", v->index,
		       (unsigned long long)rip);
		arch_vcpu_dump(v);
		exit->reason = EXIT_FATAL;
		exit->fatal_status = -1;
		break;
	case SVM_EXIT_INVALID:
		/*
		 * VMRUN refused the VMCB (a consistency check, 15.5.1).  The
		 * save area then holds whatever the CPU had loaded -- QEMU
		 * writes the host's state there -- so re-entering would run the
		 * hypervisor's own code as the guest: the VM ends instead.
		 */
		printf("vcpu %u: VMRUN refused the VMCB (VMEXIT_INVALID): ending the VM\n",
		       v->index);
		arch_vcpu_dump(v);
		exit->reason = EXIT_FATAL;
		exit->fatal_status = -1;
		break;
	case SVM_EXIT_MSR:
		/* Every MSR but EFER: #GP, as for an MSR the CPU does not have. */
		svm_inject(v, X86_VEC_GP, true, 0);
		exit->reason = EXIT_NONE;
		break;
	case SVM_EXIT_RDPMC:
		/*
		 * The counters are the host's (and other VMs'): the guest has
		 * none, and RDPMC of a counter that does not exist is #GP(0)
		 * (APM vol. 3, RDPMC).
		 */
		svm_inject(v, X86_VEC_GP, true, 0);
		exit->reason = EXIT_NONE;
		break;
	case SVM_EXIT_WBINVD:
		/*
		 * Guest memory is write-back and no device writes it behind the
		 * caches, so there is nothing to write back for the guest: a
		 * no-op, as KVM does without non-coherent DMA.  WBNOINVD (F3 0F
		 * 09) exits here too; without next-RIP it is hidden (CPUID) and
		 * taken as the two-byte WBINVD.
		 */
		vmcb_w64(v, VMCB_RIP, v->next_rip ? v->next_rip : rip + 2);
		exit->reason = EXIT_NONE;
		break;
	default:
		exit->reason = EXIT_UNHANDLED;
		break;
	}
}

/* ---- reports ------------------------------------------------------------------------------------- */

static const struct {
	u64 code;
	const char *name;
} exit_names[] = {
	{ SVM_EXIT_INTR, "INTR" },
	{ SVM_EXIT_NMI, "NMI" },
	{ SVM_EXIT_SMI, "SMI" },
	{ SVM_EXIT_INIT, "INIT" },
	{ SVM_EXIT_CPUID, "CPUID" },
	{ SVM_EXIT_HLT, "HLT" },
	{ SVM_EXIT_IOIO, "IOIO" },
	{ SVM_EXIT_MSR, "MSR" },
	{ SVM_EXIT_SHUTDOWN, "SHUTDOWN" },
	{ SVM_EXIT_VMMCALL, "VMMCALL" },
	{ SVM_EXIT_XSETBV, "XSETBV" },
	{ SVM_EXIT_NPF, "NPF" },
	{ SVM_EXIT_RDPMC, "RDPMC" },
	{ SVM_EXIT_WBINVD, "WBINVD" },
	{ 0x07d, "TASK_SWITCH" },
	{ 0x076, "INVD" },
	{ 0x07a, "INVLPGA" },
	{ 0x080, "VMRUN" },
	{ 0x082, "VMLOAD" },
	{ 0x083, "VMSAVE" },
	{ 0x084, "STGI" },
	{ 0x085, "CLGI" },
	{ SVM_EXIT_EXCP_DB, "EXCP_DB" },
	{ SVM_EXIT_EXCP_BP, "EXCP_BP" },
	{ SVM_EXIT_SWINT, "SWINT" },
	{ 0x086, "SKINIT" },
	{ 0x08a, "MONITOR" },
	{ 0x08b, "MWAIT" },
	{ 0x08c, "MWAIT_ARMED" },
	{ 0x08e, "RDPRU" },
	{ SVM_EXIT_INVALID, "INVALID" },
};

const char *arch_exit_name(const struct vcpu_exit *exit)
{
	for (unsigned int i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if (exit_names[i].code == exit->syndrome)
			return exit_names[i].name;
	if (exit->syndrome >= SVM_EXIT_EXCP_BASE && exit->syndrome < SVM_EXIT_EXCP_BASE + 32)
		return "EXCEPTION";
	return "UNKNOWN";
}

int arch_exit_describe(const struct vcpu_exit *exit, char *buf, size_t len)
{
	return snprintf(buf, len, "#VMEXIT %s (exit code %#llx)", arch_exit_name(exit),
			(unsigned long long)exit->syndrome);
}

void arch_vcpu_dump(const struct arch_vcpu *v)
{
	static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
					       "rsi", "rdi", "r8",  "r9",  "r10", "r11",
					       "r12", "r13", "r14", "r15" };
	char line[256];
	int n = 0;

	n += snprintf(line + n, sizeof(line) - n,
		      "  rip %#llx rflags %#llx cr0 %#llx cr3 %#llx "
		      "cr4 %#llx efer %#llx\n",
		      (unsigned long long)vmcb_r64(v, VMCB_RIP),
		      (unsigned long long)vmcb_r64(v, VMCB_RFLAGS),
		      (unsigned long long)vmcb_r64(v, VMCB_CR0),
		      (unsigned long long)vmcb_r64(v, VMCB_CR3),
		      (unsigned long long)vmcb_r64(v, VMCB_CR4),
		      (unsigned long long)vmcb_r64(v, VMCB_EFER));
	printf("%s", line);
	n = 0;
	for (unsigned int i = 0; i < 16; i++) {
		n += snprintf(line + n, sizeof(line) - n, "  %-3s %016llx", names[i],
			      (unsigned long long)arch_vcpu_get_reg(v, i));
		if (i % 4 == 3) {
			printf("%s\n", line);
			n = 0;
		}
	}
	printf("  exitinfo1 %#llx exitinfo2 %#llx exitintinfo %#llx\n",
	       (unsigned long long)vmcb_r64(v, VMCB_EXIT_INFO1),
	       (unsigned long long)vmcb_r64(v, VMCB_EXIT_INFO2),
	       (unsigned long long)vmcb_r64(v, VMCB_EXIT_INT_INFO));
}
