/*
 * faultfs.c: a preloaded library that makes the daemon's disk fail on
 * demand, so that the fault tests (tests/integration/faults.sh) run the
 * real daemon against a full disk, a failing disk and a read-only file
 * without root, a small file system or a device mapper.
 *
 *   LD_PRELOAD=faultfs.so SPIS_FAULT_CTL=FILE SPIS_FAULT_PREFIX=PATH
 *
 * While FILE holds "ENOSPC", "EIO" or "EROFS", every write, sync or
 * truncation of a file whose path starts with PATH fails with that error
 * (reads go on working, as they do on a full disk); while it holds
 * "EACCES", opening such a file for writing fails too, as for a database
 * file the daemon may only read.  Anything else in FILE, or no FILE, and
 * the calls go through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* The fault to inject now: an errno, or 0.  Read from the control file on
 * every call, so a test switches faults by writing the file. */
static int
faultfs_errno(void)
{
	const char *ctl = getenv("SPIS_FAULT_CTL");
	static ssize_t (*real_read)(int, void *, size_t);
	static int (*real_open)(const char *, int, ...);
	char buf[16] = {0};
	int fd;

	if (ctl == NULL)
		return 0;
	if (real_open == NULL) {
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT,
		    "open");
		real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT,
		    "read");
	}
	if ((fd = real_open(ctl, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (real_read(fd, buf, sizeof buf - 1) < 0)
		buf[0] = '\0';
	close(fd);
	if (strncmp(buf, "ENOSPC", 6) == 0)
		return ENOSPC;
	if (strncmp(buf, "EIO", 3) == 0)
		return EIO;
	if (strncmp(buf, "EROFS", 5) == 0)
		return EROFS;
	if (strncmp(buf, "EACCES", 6) == 0)
		return EACCES;
	return 0;
}

static int
faultfs_path_hit(const char *path)
{
	const char *prefix = getenv("SPIS_FAULT_PREFIX");

	return prefix != NULL && path != NULL &&
	    strncmp(path, prefix, strlen(prefix)) == 0;
}

static int
faultfs_fd_hit(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) < 0)
		return 0;
	path[n] = '\0';
	return faultfs_path_hit(path);
}

/* Returns the errno to fail a write to fd with, or 0. */
static int
faultfs_write_fault(int fd)
{
	int e;

	if (!faultfs_fd_hit(fd) || (e = faultfs_errno()) == 0)
		return 0;
	/* A file opened for writing while reads were allowed still writes
	 * nothing once the file system is read-only. */
	return e == EACCES ? EROFS : e;
}

#define FAULTFS_REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (real == NULL) \
		real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

ssize_t
write(int fd, const void *buf, size_t n)
{
	FAULTFS_REAL(ssize_t, "write", int, const void *, size_t);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	FAULTFS_REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	FAULTFS_REAL(ssize_t, "pwrite64", int, const void *, size_t, off64_t);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	FAULTFS_REAL(ssize_t, "writev", int, const struct iovec *, int);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, iov, n);
}

int
fsync(int fd)
{
	FAULTFS_REAL(int, "fsync", int);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd);
}

int
fdatasync(int fd)
{
	FAULTFS_REAL(int, "fdatasync", int);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd);
}

int
ftruncate(int fd, off_t len)
{
	FAULTFS_REAL(int, "ftruncate", int, off_t);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, len);
}

int
ftruncate64(int fd, off64_t len)
{
	FAULTFS_REAL(int, "ftruncate64", int, off64_t);
	int e = faultfs_write_fault(fd);

	if (e != 0) {
		errno = e;
		return -1;
	}
	return real(fd, len);
}

/* Opening a database file for writing fails while the control file says
 * EACCES; SQLite then opens it read-only, as for a file it may not
 * write. */
static int
faultfs_open_fault(const char *path, int flags)
{
	if ((flags & O_ACCMODE) == O_RDONLY || !faultfs_path_hit(path))
		return 0;
	return faultfs_errno() == EACCES ? EACCES : 0;
}

int
open(const char *path, int flags, ...)
{
	FAULTFS_REAL(int, "open", const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (faultfs_open_fault(path, flags) != 0) {
		errno = EACCES;
		return -1;
	}
	return real(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	FAULTFS_REAL(int, "open64", const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (faultfs_open_fault(path, flags) != 0) {
		errno = EACCES;
		return -1;
	}
	return real(path, flags, mode);
}
