/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-fsync: the physical floor of a durable commit on a file system.
 *
 * Writes 4 KiB and calls fdatasync, 2000 times, in a scratch file of the
 * directory given (the database's), and prints the median and p99:
 *   BENCH fsync_median_ms=X ms
 *   BENCH fsync_p99_ms=X ms
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 2000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	g_autofree char *path = NULL;
	static double ms[ROUNDS];
	char block[4096];
	int fd;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: bench-fsync [DIRECTORY]\n"
		       "Prints BENCH fsync_median_ms and fsync_p99_ms of 4 KiB write + "
		       "fdatasync.\n");
		return 0;
	}
	path = g_build_filename(dir, "bench-fsync.XXXXXX", NULL);
	fd = g_mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "bench-fsync: cannot create a file in %s: %s\n", dir,
			g_strerror(errno));
		return 1;
	}
	memset(block, 'v', sizeof(block));
	for (int i = 0; i < ROUNDS; i++) {
		gint64 t0 = g_get_monotonic_time();

		/* The same page again and again, as a WAL append is a few pages. */
		if (pwrite(fd, block, sizeof(block), (off_t)(i % 16) * 4096) != sizeof(block) ||
		    fdatasync(fd) < 0) {
			fprintf(stderr, "bench-fsync: %s: %s\n", path, g_strerror(errno));
			close(fd);
			unlink(path);
			return 1;
		}
		ms[i] = (g_get_monotonic_time() - t0) / 1000.0;
	}
	close(fd);
	unlink(path);
	qsort(ms, ROUNDS, sizeof(double), cmp_double);
	printf("BENCH fsync_median_ms=%.3f ms\n", ms[ROUNDS / 2]);
	printf("BENCH fsync_p99_ms=%.3f ms\n", ms[ROUNDS * 99 / 100]);
	return 0;
}
