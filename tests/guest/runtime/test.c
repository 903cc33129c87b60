// SPDX-License-Identifier: MIT
/*
 * The test harness: one HC_REPORT per case, counted here too so that the
 * exit status is the number of failures.  Callable from any vCPU.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"

#define NAME_MAX_LEN 128 /* HC_REPORT's limit, NUL included */

static unsigned int passes, failures;

static void count(bool ok)
{
	__atomic_add_fetch(ok ? &passes : &failures, 1, __ATOMIC_RELAXED);
}

/*
 * The name goes through a bounded copy so that a long one is cut rather than
 * refused.  A report the hypervisor refuses is counted as a failure here:
 * it would otherwise vanish from its totals.
 */
bool check(const char *name, bool cond)
{
	char buf[NAME_MAX_LEN];
	long r;

	strncpy(buf, name, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	r = hc_report(buf, cond);
	if (r < 0) {
		char line[NAME_MAX_LEN + 64];
		int n = snprintf(line, sizeof(line), "guest: HC_REPORT refused \"%s\": %ld\n", buf,
				 r);

		hc_console_write(line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
		cond = false;
	}
	count(cond);
	return cond;
}

bool checkf(bool cond, const char *fmt, ...)
{
	char buf[NAME_MAX_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return check(buf, cond);
}

unsigned int test_failures(void)
{
	return __atomic_load_n(&failures, __ATOMIC_RELAXED);
}

unsigned int test_passes(void)
{
	return __atomic_load_n(&passes, __ATOMIC_RELAXED);
}
