/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ about its guests' machine: which virtual
 * platform table (kvm/platform/platform.h) every VM of this architecture
 * gets.
 */
#ifndef KVM_ARCH_PLATFORM_H
#define KVM_ARCH_PLATFORM_H

struct vm_platform;

const struct vm_platform *arch_vm_platform(void);

#endif
