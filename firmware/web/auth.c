/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * auth: roles, password hashes (libsodium Argon2id) and random tokens.
 * Nothing here keeps state but the throttle, whose clock the caller gives;
 * the store keeps users and token digests.
 */

#include "auth.h"

#include <errno.h>
#include <gio/gio.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>

static const struct {
	unsigned role;
	const char *name;
} auth_roles[] = {
    {AUTH_ROLE_ADVISOR, "advisor"},       {AUTH_ROLE_EXPERT, "expert"},
    {AUTH_ROLE_TECHNICIAN, "technician"}, {AUTH_ROLE_MANAGER, "manager"},
    {AUTH_ROLE_ADMIN, "admin"},           {AUTH_ROLE_RECEPTION, "reception"},
};

struct auth_pool {
	GThreadPool *threads;
	unsigned waiting_max;
};

struct auth_job {
	char *hash; /* verify: against this; NULL: hash the password */
	char *password;
	bool verify;
};

/* A hash of a password nobody has: checking against it costs the same as a
 * real check, so a missing user cannot be told from a wrong password. */
static const char auth_dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
				      "n1cHb0tTjvn6uQeaQbBw8Pw8wuX6rS0Q2l9dfB2cT0I";

static void auth_job_free(gpointer data)
{
	struct auth_job *j = data;

	if (j->password)
		sodium_memzero(j->password, strlen(j->password));
	g_free(j->password);
	g_free(j->hash);
	g_free(j);
}

static void auth_pool_run(gpointer data, gpointer pool_data)
{
	g_autoptr(GTask) task = data;
	struct auth_job *j = g_task_get_task_data(task);
	GError *error = NULL;
	char *hash = NULL;

	/* A check is 0.1 s of CPU: niced (Linux: this thread only), a flood of
	 * logins leaves the loop a core. */
	setpriority(PRIO_PROCESS, 0, AUTH_POOL_NICE);
	if (j->verify) {
		bool ok = auth_password_verify(j->hash ? j->hash : auth_dummy_hash, j->password);

		g_task_return_boolean(task, ok && j->hash);
	} else if (auth_password_hash(j->password, &hash, &error) < 0) {
		g_task_return_error(task, error);
	} else {
		g_task_return_pointer(task, hash, g_free);
	}
}

struct auth_pool *auth_pool_new(int threads, int waiting)
{
	struct auth_pool *p = g_new0(struct auth_pool, 1);

	/* Not exclusive: the threads come and go with the work. */
	p->threads =
	    g_thread_pool_new_full(auth_pool_run, p, g_object_unref, MAX(threads, 1), FALSE, NULL);
	p->waiting_max = (unsigned)MAX(waiting, 0);
	return p;
}

void auth_pool_free(struct auth_pool *p)
{
	if (!p)
		return;
	g_thread_pool_free(p->threads, TRUE, TRUE);
	g_free(p);
}

unsigned auth_pool_busy(struct auth_pool *p)
{
	return g_thread_pool_unprocessed(p->threads) + g_thread_pool_get_num_threads(p->threads);
}

static int auth_pool_push(struct auth_pool *p, struct auth_job *j, GAsyncReadyCallback done,
			  gpointer data)
{
	GTask *task;

	if (g_thread_pool_unprocessed(p->threads) >= p->waiting_max) {
		auth_job_free(j);
		return -EBUSY;
	}
	task = g_task_new(NULL, NULL, done, data);
	g_task_set_task_data(task, j, auth_job_free);
	g_thread_pool_push(p->threads, task, NULL); /* the pool owns the task */
	return 0;
}

int auth_pool_verify(struct auth_pool *p, const char *hash, const char *password,
		     GAsyncReadyCallback done, gpointer data)
{
	struct auth_job *j = g_new0(struct auth_job, 1);

	j->verify = true;
	j->hash = g_strdup(hash);
	j->password = g_strdup(password ? password : "");
	return auth_pool_push(p, j, done, data);
}

bool auth_pool_verify_finish(GAsyncResult *result)
{
	return g_task_propagate_boolean(G_TASK(result), NULL);
}

int auth_pool_hash(struct auth_pool *p, const char *password, GAsyncReadyCallback done,
		   gpointer data, GError **error)
{
	size_t len = password ? strlen(password) : 0;
	struct auth_job *j;

	if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "the password must be %d to %d characters long", AUTH_PASSWORD_MIN,
			    AUTH_PASSWORD_MAX);
		return -EINVAL;
	}
	j = g_new0(struct auth_job, 1);
	j->password = g_strdup(password);
	if (auth_pool_push(p, j, done, data) < 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY,
			    "too many passwords are being checked: try again in a moment");
		return -EBUSY;
	}
	return 0;
}

char *auth_pool_hash_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

int auth_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

unsigned auth_role_parse(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(auth_roles); i++)
		if (strcmp(name, auth_roles[i].name) == 0)
			return auth_roles[i].role;
	return 0;
}

const char *auth_role_name(unsigned role)
{
	if (role == AUTH_ROLE_KIOSK)
		return "kiosk";
	for (size_t i = 0; i < G_N_ELEMENTS(auth_roles); i++)
		if (role == auth_roles[i].role)
			return auth_roles[i].name;
	return "none";
}

