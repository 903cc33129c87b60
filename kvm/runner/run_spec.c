// SPDX-License-Identifier: MIT
/*
 * The run specification: the boot arguments that say which payloads run,
 * parsed into groups of VMs (runner.h).
 *
 *   run=GROUP,GROUP,...     groups run one after another
 *   GROUP = VM+VM+...       VMs of a group run side by side
 *   mmu=shadow              every VM on a shadow MMU, as the "shadow" option (x86)
 *   VM = payload[:opt]...   opt: N (vCPUs), blocks, prepopulate, mem=SIZE[K|M|G],
 *                           shadow (shadow page tables even with nested paging, x86),
 *                           cpus=N (spread the vCPUs over N physical CPUs only),
 *                           cpu=N (vCPU 0 on physical CPU N, the others after it),
 *                           time=SECONDS (limit, default 120, 0 none),
 *                           gdb (debugged: starts stopped, waiting for GDB on the debug
 *                           channel; no time limit unless a time= follows),
 *                           expect=limit (the VM never ends by itself: it passes when its
 *                           time limit ends it, on time), expect=refused (it must not fit
 *                           in host memory: passes when creation refuses it)
 *   loader                  the loader's self-test: malformed images refused
 *   guest_image             the guest image checker's self-test (Image, ELF, raw, initrd)
 *   linux[:opt]...          the guest kernel QEMU loaded for us (tools/run-guest.sh):
 *                             guest=ADDR:SIZE    the kernel (Image, ELF or raw) in host RAM
 *                             initrd=ADDR:SIZE   optional initrd in host RAM
 *                             -- ARGS            the rest of the line: its command line
 *                           opt "console": the hypervisor's console is its UART both
 *                           ways (interactive), instead of "[linux] " lines
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/arch/console.h"
#include "kvm/platform/guest_image.h"
#include "payloads.h"
#include "runner.h"

#define RUN_DEFAULT                                                                             \
	"loader,guest_image,touch,touch:blocks,give_back,give_back:blocks,isolation+isolation," \
	"smp_faults:2,smp_faults:4,hostile:2,ticker:2:cpus=1,fault_bench,"                      \
	"fault_bench:prepopulate,uart,give_back_race:3+give_back_race:3:blocks,vgic:2,"         \
	"vgic:2:cpus=1,spin:time=3:expect=limit:cpu=0+ticker:2:cpus=1:cpu=0,"                   \
	"spin:time=2:expect=limit:cpu=1,"                                                       \
	"oom:mem=1G+oom:mem=512M:blocks+oom:mem=1G:expect=refused,"                             \
	"regleak:cpu=1+regleak:cpu=1,user_hypercall:2"

const struct payload_image *payload_find(const char *name, size_t len)
{
	u32 i;

	for (i = 0; i < payload_count; i++)
		if (strlen(payload_images[i].name) == len &&
		    !memcmp(payload_images[i].name, name, len))
			return &payload_images[i];
	return NULL;
}

/* ---- a guest kernel from QEMU's loader ------------------------------------------------------ */

/*
 * tools/run-guest.sh has QEMU load the kernel and initrd into our RAM
 * (-device loader) and says where in the boot arguments.  The ranges are
 * kept out of guest memory before host_mem_init(); their contents are read
 * in place when a "linux" VM is created.
 */
static struct guest_boot linux_boot;
static char linux_cmdline[512];

/* "KEY=ADDR:SIZE" among the boot arguments before " -- ": false if absent or malformed. */
static bool boot_range(const char *args, const char *key, u64 *addr, u64 *size)
{
	size_t klen = strlen(key);
	const char *p = args, *end = strstr(args, " -- ");
	char *e;

	for (; (p = strstr(p, key)) && (!end || p < end); p += klen) {
		if ((p != args && p[-1] != ' ') || p[klen] != '=')
			continue;
		*addr = strtoull(p + klen + 1, &e, 0);
		if (*e != ':')
			break;
		*size = strtoull(e + 1, &e, 0);
		if (*e && *e != ' ')
			break;
		return true;
	}
	if (p && (!end || p < end))
		printf("kvm: boot argument %s= is not ADDR:SIZE\n", key);
	return false;
}

