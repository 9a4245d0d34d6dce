/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * auth: roles, password hashes (libsodium Argon2id) and random tokens.
 * Nothing here keeps state; the store keeps users and token digests.
 */

#include "auth.h"

#include <errno.h>
#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

static const struct {
	unsigned role;
	const char *name;
} auth_roles[] = {
    {AUTH_ROLE_ADVISOR, "advisor"},       {AUTH_ROLE_EXPERT, "expert"},
    {AUTH_ROLE_TECHNICIAN, "technician"}, {AUTH_ROLE_MANAGER, "manager"},
    {AUTH_ROLE_ADMIN, "admin"},
};

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
