// SPDX-License-Identifier: MIT
/*
 * Flattened device tree writer and the Linux guest's tree.
 *
 * Format (Devicetree Specification v0.4, 5.2-5.5): a 40-byte header, the
 * memory reservation block (8-byte aligned, pairs of u64 ended by a zero
 * pair), the structure block (a stream of 4-byte aligned tokens:
 * FDT_BEGIN_NODE + name, FDT_PROP + length + name offset + value,
 * FDT_END_NODE, FDT_END) and the strings block (property names, each once).
 * Every number is big-endian.
 *
 * What goes into the tree follows the devicetree bindings Linux uses for
 * these devices (Documentation/devicetree/bindings/): arm/cpus.yaml,
 * arm/psci.yaml, interrupt-controller/arm,gic-v3.yaml, timer/arm,arch_timer.yaml,
 * serial/pl011.yaml, clock/fixed-clock.yaml, chosen.yaml.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fdt_gen.h"
#include "guest_platform.h"

#define FDT_MAGIC	      0xd00dfeedU
#define FDT_VERSION	      17
#define FDT_LAST_COMP_VERSION 16
#define FDT_BEGIN_NODE	      1
#define FDT_END_NODE	      2
#define FDT_PROP	      3
#define FDT_END		      9

#define FDT_HEADER_SIZE 40
#define FDT_RSVMAP_SIZE 16 /* just the terminating zero pair */
#define FDT_NAME_MAX	64
#define FDT_MAX_DEPTH	16

static u32 cpu_to_be32(u32 v)
{
	return __builtin_bswap32(v);
}

static void put_be32(u8 *p, u32 v)
{
	v = cpu_to_be32(v);
	memcpy(p, &v, 4);
}

void fdt_begin(struct fdt_writer *w, void *buf, u32 size)
{
	memset(w, 0, sizeof(*w));
	/*
	 * Leave the header's and reservation block's room below the structure
	 * block's end, so fdt_finish() can slide it up without touching the
	 * strings.
	 */
	if (!buf || size < 256 || ((uintptr_t)buf & 7)) {
		w->err = -EINVAL;
		return;
	}
	w->structs = buf;
	w->struct_cap = (size / 4 * 3 & ~7U) - FDT_HEADER_SIZE - FDT_RSVMAP_SIZE - 8;
	w->strings = (char *)buf + (size / 4 * 3 & ~7U);
	w->strings_cap = size - (size / 4 * 3 & ~7U);
	w->next_phandle = 1;
}

/* Room for @len more bytes of structure block, zero-padded to 4. */
static u8 *struct_room(struct fdt_writer *w, u32 len)
{
	u32 padded = (len + 3) & ~3U;
	u8 *p;

	if (w->err)
		return NULL;
	if (padded < len || padded > w->struct_cap - w->struct_len) {
		w->err = -ENOSPC;
		return NULL;
	}
	p = w->structs + w->struct_len;
	memset(p, 0, padded);
	w->struct_len += padded;
	return p;
}

static void put_token(struct fdt_writer *w, u32 token)
{
	u8 *p = struct_room(w, 4);

	if (p)
		put_be32(p, token);
}

/* Offset of @name in the strings block, adding it the first time (5.5: names are shared). */
static u32 string_offset(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name) + 1;
	u32 off = 0;

	while (off < w->strings_len) {
		if (!strcmp(w->strings + off, name))
			return off;
		off += strlen(w->strings + off) + 1;
	}
	if (len > w->strings_cap - w->strings_len) {
		w->err = -ENOSPC;
		return 0;
	}
	memcpy(w->strings + w->strings_len, name, len);
	w->strings_len += len;
	return off;
}

void fdt_begin_node(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name);
	u8 *p;

	/* Only the root has an empty name (2.2.1); names are at most 31 + "@unit" chars. */
	if (!w->err && ((!len && w->depth) || len >= FDT_NAME_MAX || w->depth == FDT_MAX_DEPTH))
		w->err = -EINVAL;
	put_token(w, FDT_BEGIN_NODE);
	p = struct_room(w, len + 1);
	if (p)
		memcpy(p, name, len);
	if (!w->err)
		w->depth++;
}