static void linux_boot_setup(void)
{
	const char *args = arch_boot_args(), *rest = strstr(args, " -- ");
	u64 addr, size;
	int ret;

	if (boot_range(args, "guest", &addr, &size)) {
		ret = host_mem_reserve(addr, size);
		if (ret)
			printf("kvm: guest kernel at %#llx+%#llx is not in free RAM (error %d): "
			       "ignored\n",
			       (unsigned long long)addr, (unsigned long long)size, ret);
		else
			linux_boot.kernel = (const u8 *)(uintptr_t)addr,
			linux_boot.kernel_size = size;
	}
	if (boot_range(args, "initrd", &addr, &size)) {
		ret = host_mem_reserve(addr, size);
		if (ret)
			printf("kvm: initrd at %#llx+%#llx is not in free RAM (error %d): ignored\n",
			       (unsigned long long)addr, (unsigned long long)size, ret);
		else
			linux_boot.initrd = (const u8 *)(uintptr_t)addr,
			linux_boot.initrd_size = size;
	}
	snprintf(linux_cmdline, sizeof(linux_cmdline), "%s", rest ? rest + 4 : "");
	linux_boot.cmdline = linux_cmdline;
}

/* ---- the run specification ---------------------------------------------------------------- */

static bool parse_size(const char *s, u64 *out)
{
	char *end;
	u64 v = strtoull(s, &end, 0);

	if (end == s)
		return false;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	*out = v;
	return !*end;
}

static bool parse_option(struct vm_config *cfg, const char *opt)
{
	char *end;
	u64 v;

	if (opt[0] >= '0' && opt[0] <= '9') {
		v = strtoul(opt, &end, 10);
		cfg->nr_vcpus = v;
		return !*end && v >= 1 && v <= VM_MAX_VCPUS;
	}
	if (!strcmp(opt, "blocks")) {
		cfg->blocks = true;
		return true;
	}
	if (!strcmp(opt, "gdb")) {
		cfg->gdb = true;
		cfg->time_limit_ns = 0; /* a person at the debugger takes their time */
		return true;
	}
	if (!strcmp(opt, "console")) {
		cfg->console_input = true;
		return true;
	}
	if (!strcmp(opt, "shadow")) {
		cfg->shadow = true;
		return true;
	}
	if (!strcmp(opt, "prepopulate")) {
		cfg->prepopulate = true;
		return true;
	}
	if (!strncmp(opt, "cpus=", 5)) {
		cfg->spread = strtoul(opt + 5, &end, 10);
		return !*end && cfg->spread;
	}
	if (!strncmp(opt, "cpu=", 4)) {
		v = strtoul(opt + 4, &end, 10);
		cfg->first_cpu = v;
		return !*end && opt[4] && v < arch_nr_cpus();
	}
	if (!strncmp(opt, "mem=", 4))
		return parse_size(opt + 4, &cfg->mem_size);
	if (!strncmp(opt, "time=", 5)) {
		v = strtoull(opt + 5, &end, 10);
		cfg->time_limit_ns = v * 1000000000ULL;
		return !*end;
	}
	return false;
}

/* expect=limit, expect=refused: false if @opt is not an expect= option. */
static bool parse_expect(struct run_entry *e, const char *opt)
{
	if (strncmp(opt, "expect=", 7))
		return false;
	if (!strcmp(opt + 7, "limit"))
		e->expect = EXPECT_LIMIT;
	else if (!strcmp(opt + 7, "refused"))
		e->expect = EXPECT_REFUSED;
	else
		return false;
	return true;
}

/* Boot argument mmu=shadow: every VM on a shadow MMU, nested paging or not. */
static bool all_shadow;

static bool boot_flag(const char *args, const char *flag)
{
	size_t len = strlen(flag);
	const char *p = args, *end = strstr(args, " -- ");

	for (; (p = strstr(p, flag)) && (!end || p < end); p += len)
		if ((p == args || p[-1] == ' ') && (!p[len] || p[len] == ' '))
			return true;
	return false;
}