int auth_password_hash(const char *password, char **ret_hash, GError **error)
{
	size_t len = password ? strlen(password) : 0;
	char hash[crypto_pwhash_STRBYTES];

	if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "the password must be %d to %d characters long", AUTH_PASSWORD_MIN,
			    AUTH_PASSWORD_MAX);
		return -EINVAL;
	}
	if (crypto_pwhash_str(hash, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "not enough memory to hash the password (64 MiB needed)");
		return -ENOMEM;
	}
	*ret_hash = g_strdup(hash);
	return 0;
}

bool auth_password_verify(const char *hash, const char *password)
{
	if (!hash || !password)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

char *auth_token_new(void)
{
	unsigned char raw[32];
	char hex[sizeof(raw) * 2 + 1];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	return g_strdup(hex);
}

char *auth_token_digest(const char *token)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
}

char *auth_csrf_token(const char *token)
{
	static const unsigned char key[crypto_generichash_KEYBYTES] =
	    "vuoro csrf token of a session";
	unsigned char out[16];
	char hex[2 * sizeof(out) + 1];

	crypto_generichash(out, sizeof(out), (const unsigned char *)token, strlen(token), key,
			   sizeof(key));
	return g_strdup(sodium_bin2hex(hex, sizeof(hex), out, sizeof(out)));
}

char *auth_ref_new(void)
{
	unsigned char raw[12];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return g_strdup(b64);
}

bool auth_token_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	/* The lengths of digests and tokens are public; their bytes are not. */
	return la == lb && sodium_memcmp(a, b, la) == 0;
}

char *auth_pair_code_new(void)
{
	char code[AUTH_PAIR_DIGITS + 1];

	for (int i = 0; i < AUTH_PAIR_DIGITS; i++)
		code[i] = (char)('0' + randombytes_uniform(10));
	code[AUTH_PAIR_DIGITS] = '\0';
	return g_strdup(code);
}

struct auth_throttle_entry {
	int failures;
	int64_t last_us;
	int64_t blocked_until_us;
};

struct auth_throttle {
	GHashTable *keys; /* key → struct auth_throttle_entry * */
};

struct auth_throttle *auth_throttle_new(void)
{
	struct auth_throttle *t = g_new0(struct auth_throttle, 1);

	t->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return t;
}

void auth_throttle_free(struct auth_throttle *t)
{
	if (!t)
		return;
	g_hash_table_unref(t->keys);
	g_free(t);
}

static bool auth_throttle_stale(const struct auth_throttle_entry *e, int64_t now_us)
{
	return now_us >= e->blocked_until_us &&
	       now_us - e->last_us > (int64_t)AUTH_THROTTLE_WINDOW_S * G_USEC_PER_SEC;
}

static gboolean auth_throttle_prune_one(gpointer key, gpointer value, gpointer data)
{
	return auth_throttle_stale(value, *(const int64_t *)data);
}

int auth_throttle_attempt(struct auth_throttle *t, const char *key, int64_t now_us,
			  int *ret_retry_s)
{
	struct auth_throttle_entry *e = g_hash_table_lookup(t->keys, key);

	if (e && auth_throttle_stale(e, now_us))
		e->failures = 0;
	if (!e) {
		if (g_hash_table_size(t->keys) >= AUTH_THROTTLE_KEYS)
			g_hash_table_foreach_remove(t->keys, auth_throttle_prune_one, &now_us);
		if (g_hash_table_size(t->keys) >= AUTH_THROTTLE_KEYS) {
			/* Guesses under more names than we keep: everyone waits. */
			*ret_retry_s = AUTH_THROTTLE_MAX_S;
			return -EAGAIN;
		}
		e = g_new0(struct auth_throttle_entry, 1);
		g_hash_table_insert(t->keys, g_strdup(key), e);
	}
	if (now_us < e->blocked_until_us) {
		int64_t wait_us = e->blocked_until_us - now_us;

		*ret_retry_s = (int)((wait_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
		return -EAGAIN;
	}
	e->failures++;
	e->last_us = now_us;
	if (e->failures >= AUTH_THROTTLE_FREE) {
		int n = MIN(e->failures - AUTH_THROTTLE_FREE, 6); /* 2^6 > the cap */
		int64_t delay_s = MIN((int64_t)1 << n, AUTH_THROTTLE_MAX_S);

		e->blocked_until_us = now_us + delay_s * G_USEC_PER_SEC;
	}
	return 0;
}

void auth_throttle_succeeded(struct auth_throttle *t, const char *key, bool forget)
{
	struct auth_throttle_entry *e = g_hash_table_lookup(t->keys, key);

	if (!e)
		return;
	if (forget || e->failures <= 1) {
		g_hash_table_remove(t->keys, key);
		return;
	}
	e->failures--;
	if (e->failures < AUTH_THROTTLE_FREE)
		e->blocked_until_us = 0;
}

int auth_throttle_failures(struct auth_throttle *t, const char *key)
{
	struct auth_throttle_entry *e = g_hash_table_lookup(t->keys, key);

	return e ? e->failures : 0;
}