void fdt_end_node(struct fdt_writer *w)
{
	if (!w->err && !w->depth)
		w->err = -EINVAL;
	put_token(w, FDT_END_NODE);
	if (!w->err)
		w->depth--;
}

void fdt_prop(struct fdt_writer *w, const char *name, const void *val, u32 len)
{
	u32 nameoff;
	u8 *p;

	/* Properties belong to a node, before its subnodes (5.4.1); a name is 1..31 chars. */
	if (!w->err && (!w->depth || !*name || strlen(name) > 31))
		w->err = -EINVAL;
	if (w->err)
		return;
	nameoff = string_offset(w, name);
	put_token(w, FDT_PROP);
	p = struct_room(w, 8);
	if (!p)
		return;
	put_be32(p, len);
	put_be32(p + 4, nameoff);
	if (!len)
		return;
	p = struct_room(w, len);
	if (p)
		memcpy(p, val, len);
}

void fdt_prop_empty(struct fdt_writer *w, const char *name)
{
	fdt_prop(w, name, NULL, 0);
}

void fdt_prop_u32(struct fdt_writer *w, const char *name, u32 val)
{
	fdt_prop_cells(w, name, &val, 1);
}

/* A 64-bit value is two cells, the high one first (2.2.4, <u64>). */
void fdt_prop_u64(struct fdt_writer *w, const char *name, u64 val)
{
	u32 cells[2] = { (u32)(val >> 32), (u32)val };

	fdt_prop_cells(w, name, cells, 2);
}

void fdt_prop_cells(struct fdt_writer *w, const char *name, const u32 *cells, u32 n)
{
	u32 be[16];
	u32 i;

	if (n > ARRAY_SIZE(be)) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	for (i = 0; i < n; i++)
		be[i] = cpu_to_be32(cells[i]);
	fdt_prop(w, name, be, n * 4);
}

void fdt_prop_str(struct fdt_writer *w, const char *name, const char *s)
{
	fdt_prop(w, name, s, strlen(s) + 1);
}

void fdt_prop_strs(struct fdt_writer *w, const char *name, const char *list, u32 len)
{
	/* Each string NUL-terminated, the last one too (2.2.4, <stringlist>). */
	if (!w->err && (!len || list[len - 1]))
		w->err = -EINVAL;
	fdt_prop(w, name, list, len);
}

u32 fdt_alloc_phandle(struct fdt_writer *w)
{
	return w->next_phandle++;
}

int fdt_finish(struct fdt_writer *w)
{
	u32 struct_off = FDT_HEADER_SIZE + FDT_RSVMAP_SIZE, strings_off, total;
	u8 *blob = w->structs;

	if (!w->err && w->depth)
		w->err = -EINVAL;
	put_token(w, FDT_END);
	if (w->err)
		return w->err;
	strings_off = struct_off + w->struct_len;
	total = strings_off + w->strings_len;
	/* The strings move down, the structure block up by 56 bytes: the ranges never meet. */
	memmove(blob + strings_off, w->strings, w->strings_len);
	memmove(blob + struct_off, blob, w->struct_len);
	memset(blob, 0, struct_off);
	put_be32(blob + 0, FDT_MAGIC);
	put_be32(blob + 4, total);
	put_be32(blob + 8, struct_off);
	put_be32(blob + 12, strings_off);
	put_be32(blob + 16, FDT_HEADER_SIZE); /* off_mem_rsvmap: one zero pair, no reservations */
	put_be32(blob + 20, FDT_VERSION);
	put_be32(blob + 24, FDT_LAST_COMP_VERSION);
	put_be32(blob + 28, 0); /* boot_cpuid_phys: vCPU 0 boots */
	put_be32(blob + 32, w->strings_len);
	put_be32(blob + 36, w->struct_len);
	return (int)total;
}