/* One VM of a group: "payload[:opt]...". */
static void parse_vm(struct run_entry *e, const char *tok, size_t len)
{
	char buf[VM_NAME_LEN], *opt, *save;

	memset(e, 0, sizeof(*e));
	e->cfg.nr_vcpus = 1;
	e->cfg.mem_size = VM_RAM_SIZE;
	e->cfg.time_limit_ns = RUN_TIME_LIMIT_NS;
	e->cfg.shadow = all_shadow;
	e->cfg.first_cpu = -1;
	snprintf(e->cfg.name, sizeof(e->cfg.name), "%.*s", (int)len, tok);
	if (len >= sizeof(buf)) {
		printf("run: '%.*s': name too long\n", (int)len, tok);
		e->bad = true;
		return;
	}
	memcpy(buf, tok, len);
	buf[len] = 0;
	opt = strtok_r(buf, ":", &save);
	if (!opt) {
		e->bad = true;
		return;
	}
	e->selftest = !strcmp(opt, "loader");
	e->image_selftest = !strcmp(opt, "guest_image");
	e->cfg.image = payload_find(opt, strlen(opt));
	if (!strcmp(opt, "linux")) {
		/* Its console lines are "[linux] ...", whatever the options. */
		snprintf(e->cfg.name, sizeof(e->cfg.name), "linux");
		e->cfg.boot = &linux_boot;
		if (!linux_boot.kernel) {
			printf("run: linux: no guest kernel (boot argument guest=ADDR:SIZE; "
			       "tools/run-guest.sh passes it)\n");
			e->bad = true;
		}
	} else if (!e->cfg.image && !e->selftest && !e->image_selftest) {
		printf("run: no payload '%s' in this image\n", opt);
		e->bad = true;
	}
	while ((opt = strtok_r(NULL, ":", &save)))
		if (!parse_expect(e, opt) && !parse_option(&e->cfg, opt)) {
			printf("run: %s: bad option '%s'\n", e->cfg.name, opt);
			e->bad = true;
		}
}

/* VMs of one group with the same name: number them, "isolation#1", "isolation#2". */
static void name_duplicates(struct run_entry *g, unsigned int n)
{
	unsigned int count[RUN_MAX_GROUP] = { 0 }, seen[RUN_MAX_GROUP] = { 0 };
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			count[i] += !strcmp(g[i].cfg.name, g[j].cfg.name);
	for (i = 0; i < n; i++) {
		size_t l = strlen(g[i].cfg.name);

		if (count[i] < 2)
			continue;
		for (j = 0; j < i; j++)
			seen[i] += count[j] > 1 && !strncmp(g[i].cfg.name, g[j].cfg.name, l) &&
				   g[j].cfg.name[l] == '#';
		snprintf(g[i].cfg.name + l, sizeof(g[i].cfg.name) - l, "#%u", seen[i] + 1);
	}
}

unsigned int run_parse_group(const char *s, const char *end, struct run_entry *g)
{
	unsigned int n = 0;

	while (s < end && n < RUN_MAX_GROUP) {
		const char *plus = memchr(s, '+', end - s);
		const char *stop = plus ? plus : end;

		if (stop > s)
			parse_vm(&g[n++], s, stop - s);
		s = stop + 1;
	}
	if (s < end)
		printf("run: more than %d VMs in a group; the rest are left out\n", RUN_MAX_GROUP);
	name_duplicates(g, n);
	return n;
}

const char *run_spec(size_t *len)
{
	const char *args = arch_boot_args(), *p = args;

	while (p && (p = strstr(p, "run="))) {
		if (p == args || p[-1] == ' ') {
			p += 4;
			*len = strcspn(p, " ");
			return p;
		}
		p += 4;
	}
	*len = strlen(RUN_DEFAULT);
	return RUN_DEFAULT;
}

bool run_spec_init(void)
{
	linux_boot_setup();
	all_shadow = boot_flag(arch_boot_args(), "mmu=shadow");
	return all_shadow;
}
