// SPDX-License-Identifier: MIT
/*
 * Host tests of kvm/platform/fdt_gen.c: the blob's header and blocks are where the
 * header says, dtc (when installed) decompiles the guest's tree without a
 * warning and finds what Linux needs in it, and a writer misused or out of
 * room fails cleanly instead of writing past its buffer.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../../kvm/platform/fdt_gen.h"
#include "harness.h"

static u64 buf[64 * 1024 / 8];

static u32 be32(const void *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static const struct fdt_guest guest = {
	.ram_base = 0x40000000,
	.ram_size = 0x20000000,
	.nr_cpus = 2,
	.bootargs = "console=ttyAMA0 earlycon",
	.initrd_start = 0x5f000000,
	.initrd_end = 0x5f0f0000,
};

static void test_header(void)
{
	int n = fdt_gen_guest(&guest, buf, sizeof(buf));
	const u8 *b = (const u8 *)buf;

	CHECK(n > 0);
	if (n <= 0)
		return;
	CHECK_EQ(be32(b), 0xd00dfeed);
	CHECK_EQ(be32(b + 4), n);
	CHECK_EQ(be32(b + 20), 17);
	CHECK_EQ(be32(b + 24), 16);
	/* Blocks in order, aligned, inside the blob: rsvmap, struct, strings. */
	CHECK_EQ(be32(b + 16) % 8, 0);
	CHECK(be32(b + 8) >= be32(b + 16) + 16);
	CHECK_EQ(be32(b + 8) % 4, 0);
	CHECK_EQ(be32(b + 12), be32(b + 8) + be32(b + 36));
	CHECK_EQ(be32(b + 12) + be32(b + 32), n);
	/* The reservation block is just its terminator; the struct block opens the root, ends with FDT_END. */
	CHECK_EQ(*(const u64 *)(b + be32(b + 16)), 0);
	CHECK_EQ(be32(b + be32(b + 8)), 1);
	CHECK_EQ(be32(b + be32(b + 8) + 4), 0);
	CHECK_EQ(be32(b + be32(b + 12) - 4), 9);
}

/* Decompile with dtc and look for the nodes and properties Linux needs. */
static void test_dtc(void)
{
	static const char *const want[] = {
		"compatible = \"arm,pl011\\0arm,primecell\";",
		"clock-names = \"uartclk\\0apb_pclk\";",
		"interrupts = <0x00 0x01 0x04>;",
		"compatible = \"arm,gic-v3\";",
		"#interrupt-cells = <0x03>;",
		"reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;",
		"interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;",
		"compatible = \"arm,psci-1.0\\0arm,psci-0.2\";",
		"method = \"hvc\";",
		"cpu@1 {",
		"enable-method = \"psci\";",
		"reg = <0x00 0x40000000 0x00 0x20000000>;",
		"bootargs = \"console=ttyAMA0 earlycon\";",
		"stdout-path = \"/pl011@9000000\";",
		"linux,initrd-start = <0x00 0x5f000000>;",
		"linux,initrd-end = <0x00 0x5f0f0000>;",
		"clock-frequency = <0x16e3600>;",
	};
	char dtb[] = "/tmp/test_fdt_gen.XXXXXX", cmd[256], dts[4096 * 4], *p;
	int n = fdt_gen_guest(&guest, buf, sizeof(buf)), fd, st;
	FILE *f;
	size_t len;
	unsigned int i;

	if (system("command -v dtc >/dev/null 2>&1")) {
		printf("    dtc not installed: decompile check skipped\n");
		return;
	}
	fd = mkstemp(dtb);
	CHECK(fd >= 0 && n > 0);
	if (fd < 0 || n <= 0)
		return;
	CHECK_EQ(write(fd, buf, n), n);
	close(fd);
	/* -q off: any warning (bad phandle, missing #cells, ...) ends up in the output too. */
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts %s 2>&1", dtb);
	f = popen(cmd, "r");
	CHECK(f);
	if (!f)
		return;
	len = fread(dts, 1, sizeof(dts) - 1, f);
	dts[len] = 0;
	st = pclose(f);
	unlink(dtb);
	CHECK_EQ(st, 0);
	CHECK(!strstr(dts, "Warning"));
	/* dtc 1.6 prints a string list as "a\0b", later ones as "a", "b": compare in one form. */
	while ((p = strstr(dts, "\", \""))) {
		memmove(p + 2, p + 4, strlen(p + 4) + 1);
		p[0] = '\\';
		p[1] = '0';
	}
	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (!strstr(dts, want[i])) {
			printf("    missing: %s\n", want[i]);
			CHECK(0);
		}
}

static void test_misuse(void)
{
	struct fdt_writer w;
	u64 small[48];

	/* Out of room: -ENOSPC, and nothing written past the buffer. */
	small[ARRAY_SIZE(small) - 1] = 0x1122334455667788ULL;
	CHECK_EQ(fdt_gen_guest(&guest, small, sizeof(small) - 8), -ENOSPC);
	CHECK_EQ(small[ARRAY_SIZE(small) - 1], 0x1122334455667788ULL);

	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, "open");
	CHECK_EQ(fdt_finish(&w), -EINVAL); /* a node left open */

	fdt_begin(&w, buf, sizeof(buf));
	fdt_prop_u32(&w, "orphan", 1); /* a property outside every node */
	CHECK_EQ(fdt_finish(&w), -EINVAL);

	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, ""); /* only the root may be nameless */
	CHECK_EQ(fdt_finish(&w), -EINVAL);

	fdt_begin(&w, (u8 *)buf + 4, sizeof(buf) - 8); /* misaligned */
	CHECK_EQ(fdt_finish(&w), -EINVAL);

	CHECK_EQ(fdt_gen_guest(&(struct fdt_guest){ .ram_size = 1 << 20, .nr_cpus = 9 }, buf,
			       sizeof(buf)),
		 -EINVAL);
}

/* Property names are stored once however often they are used. */
static void test_strings_shared(void)
{
	struct fdt_writer w;
	const u8 *b = (const u8 *)buf;
	int n;

	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "reg", 1);
	fdt_begin_node(&w, "a");
	fdt_prop_u32(&w, "reg", 2);
	fdt_end_node(&w);
	fdt_end_node(&w);
	n = fdt_finish(&w);
	CHECK(n > 0);
	if (n > 0)
		CHECK_EQ(be32(b + 32), 4); /* "reg\0" */
}

int main(void)
{
	RUN(test_header);
	RUN(test_dtc);
	RUN(test_misuse);
	RUN(test_strings_shared);
	return harness_done();
}