/* ---- the guest's tree ------------------------------------------------------------------- */

/* interrupt-specifier flags (arm,gic-v3 binding, cell 3): level-sensitive, active high. */
#define IRQ_LEVEL_HIGH 4

static void node_at(struct fdt_writer *w, const char *base, u64 addr)
{
	char name[FDT_NAME_MAX];

	snprintf(name, sizeof(name), "%s@%llx", base, (unsigned long long)addr);
	fdt_begin_node(w, name);
}

/* reg with #address-cells = #size-cells = 2 (the root's). */
static void prop_reg(struct fdt_writer *w, u64 base, u64 size)
{
	u32 cells[4] = { (u32)(base >> 32), (u32)base, (u32)(size >> 32), (u32)size };

	fdt_prop_cells(w, "reg", cells, 4);
}

static void gen_cpus(struct fdt_writer *w, unsigned int nr)
{
	unsigned int i;

	fdt_begin_node(w, "cpus");
	/* reg of a cpu node is its MPIDR affinity; one cell holds Aff0 (cpus.yaml). */
	fdt_prop_u32(w, "#address-cells", 1);
	fdt_prop_u32(w, "#size-cells", 0);
	for (i = 0; i < nr; i++) {
		node_at(w, "cpu", i);
		fdt_prop_str(w, "device_type", "cpu");
		fdt_prop_str(w, "compatible", "arm,armv8");
		fdt_prop_u32(w, "reg", i);
		fdt_prop_str(w, "enable-method", "psci");
		fdt_end_node(w);
	}
	fdt_end_node(w);
}

/*
 * PSCI 0.2 and later define the function IDs themselves, so no cpu_on etc.
 * properties (psci.yaml); "hvc" because the hypervisor is the firmware here.
 */
static void gen_psci(struct fdt_writer *w)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	fdt_begin_node(w, "psci");
	fdt_prop_strs(w, "compatible", compat, sizeof(compat));
	fdt_prop_str(w, "method", "hvc");
	fdt_end_node(w);
}

/* GICv3: the distributor, then one redistributor region covering every vCPU's. */
static void gen_gic(struct fdt_writer *w, unsigned int nr_cpus, u32 phandle)
{
	u32 reg[8] = {
		0, (u32)GUEST_GICD_BASE, 0, (u32)GUEST_GICD_SIZE,
		0, (u32)GUEST_GICR_BASE, 0, (u32)(GUEST_GICR_STRIDE * nr_cpus),
	};

	node_at(w, "intc", GUEST_GICD_BASE);
	fdt_prop_str(w, "compatible", "arm,gic-v3");
	fdt_prop_empty(w, "interrupt-controller");
	/* Cell 1: 0 SPI / 1 PPI, cell 2: the number, cell 3: flags. */
	fdt_prop_u32(w, "#interrupt-cells", 3);
	fdt_prop_u32(w, "#redistributor-regions", 1);
	/* No children (no ITS), but dtc wants an interrupt provider to say how to address them. */
	fdt_prop_u32(w, "#address-cells", 2);
	fdt_prop_u32(w, "#size-cells", 2);
	fdt_prop_cells(w, "reg", reg, 8);
	fdt_prop_u32(w, "phandle", phandle);
	fdt_end_node(w);
}

/*
 * The architected timer's four PPIs in the binding's order: secure physical,
 * non-secure physical, virtual, hypervisor.  Level high: the timer output is
 * a level and GICv3 PPIs take no CPU mask (that part of the flags cell is
 * GICv2's only).  always-on: the guest has no power states that stop it.
 */
