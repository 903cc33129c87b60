// SPDX-License-Identifier: MIT
/*
 * The system calls newlib expects (it was built without its own, see
 * tools/README.md).  fds 0-2 are the console (HC_CONSOLE_WRITE), there is
 * nothing to read, the heap is the linker script's [__heap_start, __heap_end)
 * and _exit() is HC_EXIT.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "arch.h"
#include "guest.h"

/* Prototypes as newlib's headers give them only under _COMPILING_NEWLIB. */
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _getpid(void);
int _isatty(int fd);
int _kill(int pid, int sig);
_off_t _lseek(int fd, _off_t off, int whence);
_ssize_t _read(int fd, void *buf, size_t n);
_ssize_t _write(int fd, const void *buf, size_t n);
void *_sbrk(ptrdiff_t incr);
void _exit(int status) __attribute__((noreturn));

#define CONSOLE_CHUNK 4096	/* HC_CONSOLE_WRITE's limit */

extern char __heap_start[], __heap_end[];
static char *heap_top = __heap_start;

static bool is_console(int fd)
{
	return fd >= 0 && fd <= 2;
}

_ssize_t _write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	while (done < n) {
		size_t len = n - done < CONSOLE_CHUNK ? n - done : CONSOLE_CHUNK;
		long r = hc_console_write(p + done, len);

		if (r <= 0) {
			errno = EIO;
			return done ? (_ssize_t)done : -1;
		}
		done += r;
	}
	return done;
}

_ssize_t _read(int fd, void *buf, size_t n)
{
	(void)buf;
	(void)n;
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

/* Lock-free: newlib may call it under its malloc lock or not. */
void *_sbrk(ptrdiff_t incr)
{
	char *old = __atomic_load_n(&heap_top, __ATOMIC_RELAXED);

	do {
		if (incr > __heap_end - old || incr < __heap_start - old) {
			errno = ENOMEM;
			return (void *)-1;
		}
	} while (!__atomic_compare_exchange_n(&heap_top, &old, old + incr, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return old;
}

void _exit(int status)
{
	hc_exit(status);
}

int _close(int fd)
{
	if (is_console(fd))
		return 0;
	errno = EBADF;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR };
	return 0;
}

/* A terminal: stdout is line buffered, so lines reach the console whole. */
int _isatty(int fd)
{
	if (is_console(fd))
		return 1;
	errno = EBADF;
	return 0;
}

_off_t _lseek(int fd, _off_t off, int whence)
{
	(void)off;
	(void)whence;
	errno = is_console(fd) ? ESPIPE : EBADF;
	return -1;
}

/* abort() raises SIGABRT: the end of the payload. */
int _kill(int pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}

int _getpid(void)
{
	return 1;
}
