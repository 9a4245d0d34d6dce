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

#include <glib.h>
#include <stdbool.h>

enum auth_role {
	AUTH_ROLE_ADVISOR = 1 << 0,
	AUTH_ROLE_EXPERT = 1 << 1,
	AUTH_ROLE_TECHNICIAN = 1 << 2,
	AUTH_ROLE_MANAGER = 1 << 3,
	AUTH_ROLE_ADMIN = 1 << 4,
	AUTH_ROLE_KIOSK = 1 << 5, /* a dispenser: by address or device token, never a person */
};

#define AUTH_STAFF                                                                                 \
	(AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_TECHNICIAN | AUTH_ROLE_MANAGER |         \
	 AUTH_ROLE_ADMIN)
#define AUTH_PASSWORD_MIN 8
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

/* A new random token (64 hex digits) and the digest the store keeps. */
char *auth_token_new(void);
char *auth_token_digest(const char *token);
/* The CSRF token of a browser session: a keyed hash of its session token
 * (libsodium generichash), so it needs no storage and a page that cannot
 * read the HttpOnly cookie cannot make it. */
char *auth_csrf_token(const char *token);
/* A random follow reference for a ticket: 16 characters, URL-safe. */
char *auth_ref_new(void);