static void gen_timer(struct fdt_writer *w)
{
	static const char compat[] = "arm,armv8-timer";
	u32 irqs[12] = {
		GUEST_GIC_PPI, GUEST_TIMER_PPI_SEC,  IRQ_LEVEL_HIGH,
		GUEST_GIC_PPI, GUEST_TIMER_PPI_PHYS, IRQ_LEVEL_HIGH,
		GUEST_GIC_PPI, GUEST_TIMER_PPI_VIRT, IRQ_LEVEL_HIGH,
		GUEST_GIC_PPI, GUEST_TIMER_PPI_HYP,  IRQ_LEVEL_HIGH,
	};

	fdt_begin_node(w, "timer");
	fdt_prop_strs(w, "compatible", compat, sizeof(compat));
	fdt_prop_cells(w, "interrupts", irqs, 12);
	fdt_prop_empty(w, "always-on");
	fdt_end_node(w);
}

/*
 * The PL011 is an AMBA PrimeCell: Linux's AMBA bus wants its "apb_pclk"
 * clock on before it reads the peripheral ID, and the driver its "uartclk"
 * for the baud-rate divisor (pl011.yaml).  One fixed clock serves both.
 */
static void gen_uart(struct fdt_writer *w, u32 clk)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clk_names[] = "uartclk\0apb_pclk";
	u32 irq[3] = { GUEST_GIC_SPI, GUEST_UART_SPI, IRQ_LEVEL_HIGH };
	u32 clocks[2] = { clk, clk };

	fdt_begin_node(w, "apb-pclk");
	fdt_prop_str(w, "compatible", "fixed-clock");
	fdt_prop_u32(w, "#clock-cells", 0);
	fdt_prop_u32(w, "clock-frequency", GUEST_UART_CLOCK_HZ);
	fdt_prop_str(w, "clock-output-names", "clk24mhz");
	fdt_prop_u32(w, "phandle", clk);
	fdt_end_node(w);

	node_at(w, "pl011", GUEST_UART_BASE);
	fdt_prop_strs(w, "compatible", compat, sizeof(compat));
	prop_reg(w, GUEST_UART_BASE, GUEST_UART_SIZE);
	fdt_prop_cells(w, "interrupts", irq, 3);
	fdt_prop_cells(w, "clocks", clocks, 2);
	fdt_prop_strs(w, "clock-names", clk_names, sizeof(clk_names));
	fdt_end_node(w);
}

/* /chosen (chosen.yaml): the command line, the console, where the initrd is. */
static void gen_chosen(struct fdt_writer *w, const struct fdt_guest *g)
{
	char path[FDT_NAME_MAX];

	snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)GUEST_UART_BASE);
	fdt_begin_node(w, "chosen");
	fdt_prop_str(w, "bootargs", g->bootargs ? g->bootargs : "");
	fdt_prop_str(w, "stdout-path", path);
	if (g->initrd_end > g->initrd_start) {
		fdt_prop_u64(w, "linux,initrd-start", g->initrd_start);
		fdt_prop_u64(w, "linux,initrd-end", g->initrd_end);
	}
	fdt_end_node(w);
}

int fdt_gen_guest(const struct fdt_guest *g, void *buf, u32 size)
{
	static const char compat[] = "linux,dummy-virt";
	struct fdt_writer w;
	u32 gic, clk;

	if (!g->nr_cpus || g->nr_cpus > 8 || !g->ram_size)
		return -EINVAL;
	fdt_begin(&w, buf, size);
	gic = fdt_alloc_phandle(&w);
	clk = fdt_alloc_phandle(&w);

	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "#address-cells", 2);
	fdt_prop_u32(&w, "#size-cells", 2);
	fdt_prop_strs(&w, "compatible", compat, sizeof(compat));
	fdt_prop_str(&w, "model", "tiny hypervisor guest");
	fdt_prop_u32(&w, "interrupt-parent", gic);

	gen_chosen(&w, g);
	node_at(&w, "memory", g->ram_base);
	fdt_prop_str(&w, "device_type", "memory");
	prop_reg(&w, g->ram_base, g->ram_size);
	fdt_end_node(&w);
	gen_cpus(&w, g->nr_cpus);
	gen_psci(&w);
	gen_gic(&w, g->nr_cpus, gic);
	gen_timer(&w);
	gen_uart(&w, clk);

	fdt_end_node(&w);
	return fdt_finish(&w);
}
