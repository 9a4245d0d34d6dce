/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * auth: roles, password hashes and login tokens.
 *
 * Passwords are kept only as libsodium crypto_pwhash_str hashes (Argon2id,
 * "interactive" limits: about 0.1 s and 64 MiB per check, so run checks off
 * the main loop).  A login token is 32 random bytes shown once to the client;
 * the store keeps only its SHA-256.
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>

enum auth_role {
	AUTH_ROLE_ADVISOR = 1 << 0,
	AUTH_ROLE_EXPERT = 1 << 1,
	AUTH_ROLE_TECHNICIAN = 1 << 2,
	AUTH_ROLE_MANAGER = 1 << 3,
	AUTH_ROLE_ADMIN = 1 << 4,
	AUTH_ROLE_KIOSK = 1 << 5, /* a dispenser: by address or device token, never a person */
	/* the front door's visitor register only (issue 17): no queue, no figures */
	AUTH_ROLE_RECEPTION = 1 << 6,
};

#define AUTH_STAFF                                                                                 \
	(AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_TECHNICIAN | AUTH_ROLE_MANAGER |         \
	 AUTH_ROLE_ADMIN)
/* Every person who logs in: staff and the reception. */
#define AUTH_PEOPLE       (AUTH_STAFF | AUTH_ROLE_RECEPTION)
#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 256

/* 0 once libsodium is ready; call before anything else here. */
int auth_init(void);

/* "advisor" → AUTH_ROLE_ADVISOR; 0 for anything else (kiosk is no user role). */
unsigned auth_role_parse(const char *name);
const char *auth_role_name(unsigned role);

/* -EINVAL (with @error saying the rule) for a password that is too short or
 * too long, -ENOMEM when the KDF could not get its memory. */
int auth_password_hash(const char *password, char **ret_hash, GError **error);
bool auth_password_verify(const char *hash, const char *password);

/* Argon2 off the loop and bounded: every hash and check of a password runs
 * on a pool of at most @threads threads (each check holds 64 MiB while it
 * runs), with at most @waiting more queued; beyond that a call fails with
 * -EBUSY at once, so a flood of logins costs neither memory nor the loop
 * (the threads run at nice AUTH_POOL_NICE).
 * @done runs on the main context of the caller, after the thread is done. */
struct auth_pool;
#define AUTH_POOL_THREADS 2
#define AUTH_POOL_WAITING 256
#define AUTH_POOL_NICE    5
struct auth_pool *auth_pool_new(int threads, int waiting);
/* Waits for the checks that run; drops the queued ones (their @done never
 * runs: free the pool only once nothing waits for an answer). */
void auth_pool_free(struct auth_pool *p);
typedef struct auth_pool AuthPool; /* for g_autoptr(AuthPool) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AuthPool, auth_pool_free)
/* Checks @password against @hash; a NULL @hash (a user that does not
 * exist) is checked against a hash nobody has, which costs the same. */
int auth_pool_verify(struct auth_pool *p, const char *hash, const char *password,
		     GAsyncReadyCallback done, gpointer data);
bool auth_pool_verify_finish(GAsyncResult *result);
/* Hashes @password; -EINVAL (and @error) at once for a bad length. */
int auth_pool_hash(struct auth_pool *p, const char *password, GAsyncReadyCallback done,
		   gpointer data, GError **error);
char *auth_pool_hash_finish(GAsyncResult *result, GError **error);
/* How many checks run or wait now. */
unsigned auth_pool_busy(struct auth_pool *p);

/* A new random token (64 hex digits) and the digest the store keeps. */
char *auth_token_new(void);
char *auth_token_digest(const char *token);
/* The CSRF token of a browser session: a keyed hash of its session token
 * (libsodium generichash), so it needs no storage and a page that cannot
 * read the HttpOnly cookie cannot make it. */
char *auth_csrf_token(const char *token);
/* A random follow reference for a ticket: 16 characters, URL-safe. */
char *auth_ref_new(void);

/* Equality of two tokens or digests in constant time (sodium_memcmp over the
 * longer length); false when either is NULL or the lengths differ. */
bool auth_token_equal(const char *a, const char *b);
/* A one-time pairing code for a device: AUTH_PAIR_DIGITS decimal digits. */
#define AUTH_PAIR_DIGITS 8
char *auth_pair_code_new(void);

/*
 * Throttling of secrets guessed online (logins, pairing codes).  An attempt
 * is counted for its key (an address, a user name) before the secret is
 * checked, so parallel guesses count too.  The first AUTH_THROTTLE_FREE
 * failures cost nothing; each one after doubles a delay (1 s, 2 s, 4 s …,
 * at most AUTH_THROTTLE_MAX_S) during which the key's attempts are refused;
 * nothing is locked for good.  A key forgets its failures after
 * AUTH_THROTTLE_WINDOW_S without any.  Pure: the caller gives the clock.
 */
#define AUTH_THROTTLE_FREE     5
#define AUTH_THROTTLE_MAX_S    60
#define AUTH_THROTTLE_WINDOW_S (15 * 60)
#define AUTH_THROTTLE_KEYS     10000

struct auth_throttle;
struct auth_throttle *auth_throttle_new(void);
void auth_throttle_free(struct auth_throttle *t);
/* Counts an attempt of @key at @now_us (microseconds, monotonic): 0 when it
 * may go on, -EAGAIN while a delay runs (*@ret_retry_s: seconds to wait). */
int auth_throttle_attempt(struct auth_throttle *t, const char *key, int64_t now_us,
			  int *ret_retry_s);
/* The attempt of @key was right: its own count is taken back (a success
 * takes back no other attempt), or with @forget the key starts afresh. */
void auth_throttle_succeeded(struct auth_throttle *t, const char *key, bool forget);
/* Failures counted for @key now (for tests and logs). */
int auth_throttle_failures(struct auth_throttle *t, const char *key);
