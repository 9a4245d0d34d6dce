/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vfs-cut: a power cut for SQLite, for tests only (issue 19, item 1).
 *
 * Loaded into vuorod with LD_PRELOAD=build/tests/libvfscut.so and
 * VFSCUT_DB=/abs/path/vuoro.db, it registers itself as SQLite's default VFS
 * in front of the real "unix" one.  Without VFSCUT_DB it registers nothing:
 * vuorod is unchanged, and production never loads it.
 *
 * What a power cut loses is what the disk was never told to keep.  So for
 * the database, its WAL and its journal (the files named after VFSCUT_DB)
 * every xWrite and xTruncate is held in memory, in 4 KiB blocks, like a page
 * cache; xRead serves the file overlaid with those blocks, so the process
 * sees its own writes as it would with a kernel.  Only xSync applies the held
 * blocks to the real file and then calls the real xSync: what an fsync makes
 * durable.  The state is per path, not per handle — a second connection
 * (vuorod's read-only job connections) reads the same "page cache", and a
 * handle closed without a sync leaves its data there, unsynced.
 *
 * A cut: the process ends at once with _exit(VFSCUT_EXIT) and the held
 * blocks are dropped, except that each one reaches the disk with the
 * probability VFSCUT_KEEP (default 0): the kernel may have written some of a
 * file's dirty pages back before the power went, in any order.  The cut comes
 * at the VFSCUT_AFTER-th xWrite/xTruncate/xSync of those files (then an
 * xSync is cut before it applies anything: the power failed as it began) or
 * on SIGUSR2, whichever is first.  The signal handler touches no held state
 * (it is not async-signal-safe to take our lock), so a signalled cut keeps
 * nothing unsynced; a cut inside an xSync that was applying blocks leaves
 * some of them, as a real torn fsync would.
 *
 * The -shm file is left to the real VFS (xShmMap and friends pass through):
 * it is a shared-memory index that SQLite never syncs and rebuilds from the
 * WAL when the first connection opens the database after a crash.  After a
 * reboot its contents are whatever the page cache had written back, and on a
 * board with /run on tmpfs it may be gone.  The cut deletes it — the case
 * where nothing of it survives — so the next vuorod must rebuild it from the
 * WAL alone; a stale one would be detected and rebuilt by SQLite as well.
 * xFetch (memory-mapped reads) answers "no mapping", so every read comes
 * through xRead and sees the held blocks.
 *
 * Simplifications, said so that nobody reads more into a pass: creating,
 * deleting and renaming a file are durable at once (no directory fsync is
 * modelled); a block is the unit that survives or not (4 KiB, SQLite's sector
 * size on unix), never part of one.
 *
 * VFSCUT_UNSYNCED_WAL=1 is a deliberately broken disk for the test that
 * proves the checker can fail: an xSync of the WAL does nothing, as if
 * vuorod ran with synchronous=NORMAL (in WAL mode a commit is then durable
 * only at the next checkpoint).  Acknowledged tickets must then be lost.
 *
 * Fault mode (issue 19, item 2: I/O errors): VFSFAULT_KIND=write|sync|open
 * makes the VFSFAULT_AT-th such call on those files fail (write counts
 * xWrite and xTruncate) with VFSFAULT_ERRNO=EIO (default) or ENOSPC, as the
 * real "unix" VFS would report it: SQLITE_IOERR_WRITE / _TRUNCATE /
 * _FSYNC, SQLITE_FULL for a write on a full disk, SQLITE_CANTOPEN, with
 * errno set so that sqlite3_system_errno() sees it.  The failure is not
 * applied: a failed write holds nothing, a failed sync applies nothing.  The
 * fault lasts VFSFAULT_COUNT failed calls (default 1; 0: until cleared), then
 * clears.  With VFSFAULT_FILE=/path, calls are counted and failed only while
 * that file exists: the test arms the fault once vuorod is up by creating
 * it and clears a lasting fault by removing it.  Each failure says so on
 * stderr ("libvfsfault: failing ...").  No cut happens in fault mode unless
 * VFSCUT_AFTER or SIGUSR2 asks for one.
 *
 * Not for the ASan build: libasan must be the first object loaded, and an
 * LD_PRELOAD ahead of it makes the sanitized vuorod refuse to start.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CUT_BLOCK   4096
#define VFSCUT_EXIT 86 /* the test knows a cut by this status */

/* What the "page cache" holds for one path. */
struct cut_path {
	char *name;
	GHashTable *blocks; /* block index (gint64 *) → CUT_BLOCK bytes */
	sqlite3_int64 size; /* the size the process sees */
	sqlite3_int64 low;  /* bytes at or past this were truncated away since the last sync */
	bool unsynced_wal;  /* VFSCUT_UNSYNCED_WAL and this is the WAL */
	GPtrArray *open;    /* struct cut_file *: the handles open on it */
};

struct cut_file {
	sqlite3_file base;
	struct cut_path *path; /* NULL: a file we pass through (temp files, other databases) */
	sqlite3_file *real;    /* follows this struct in the same allocation */
	bool writable;         /* opened read-write: a cut may write back through it */
};

static sqlite3_vfs *real_vfs;
static pthread_mutex_t cut_lock = PTHREAD_MUTEX_INITIALIZER;
static GPtrArray *cut_paths; /* struct cut_path *, under cut_lock */
static char *cut_db;         /* VFSCUT_DB */
static char *cut_shm;        /* VFSCUT_DB-shm */
static long cut_after;       /* 0: only SIGUSR2 cuts */
static long cut_ops;
static double cut_keep;
static unsigned cut_seed;
static bool cut_unsynced_wal;
static unsigned cut_keep_count; /* blocks a cut let through */

/* Fault mode: which calls fail, under cut_lock. */
enum fault_kind {
	FAULT_NONE,
	FAULT_WRITE,
	FAULT_SYNC,
	FAULT_OPEN
};
static enum fault_kind fault_kind;
static long fault_at;    /* the first failing call of fault_kind, counted from 1 */
static long fault_count; /* failures before it clears; 0: until VFSFAULT_FILE goes */
static int fault_errno;  /* EIO or ENOSPC */
static char *fault_file; /* NULL: armed from the start */
static long fault_calls; /* calls of fault_kind counted so far */
static long fault_failed;

static void cut_now(void);

static bool cut_is_ours(const char *name)
{
	size_t n = strlen(cut_db);

	if (!name || strncmp(name, cut_db, n) != 0)
		return false;
	return name[n] == 0 || strcmp(name + n, "-wal") == 0 || strcmp(name + n, "-journal") == 0;
}

/* Call with cut_lock held. */
static struct cut_path *cut_path_find(const char *name)
{
	for (guint i = 0; i < cut_paths->len; i++) {
		struct cut_path *p = g_ptr_array_index(cut_paths, i);
		if (strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

static void cut_path_drop(struct cut_path *p)
{
	g_ptr_array_remove(cut_paths, p);
	g_hash_table_destroy(p->blocks);
	for (guint i = 0; i < p->open->len; i++)
		((struct cut_file *)g_ptr_array_index(p->open, i))->path = NULL;
	g_ptr_array_free(p->open, TRUE);
	g_free(p->name);
	g_free(p);
}

/* One more write, truncate or sync of our files: the cut may be due. */
static void cut_tick(void)
{
	if (cut_after > 0 && ++cut_ops >= cut_after)
		cut_now();
}

/* Whether this call of @kind on our files fails: call with cut_lock held.
 * Sets errno to the fault's when it does. */
static bool fault_due(enum fault_kind kind, const char *what)
{
	char line[160];
	int n;

	if (kind != fault_kind || (fault_file && access(fault_file, F_OK) != 0))
		return false;
	if (++fault_calls < fault_at || (fault_count > 0 && fault_failed >= fault_count))
		return false;
	fault_failed++;
	n = snprintf(line, sizeof line, "libvfsfault: failing %s #%ld (%s), failure %ld\n", what,
		     fault_calls, fault_errno == ENOSPC ? "ENOSPC" : "EIO", fault_failed);
	if (n > 0)
		(void)!write(2, line, (size_t)n);
	errno = fault_errno;
	return true;
}

/* The block @idx as the process sees it, made if absent: the real file's
 * bytes below @p->low, zeros past it. */
static guint8 *cut_block(struct cut_file *f, sqlite3_int64 idx)
{
	struct cut_path *p = f->path;
	guint8 *b = g_hash_table_lookup(p->blocks, &idx);
	sqlite3_int64 start = idx * CUT_BLOCK;

	if (b)
		return b;
	b = g_malloc0(CUT_BLOCK);
	if (start < p->low) {
		int n = (int)MIN((sqlite3_int64)CUT_BLOCK, p->low - start);
		/* a short read zero-fills: the file ends inside the block */
		f->real->pMethods->xRead(f->real, b, n, start);
		if (n < CUT_BLOCK)
			memset(b + n, 0, CUT_BLOCK - n);
	}
	g_hash_table_insert(p->blocks, g_memdup2(&idx, sizeof idx), b);
	return b;
}

/* Applies the held blocks to the real file; @keep < 1 writes each with that
 * probability (a cut) and skips the truncation. */
static int cut_apply(struct cut_file *f, double keep)
{
	struct cut_path *p = f->path;
	GHashTableIter it;
	gpointer k, v;
	sqlite3_int64 real_size = 0;
	int rc;

	if (keep >= 1) {
		rc = f->real->pMethods->xFileSize(f->real, &real_size);
		if (rc == SQLITE_OK && real_size > p->low)
			rc = f->real->pMethods->xTruncate(f->real, p->low);
		if (rc != SQLITE_OK)
			return rc;
	}
	g_hash_table_iter_init(&it, p->blocks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		sqlite3_int64 start = *(gint64 *)k * CUT_BLOCK;
		int n = (int)MIN((sqlite3_int64)CUT_BLOCK, p->size - start);

		if (n <= 0)
			continue;
		if (keep < 1 && (double)rand_r(&cut_seed) / RAND_MAX >= keep)
			continue;
		cut_keep_count++;
		rc = f->real->pMethods->xWrite(f->real, v, n, start);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (keep < 1)
		return SQLITE_OK;
	rc = f->real->pMethods->xFileSize(f->real, &real_size);
	if (rc == SQLITE_OK && real_size != p->size)
		rc = f->real->pMethods->xTruncate(f->real, p->size);
	if (rc != SQLITE_OK)
		return rc;
	g_hash_table_remove_all(p->blocks);
	p->low = p->size;
	return SQLITE_OK;
}

/* The power goes, at the cut_after-th operation: called with cut_lock held.
 * (SIGUSR2 cuts in cut_signal, which may not take the lock.) */
static void cut_now(void)
{
	unsigned held = 0, kept = 0;
	char line[160];
	int n;

	/* Some dirty blocks were written back before the power went: any
	 * subset, through an open handle of the path (a path with held blocks
	 * and no handle open keeps none: a simplification). */
	for (guint i = 0; i < cut_paths->len; i++) {
		struct cut_path *p = g_ptr_array_index(cut_paths, i);
		unsigned before = g_hash_table_size(p->blocks);

		held += before;
		for (guint j = 0; cut_keep > 0 && !p->unsynced_wal && j < p->open->len; j++) {
			struct cut_file *f = g_ptr_array_index(p->open, j);
			if (!f->writable)
				continue;
			cut_keep_count = 0;
			cut_apply(f, cut_keep);
			kept += cut_keep_count;
			break;
		}
	}
	/* the test counts the cuts that dropped something */
	n = snprintf(
	    line, sizeof line,
	    "libvfscut: cut after %ld writes and syncs: %u blocks unsynced, %u reached the disk\n",
	    cut_ops, held, kept);
	if (n > 0)
		(void)!write(2, line, (size_t)n);
	unlink(cut_shm);
	_exit(VFSCUT_EXIT);
}

static void cut_signal(int sig)
{
	static const char line[] = "libvfscut: cut by SIGUSR2\n";

	(void)sig;
	(void)!write(2, line, sizeof line - 1);
	unlink(cut_shm);
	_exit(VFSCUT_EXIT);
}

/* ---- the file methods ---- */

#define REAL(f) (((struct cut_file *)(f))->real)

static int cut_close(sqlite3_file *file)
{
	struct cut_file *f = (struct cut_file *)file;

	/* The held blocks stay with the path: closing is no fsync. */
	pthread_mutex_lock(&cut_lock);
	if (f->path)
		g_ptr_array_remove(f->path->open, f);
	f->path = NULL;
	pthread_mutex_unlock(&cut_lock);
	return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}

static int cut_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct cut_file *f = (struct cut_file *)file;
	struct cut_path *p = f->path;
	int rc;

	if (!p)
		return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
	pthread_mutex_lock(&cut_lock);
	memset(buf, 0, amt);
	if (off < p->low) {
		int n = (int)MIN((sqlite3_int64)amt, p->low - off);
		rc = REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
		if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
			pthread_mutex_unlock(&cut_lock);
			return rc;
		}
	}
	for (sqlite3_int64 idx = off / CUT_BLOCK; idx * CUT_BLOCK < off + amt; idx++) {
		guint8 *b = g_hash_table_lookup(p->blocks, &idx);
		sqlite3_int64 from = MAX(off, idx * CUT_BLOCK);
		sqlite3_int64 to = MIN(off + amt, (idx + 1) * CUT_BLOCK);

		if (b)
			memcpy((guint8 *)buf + (from - off), b + (from - idx * CUT_BLOCK),
			       to - from);
	}
	rc = SQLITE_OK;
	if (off + amt > p->size) {
		sqlite3_int64 from = MAX(off, p->size);
		memset((guint8 *)buf + (from - off), 0, off + amt - from);
		rc = SQLITE_IOERR_SHORT_READ;
	}
	pthread_mutex_unlock(&cut_lock);
	return rc;
}

static int cut_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	struct cut_file *f = (struct cut_file *)file;
	struct cut_path *p = f->path;

	if (!p)
		return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
	pthread_mutex_lock(&cut_lock);
	if (fault_due(FAULT_WRITE, "xWrite")) {
		pthread_mutex_unlock(&cut_lock);
		return fault_errno == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
	}
	cut_tick();
	/* Growing past the end: the gap reads as zeros, since low <= size and
	 * bytes at or past low come only from held blocks. */
	for (sqlite3_int64 idx = off / CUT_BLOCK; idx * CUT_BLOCK < off + amt; idx++) {
		guint8 *b = cut_block(f, idx);
		sqlite3_int64 from = MAX(off, idx * CUT_BLOCK);
		sqlite3_int64 to = MIN(off + amt, (idx + 1) * CUT_BLOCK);

		memcpy(b + (from - idx * CUT_BLOCK), (const guint8 *)buf + (from - off), to - from);
	}
	if (off + amt > p->size)
		p->size = off + amt;
	pthread_mutex_unlock(&cut_lock);
	return SQLITE_OK;
}

static gboolean cut_block_past(gpointer k, gpointer v, gpointer size)
{
	return *(gint64 *)k * CUT_BLOCK >= *(sqlite3_int64 *)size;
}

static int cut_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct cut_file *f = (struct cut_file *)file;
	struct cut_path *p = f->path;

	if (!p)
		return REAL(f)->pMethods->xTruncate(REAL(f), size);
	pthread_mutex_lock(&cut_lock);
	if (fault_due(FAULT_WRITE, "xTruncate")) {
		pthread_mutex_unlock(&cut_lock);
		return SQLITE_IOERR_TRUNCATE;
	}
	cut_tick();
	g_hash_table_foreach_remove(p->blocks, cut_block_past, &size);
	if (size % CUT_BLOCK) {
		gint64 idx = size / CUT_BLOCK;
		guint8 *b = g_hash_table_lookup(p->blocks, &idx);
		if (b)
			memset(b + size % CUT_BLOCK, 0, CUT_BLOCK - size % CUT_BLOCK);
	}
	if (size < p->low)
		p->low = size;
	p->size = size;
	pthread_mutex_unlock(&cut_lock);
	return SQLITE_OK;
}

static int cut_sync(sqlite3_file *file, int flags)
{
	struct cut_file *f = (struct cut_file *)file;
	struct cut_path *p = f->path;
	int rc;

	if (!p)
		return REAL(f)->pMethods->xSync(REAL(f), flags);
	pthread_mutex_lock(&cut_lock);
	if (fault_due(FAULT_SYNC, "xSync")) {
		pthread_mutex_unlock(&cut_lock);
		return SQLITE_IOERR_FSYNC;
	}
	cut_tick();
	if (p->unsynced_wal) {
		pthread_mutex_unlock(&cut_lock);
		return SQLITE_OK;
	}
	rc = cut_apply(f, 1);
	pthread_mutex_unlock(&cut_lock);
	if (rc != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int cut_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct cut_file *f = (struct cut_file *)file;

	if (!f->path)
		return REAL(f)->pMethods->xFileSize(REAL(f), size);
	pthread_mutex_lock(&cut_lock);
	*size = f->path->size;
	pthread_mutex_unlock(&cut_lock);
	return SQLITE_OK;
}

static int cut_lock_file(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int cut_unlock_file(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int cut_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int cut_file_control(sqlite3_file *file, int op, void *arg)
{
	struct cut_file *f = (struct cut_file *)file;

	/* A size hint grows the real file behind the held size: ignore it
	 * for our files (it only saves fragmentation). */
	if (f->path && op == SQLITE_FCNTL_SIZE_HINT)
		return SQLITE_OK;
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int cut_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int cut_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int cut_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int cut_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void cut_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int cut_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int cut_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
	struct cut_file *f = (struct cut_file *)file;

	if (f->path) {
		*pp = NULL; /* read it through xRead */
		return SQLITE_OK;
	}
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}

static int cut_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	struct cut_file *f = (struct cut_file *)file;

	if (f->path)
		return SQLITE_OK;
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods cut_io = {
    .iVersion = 3,
    .xClose = cut_close,
    .xRead = cut_read,
    .xWrite = cut_write,
    .xTruncate = cut_truncate,
    .xSync = cut_sync,
    .xFileSize = cut_file_size,
    .xLock = cut_lock_file,
    .xUnlock = cut_unlock_file,
    .xCheckReservedLock = cut_check_reserved,
    .xFileControl = cut_file_control,
    .xSectorSize = cut_sector_size,
    .xDeviceCharacteristics = cut_device_characteristics,
    .xShmMap = cut_shm_map,
    .xShmLock = cut_shm_lock,
    .xShmBarrier = cut_shm_barrier,
    .xShmUnmap = cut_shm_unmap,
    .xFetch = cut_fetch,
    .xUnfetch = cut_unfetch,
};

/* ---- the VFS ---- */

static int cut_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
		    int *out_flags)
{
	struct cut_file *f = (struct cut_file *)file;
	int got_flags = 0;
	int rc;

	f->real = (sqlite3_file *)(f + 1);
	f->path = NULL;
	f->base.pMethods = NULL; /* a failed open: SQLite calls no xClose */
	if (cut_is_ours(name)) {
		bool fail;

		pthread_mutex_lock(&cut_lock);
		fail = fault_due(FAULT_OPEN, "xOpen");
		pthread_mutex_unlock(&cut_lock);
		if (fail)
			return SQLITE_CANTOPEN;
	}
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, &got_flags);
	if (out_flags)
		*out_flags = got_flags;
	f->writable = (got_flags & SQLITE_OPEN_READWRITE) != 0;
	/* xClose is called even when xOpen fails, if pMethods is set */
	f->base.pMethods = &cut_io;
	if (rc != SQLITE_OK || !cut_is_ours(name))
		return rc;
	pthread_mutex_lock(&cut_lock);
	f->path = cut_path_find(name);
	if (!f->path) {
		struct cut_path *p = g_new0(struct cut_path, 1);
		p->name = g_strdup(name);
		p->blocks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
		rc = f->real->pMethods->xFileSize(f->real, &p->size);
		p->low = p->size;
		p->unsynced_wal = cut_unsynced_wal && g_str_has_suffix(name, "-wal");
		p->open = g_ptr_array_new();
		g_ptr_array_add(cut_paths, p);
		f->path = p;
	}
	g_ptr_array_add(f->path->open, f);
	pthread_mutex_unlock(&cut_lock);
	return rc;
}

static int cut_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	if (cut_is_ours(name)) {
		pthread_mutex_lock(&cut_lock);
		struct cut_path *p = cut_path_find(name);
		if (p)
			cut_path_drop(p);
		pthread_mutex_unlock(&cut_lock);
	}
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int cut_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int cut_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *cut_dl_open(sqlite3_vfs *vfs, const char *name)
{
	return real_vfs->xDlOpen(real_vfs, name);
}

static void cut_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
	real_vfs->xDlError(real_vfs, n, msg);
}

static void (*cut_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void cut_dl_close(sqlite3_vfs *vfs, void *h)
{
	real_vfs->xDlClose(real_vfs, h);
}

static int cut_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int cut_sleep(sqlite3_vfs *vfs, int us)
{
	return real_vfs->xSleep(real_vfs, us);
}

static int cut_current_time(sqlite3_vfs *vfs, double *out)
{
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int cut_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int cut_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs cut_vfs = {
    .iVersion = 2,
    .zName = "vfscut",
    .xOpen = cut_open,
    .xDelete = cut_delete,
    .xAccess = cut_access,
    .xFullPathname = cut_full_pathname,
    .xDlOpen = cut_dl_open,
    .xDlError = cut_dl_error,
    .xDlSym = cut_dl_sym,
    .xDlClose = cut_dl_close,
    .xRandomness = cut_randomness,
    .xSleep = cut_sleep,
    .xCurrentTime = cut_current_time,
    .xGetLastError = cut_get_last_error,
    .xCurrentTimeInt64 = cut_current_time_int64,
};

static void cut_fatal(const char *what)
{
	fprintf(stderr, "libvfscut: %s\n", what);
	_exit(2);
}

__attribute__((constructor)) static void cut_init(void)
{
	const char *db = getenv("VFSCUT_DB");
	const char *v;
	struct sigaction sa = {.sa_handler = cut_signal};

	if (!db || !*db)
		return; /* loaded but not asked for: change nothing */
	if (db[0] != '/')
		cut_fatal("VFSCUT_DB must be an absolute path (SQLite opens full path names)");
	cut_db = g_strdup(db);
	cut_shm = g_strconcat(db, "-shm", NULL);
	v = getenv("VFSCUT_AFTER");
	cut_after = v ? strtol(v, NULL, 10) : 0;
	v = getenv("VFSCUT_KEEP");
	cut_keep = v ? g_ascii_strtod(v, NULL) : 0;
	v = getenv("VFSCUT_SEED");
	cut_seed = v ? (unsigned)strtoul(v, NULL, 10) : 1;
	v = getenv("VFSCUT_UNSYNCED_WAL");
	cut_unsynced_wal = v && strcmp(v, "1") == 0;
	v = getenv("VFSFAULT_KIND");
	if (v && *v) {
		const char *e = getenv("VFSFAULT_ERRNO");

		if (strcmp(v, "write") == 0)
			fault_kind = FAULT_WRITE;
		else if (strcmp(v, "sync") == 0)
			fault_kind = FAULT_SYNC;
		else if (strcmp(v, "open") == 0)
			fault_kind = FAULT_OPEN;
		else
			cut_fatal("VFSFAULT_KIND must be write, sync or open");
		if (!e || !*e || strcmp(e, "EIO") == 0)
			fault_errno = EIO;
		else if (strcmp(e, "ENOSPC") == 0)
			fault_errno = ENOSPC;
		else
			cut_fatal("VFSFAULT_ERRNO must be EIO or ENOSPC");
		v = getenv("VFSFAULT_AT");
		fault_at = v ? strtol(v, NULL, 10) : 1;
		if (fault_at < 1)
			cut_fatal("VFSFAULT_AT must be 1 or more");
		v = getenv("VFSFAULT_COUNT");
		fault_count = v ? strtol(v, NULL, 10) : 1;
		v = getenv("VFSFAULT_FILE");
		fault_file = v && *v ? g_strdup(v) : NULL;
	}
	cut_paths = g_ptr_array_new();
	real_vfs = sqlite3_vfs_find("unix");
	if (!real_vfs)
		cut_fatal("SQLite has no \"unix\" VFS to wrap");
	cut_vfs.szOsFile = (int)sizeof(struct cut_file) + real_vfs->szOsFile;
	cut_vfs.mxPathname = real_vfs->mxPathname;
	if (sqlite3_vfs_register(&cut_vfs, 1) != SQLITE_OK)
		cut_fatal("cannot register the VFS");
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		cut_fatal("cannot catch SIGUSR2");
}
