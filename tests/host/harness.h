/* SPDX-License-Identifier: MIT */
/*
 * Minimal test harness for the host tests: one line per case, a closing
 * "N passed, N failed" line, exit status 1 when anything failed.
 *
 *	static void test_foo(void) { CHECK(x == 1); CHECK_EQ(a, b); }
 *	int main(void) { RUN(test_foo); return harness_done(); }
 *
 * A CHECK that fails prints the expression, the file and line, and marks the
 * current case failed; the case goes on so one run shows every broken check.
 */
#ifndef TESTS_HOST_HARNESS_H
#define TESTS_HOST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

extern int harness_passed, harness_failed, harness_case_failed;

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			printf("    check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			harness_case_failed = 1;                                             \
		}                                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                                           \
	do {                                                                                     \
		unsigned long long _a = (unsigned long long)(a);                                 \
		unsigned long long _b = (unsigned long long)(b);                                 \
		if (_a != _b) {                                                                  \
			printf("    check failed: %s == %s: 0x%llx != 0x%llx (%s:%d)\n", #a, #b, \
			       _a, _b, __FILE__, __LINE__);                                      \
			harness_case_failed = 1;                                                 \
		}                                                                                \
	} while (0)

/* Run one case; @fn takes no arguments. */
#define RUN(fn) harness_run(#fn, fn)
/* Run one case with a printable label and an argument (e.g. per format). */
#define RUN_ARG(label, fn, arg) harness_run_arg(label, (void (*)(const void *))(fn), arg)

void harness_run(const char *name, void (*fn)(void));
void harness_run_arg(const char *name, void (*fn)(const void *), const void *arg);
/* Record an outcome computed elsewhere (a stress run, a child process). */
void harness_report(const char *name, int ok, const char *detail);
/* Print the closing line; returns the process exit status. */
int harness_done(void);

#endif
