/* SPDX-License-Identifier: MIT */
/*
 * Which hardware virtualization the hypervisor uses (virt.c).
 */
#ifndef ARCH_X86_64_VIRT_H
#define ARCH_X86_64_VIRT_H

enum x86_virt {
	X86_VIRT_UNKNOWN, /* not detected yet */
	X86_VIRT_NONE,	  /* neither SVM nor VMX */
	X86_VIRT_OFF,	  /* there, but the firmware locked it off */
	X86_VIRT_SVM,	  /* AMD SVM without nested paging */
	X86_VIRT_SVM_NPT, /* AMD SVM with nested paging: the one that runs guests */
	X86_VIRT_VMX,	  /* Intel VMX without (usable) EPT */
	X86_VIRT_VMX_EPT, /* Intel VMX with EPT: selected, not implemented */
};

/* CPUID vendor and feature bits, the firmware's lock-outs; once, then cached.  Any CPU. */
enum x86_virt x86_virt_detect(void);
/* One line for the boot log: what was found and what the hypervisor does with it. */
const char *x86_virt_describe(enum x86_virt v);

#endif
