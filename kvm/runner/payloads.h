/* SPDX-License-Identifier: MIT */
/*
 * Guest payload ELF images embedded in the hypervisor image.  The table is
 * generated at build time (tools/payloads.sh: an assembly file that .incbin's
 * every build/<arch>/guest/<name>.elf).
 */
#ifndef KVM_PAYLOADS_H
#define KVM_PAYLOADS_H

#include "loader.h" /* struct payload_image */

extern const struct payload_image payload_images[];
extern const u32 payload_count;

/* The payload called @name (length @len), NULL if none is embedded. */
const struct payload_image *payload_find(const char *name, size_t len);

#endif
