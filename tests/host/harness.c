// SPDX-License-Identifier: MIT
#include "harness.h"

int harness_passed, harness_failed, harness_case_failed;

void harness_report(const char *name, int ok, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, detail ? ": " : "", detail ? detail : "");
	fflush(stdout);
	if (ok)
		harness_passed++;
	else
		harness_failed++;
}

void harness_run(const char *name, void (*fn)(void))
{
	harness_case_failed = 0;
	fn();
	harness_report(name, !harness_case_failed, NULL);
}

void harness_run_arg(const char *name, void (*fn)(const void *), const void *arg)
{
	harness_case_failed = 0;
	fn(arg);
	harness_report(name, !harness_case_failed, NULL);
}

int harness_done(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}
