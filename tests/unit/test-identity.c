/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tests of firmware/identity.c against real peers: SoftHSM2 as the ID card
 * (one token per card, each in its own tokendir behind its own
 * SOFTHSM2_CONF) and a test PKI made by the openssl CLI
 * (tests/identity/make-pki.sh, run into a fresh temporary directory unless
 * $VUORO_IDENTITY_PKI names one it already filled).  The keyed hash is
 * checked against `openssl mac`, not against our own code.  Run from the
 * repository root.
 */
#define _GNU_SOURCE /* dlinfo */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <p11-kit/pkcs11.h>
#include <string.h>

#include "config.h"
#include "identity.h"

#define SOFTHSM     "/usr/lib/softhsm/libsofthsm2.so"
#define GOOD_PIN    "1234"
#define TEST_CODE   "010190-123A"
#define TEST_NAME   "Matti Meikäläinen"
#define ROOT_ISSUER "C = FI, O = Vuoro Test, CN = Vuoro Test Root CA"

struct pki {
	char *dir;
	bool own; /* made here, removed at the end */
	char *anchors, *crl, *crl_expired, *crl_old, *secret;
};

static char *pki_path(const struct pki *p, const char *name)
{
	return g_build_filename(p->dir, name, NULL);
}

/* What a site would configure for this PKI. */
static struct identity_options pki_options(const struct pki *p)
{
	return (struct identity_options){
	    .module = SOFTHSM,
	    .trust_anchors = p->anchors,
	    .crl = p->crl,
	    .crl_max_age_hours = 168,
	    .required_eku = "clientAuth",
	    .site_secret = p->secret,
	    .slot = -1,
	};
}

/* The card in the reader: SoftHSM reads SOFTHSM2_CONF at C_Initialize,
 * which a fresh struct identity calls at its first check. */
static void card_insert(const struct pki *p, const char *card)
{
	g_autofree char *conf = g_build_filename(p->dir, "cards", card, "softhsm2.conf", NULL);

	g_assert_true(g_file_test(conf, G_FILE_TEST_IS_REGULAR));
	g_setenv("SOFTHSM2_CONF", conf, TRUE);
}

static struct identity_result *check_with(struct identity *id, const char *pin)
{
	struct identity_result *r = NULL;

	g_assert_cmpint(identity_check(id, pin, &r), ==, 0);
	g_assert_nonnull(r);
	g_assert_nonnull(identity_verdict_name(r->verdict));
	g_assert_nonnull(r->detail);
	/* The identity code never goes into the text shown or logged. */
	g_assert_null(strstr(r->detail, TEST_CODE));
	g_test_message("%s: %s (%.1f ms)", identity_verdict_name(r->verdict), r->detail, r->ms);
	return r;
}

static struct identity_result *check_card(const struct pki *p, const char *card, const char *pin,
					  const struct identity_options *o)
{
	g_autoptr(Identity) id = NULL;

	card_insert(p, card);
	id = identity_new(o);
	return check_with(id, pin);
}

#define assert_verdict(r, v)                                                                       \
	g_assert_cmpstr(identity_verdict_name((r)->verdict), ==, identity_verdict_name(v))

/* Not verified: nothing personal comes back. */
static void assert_refused(const struct identity_result *r, enum identity_verdict v)
{
	assert_verdict(r, v);
	g_assert_null(r->name);
	g_assert_null(r->identity_code);
	g_assert_null(r->id_hmac);
}

/* HMAC-SHA256 of @code keyed with the bytes of @secret_path, by the
 * openssl CLI. */
static char *openssl_hmac(const struct pki *p, const char *secret_path, const char *code)
{
	g_autofree char *key = NULL;
	g_autofree char *macopt = NULL;
	g_autofree char *in = pki_path(p, "code.txt");
	g_autofree char *out = NULL;
	g_autoptr(GString) hex = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	gsize len;
	int status;

	g_assert_true(g_file_get_contents(secret_path, &key, &len, NULL));
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(hex, "%02x", (guchar)key[i]);
	macopt = g_strdup_printf("hexkey:%s", hex->str);
	g_assert_true(g_file_set_contents(in, code, -1, NULL));
	{
		const char *argv[] = {"openssl", "mac", "-digest", "SHA256", "-macopt",
				      macopt,    "-in", in,        "HMAC",   NULL};

		g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
					   NULL, &out, NULL, &status, &error));
	}
	g_assert_no_error(error);
	g_assert_cmpint(status, ==, 0);
	g_unlink(in);
	return g_ascii_strdown(g_strstrip(out), -1);
}

/* ---------------------------------------------------------------------- */

static const char minimal[] = "[site]\nname = X\nboard = sim\n"
			      "[provider:p]\nname-fi = P\nname-sv = P\nname-en = P\n"
			      "[service:s]\nprefix = S\nprovider = p\nname-fi = S\nname-sv = "
			      "S\nname-en = S\nhours = sat-sun 10:00-14:00\n"
			      "[counter:7]\nname = Seven\nprofile = s\n";

static void test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load_data(minimal, "min.conf", &error);
	g_autoptr(Config) set = NULL;
	g_autoptr(Config) bad = NULL;
	g_autofree char *text = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(cfg->identity_module, ==, "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so");
	g_assert_null(cfg->identity_trust_anchors);
	g_assert_null(cfg->identity_crl);
	g_assert_null(cfg->identity_site_secret);
	g_assert_cmpint(cfg->identity_crl_max_age_h, ==, 168);
	g_assert_cmpstr(cfg->identity_required_eku, ==, "clientAuth");
	g_assert_cmpint(cfg->identity_slot, ==, -1);
	g_assert_cmpint(cfg->identity_retention_days, ==, 90);

	text = g_strconcat(minimal,
			   "[identity]\nmodule = /m.so\ntrust-anchors = /a.pem\ncrl = /c.crl\n"
			   "crl-max-age-hours = 24\nrequired-eku = none\nsite-secret = /s\n"
			   "slot = 0\nretention-days = 30\n",
			   NULL);
	set = config_load_data(text, "id.conf", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(set->identity_module, ==, "/m.so");
	g_assert_cmpstr(set->identity_trust_anchors, ==, "/a.pem");
	g_assert_cmpstr(set->identity_crl, ==, "/c.crl");
	g_assert_cmpstr(set->identity_site_secret, ==, "/s");
	g_assert_cmpstr(set->identity_required_eku, ==, "none");
	g_assert_cmpint(set->identity_crl_max_age_h, ==, 24);
	g_assert_cmpint(set->identity_slot, ==, 0);
	g_assert_cmpint(set->identity_retention_days, ==, 30);
	g_clear_pointer(&text, g_free);

	text = g_strconcat(minimal, "[identity]\nslot = -2\n", NULL);
	bad = config_load_data(text, "id.conf", &error);
	g_assert_null(bad);
	g_assert_cmpstr(error->message, ==,
			"id.conf: [identity] slot: expected a whole number from -1 to 2147483647, "
			"got \"-2\"");
}

static void test_verdicts(void)
{
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

	for (int v = 0; v < IDENTITY_N_VERDICTS; v++) {
		const char *name = identity_verdict_name((enum identity_verdict)v);

		g_assert_nonnull(name);
		g_assert_false(g_hash_table_contains(names, name));
		g_hash_table_add(names, (gpointer)name);
		g_assert_cmpuint(strlen(identity_verdict_advice((enum identity_verdict)v)), >, 10);
		g_assert_true(g_str_has_prefix(identity_verdict_text_key((enum identity_verdict)v),
					       "identity."));
	}
	g_assert_cmpstr(identity_verdict_name(IDENTITY_WRONG_PIN), ==, "wrong_pin");
	g_assert_cmpstr(identity_verdict_name(IDENTITY_CARD_REMOVED), ==, "card_removed");
	g_assert_null(identity_verdict_name(IDENTITY_N_VERDICTS));
	g_assert_cmpstr(identity_verdict_text_key(IDENTITY_NO_CARD), ==, "identity.no_card");
	g_assert_cmpstr(identity_verdict_text_key(IDENTITY_N_VERDICTS), ==,
			identity_verdict_text_key(IDENTITY_ERROR));
}

/* The ec card also carries a signing certificate (nonRepudiation) and the
 * root CA's: the authentication one must be the one used. */
static void test_valid_ec(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(Identity) id = NULL;
	g_autoptr(IdentityResult) r = NULL;
	g_autofree char *expect = NULL;
	g_autofree char *again = NULL;

	card_insert(p, "ec");
	id = identity_new(&o);
	r = check_with(id, GOOD_PIN);
	assert_verdict(r, IDENTITY_VERIFIED);
	g_assert_cmpstr(r->name, ==, TEST_NAME);
	g_assert_cmpstr(r->identity_code, ==, TEST_CODE);
	g_assert_cmpstr(r->cert_issuer, ==, ROOT_ISSUER);
	g_assert_cmpstr(r->cert_serial, ==, "1000");
	g_assert_cmpstr(r->token_label, ==, "ec");
	g_assert_cmpstr(r->key_type, ==, "ec");
	g_assert_cmpstr(r->mechanism, ==, "CKM_ECDSA");
	g_assert_cmpint(r->pin_tries_left, ==, -1);
	g_assert_cmpfloat(r->ms, >, 0);
	g_assert_cmpfloat(r->total_ms, >=, r->ms);

	/* Stored: the keyed hash, never the code. */
	expect = openssl_hmac(p, p->secret, TEST_CODE);
	g_assert_cmpstr(r->id_hmac, ==, expect);
	g_assert_cmpuint(strlen(r->id_hmac), ==, 64);
	g_assert_null(strstr(r->id_hmac, "010190"));
	g_assert_null(strstr(r->detail, TEST_CODE));
	/* The same code typed by hand (spaces, lower case) hashes the same. */
	g_assert_cmpint(identity_code_hmac(id, " 010190-123a ", &again), ==, 0);
	g_assert_cmpstr(again, ==, r->id_hmac);
	g_assert_cmpint(identity_card_present(id), ==, 1);
}

static void test_valid_rsa(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) r = check_card(p, "rsa", GOOD_PIN, &o);

	assert_verdict(r, IDENTITY_VERIFIED);
	g_assert_cmpstr(r->key_type, ==, "rsa");
	g_assert_cmpstr(r->mechanism, ==, "CKM_SHA256_RSA_PKCS");
	g_assert_cmpstr(r->name, ==, TEST_NAME);
	g_assert_cmpstr(r->identity_code, ==, TEST_CODE);
}

/* A token without CKM_SHA256_RSA_PKCS: hash on the host, DigestInfo,
 * CKM_RSA_PKCS. */
static void test_valid_rsa_plain(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) r = check_card(p, "rsa-plain", GOOD_PIN, &o);

	assert_verdict(r, IDENTITY_VERIFIED);
	g_assert_cmpstr(r->key_type, ==, "rsa");
	g_assert_cmpstr(r->mechanism, ==, "CKM_RSA_PKCS");
}

static void test_wrong_pin(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(Identity) id = NULL;
	static const char *const wrong[] = {"4321", "12", "", NULL};

	card_insert(p, "ec");
	id = identity_new(&o);
	for (int i = 0; wrong[i]; i++) {
		g_autoptr(IdentityResult) r = check_with(id, wrong[i]);

		assert_refused(r, IDENTITY_WRONG_PIN);
		/* SoftHSM never locks, so it gives no count of tries left, but
		 * after a wrong PIN it does raise CKF_USER_PIN_COUNT_LOW (and
		 * clears it on a good login): passed on as the card says. */
		g_assert_cmpint(r->pin_tries_left, ==, -1);
		if (*wrong[i]) {
			g_assert_true(r->pin_count_low);
			g_assert_nonnull(strstr(r->detail, "few tries are left"));
		} else {
			g_assert_false(r->pin_count_low); /* not tried: no PIN */
			g_assert_nonnull(strstr(r->detail, "No PIN was entered"));
		}
		g_assert_cmpfloat(r->ms, ==, 0); /* no challenge went to the card */
		g_assert_cmpstr(r->cert_serial, ==, "1000");
	}
	/* The card and the module are still fine: the right PIN passes. */
	{
		g_autoptr(IdentityResult) r = check_with(id, GOOD_PIN);

		assert_verdict(r, IDENTITY_VERIFIED);
		g_assert_false(r->pin_count_low);
	}
}

static void test_expired(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) r = check_card(p, "expired", GOOD_PIN, &o);
	g_autoptr(IdentityResult) f = check_card(p, "future", GOOD_PIN, &o);

	assert_refused(r, IDENTITY_EXPIRED);
	g_assert_nonnull(strstr(r->detail, "expired on"));
	g_assert_nonnull(r->cert_serial);
	assert_refused(f, IDENTITY_NOT_YET_VALID);
}

static void test_revoked(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) r = check_card(p, "revoked", GOOD_PIN, &o);
	g_autoptr(IdentityResult) stale = NULL;
	g_autofree char *serial = NULL;
	g_autofree char *listed = NULL;

	assert_refused(r, IDENTITY_REVOKED);
	/* The serial the CRL lists (openssl says so) is the card's. */
	{
		g_autofree char *cert =
		    g_build_filename(p->dir, "cards", "revoked", "cert.pem", NULL);
		const char *argv[] = {"openssl", "x509", "-in", cert, "-noout", "-serial", NULL};
		const char *argv2[] = {"openssl", "crl", "-in", p->crl, "-noout", "-text", NULL};

		g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
					   NULL, &serial, NULL, NULL, NULL));
		g_assert_true(g_spawn_sync(NULL, (char **)argv2, NULL, G_SPAWN_SEARCH_PATH, NULL,
					   NULL, &listed, NULL, NULL, NULL));
	}
	g_strstrip(serial);
	g_assert_true(g_str_has_prefix(serial, "serial="));
	g_assert_cmpstr(serial + 7, ==, r->cert_serial);
	g_assert_nonnull(strstr(listed, r->cert_serial));

	/* An outdated CRL still says who is revoked. */
	o.crl = p->crl_expired;
	stale = check_card(p, "revoked", GOOD_PIN, &o);
	assert_refused(stale, IDENTITY_REVOKED);
}

static void test_crl_stale(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) expired = NULL;
	g_autoptr(IdentityResult) old = NULL;
	g_autoptr(IdentityResult) old_ok = NULL;
	g_autoptr(IdentityResult) any_age = NULL;

	o.crl = p->crl_expired; /* nextUpdate 10 days ago */
	expired = check_card(p, "ec", GOOD_PIN, &o);
	assert_refused(expired, IDENTITY_CRL_STALE);
	g_assert_nonnull(strstr(expired->detail, "out of date"));

	o.crl = p->crl_old; /* issued 10 days ago, nextUpdate still ahead */
	old = check_card(p, "ec", GOOD_PIN, &o);
	assert_refused(old, IDENTITY_CRL_STALE);
	g_assert_nonnull(strstr(old->detail, "more than 168 hours ago"));

	o.crl_max_age_hours = 24 * 30;
	old_ok = check_card(p, "ec", GOOD_PIN, &o);
	assert_verdict(old_ok, IDENTITY_VERIFIED);
	o.crl_max_age_hours = 0; /* only nextUpdate counts */
	any_age = check_card(p, "ec", GOOD_PIN, &o);
	assert_verdict(any_age, IDENTITY_VERIFIED);
}

static void test_crl_missing(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autofree char *nowhere = pki_path(p, "no-such.crl");
	g_autofree char *not_crl = pki_path(p, "root/ca.pem");
	g_autofree char *both = pki_path(p, "both-cas.pem");
	g_autofree char *root_pem = NULL;
	g_autofree char *rogue_pem = NULL;
	g_autofree char *joined = NULL;

	{
		g_autoptr(IdentityResult) r = NULL;

		o.crl = NULL;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_CRL_MISSING);
		g_assert_nonnull(strstr(r->detail, "[identity] crl"));
		g_assert_null(r->cert_serial); /* refused before the card was read */
	}
	{
		g_autoptr(IdentityResult) r = NULL;

		o.crl = nowhere;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_CRL_MISSING);
		g_assert_nonnull(strstr(r->detail, nowhere));
	}
	{
		g_autoptr(IdentityResult) r = NULL;

		o.crl = not_crl;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_CRL_MISSING);
		g_assert_nonnull(strstr(r->detail, "holds no CRL"));
	}
	/* Both CAs trusted, but the CRL file only has the root's list: the
	 * rogue CA's card cannot be checked for revocation. */
	g_assert_true(g_file_get_contents(p->anchors, &root_pem, NULL, NULL));
	{
		g_autofree char *rogue = pki_path(p, "rogue/ca.pem");

		g_assert_true(g_file_get_contents(rogue, &rogue_pem, NULL, NULL));
	}
	joined = g_strconcat(root_pem, rogue_pem, NULL);
	g_assert_true(g_file_set_contents(both, joined, -1, NULL));
	{
		g_autoptr(IdentityResult) r = NULL;

		o.crl = p->crl;
		o.trust_anchors = both;
		r = check_card(p, "wrongca", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_CRL_MISSING);
		g_assert_nonnull(strstr(r->detail, "Rogue Test CA"));
	}
}

static void test_wrong_ca(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) r = check_card(p, "wrongca", GOOD_PIN, &o);

	assert_refused(r, IDENTITY_UNTRUSTED);
	g_assert_nonnull(strstr(r->cert_issuer, "Rogue Test CA"));
	g_assert_nonnull(strstr(r->detail, "Rogue Test CA"));
}

static void test_wrong_usage(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	static const struct {
		const char *card, *eku;
		enum identity_verdict verdict;
	} cases[] = {
	    {"wrongeku", "clientAuth", IDENTITY_BAD_USAGE},
	    {"wrongeku", "none", IDENTITY_VERIFIED},
	    {"wrongeku", "emailProtection", IDENTITY_VERIFIED},
	    {"wrongku", "clientAuth", IDENTITY_BAD_USAGE},
	    {"wrongku", "none", IDENTITY_BAD_USAGE},        /* keyEncipherment cannot sign */
	    {"ec", "1.3.6.1.5.5.7.3.2", IDENTITY_VERIFIED}, /* clientAuth by OID */
	    {"ec", "emailProtection", IDENTITY_VERIFIED},
	    {"ec", "codeSigning", IDENTITY_BAD_USAGE},
	    {"ec", "no-such-usage", IDENTITY_ERROR},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(IdentityResult) r = NULL;

		o.required_eku = cases[i].eku;
		r = check_card(p, cases[i].card, GOOD_PIN, &o);
		g_test_message("case %u: %s with %s", i, cases[i].card, cases[i].eku);
		if (cases[i].verdict == IDENTITY_VERIFIED)
			assert_verdict(r, IDENTITY_VERIFIED);
		else
			assert_refused(r, cases[i].verdict);
		/* A site's mistake is found before the card is touched. */
		if (cases[i].verdict == IDENTITY_ERROR)
			g_assert_null(r->cert_serial);
	}
}

static void test_bad_signature(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(IdentityResult) r = check_card(p, "mismatch", GOOD_PIN, &o);

	assert_refused(r, IDENTITY_BAD_SIGNATURE);
	g_assert_cmpfloat(r->ms, >, 0); /* the card did sign, with the wrong key */
}

static void test_no_card(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);

	{
		g_autoptr(Identity) id = NULL;
		g_autoptr(IdentityResult) r = NULL;

		card_insert(p, "empty");
		id = identity_new(&o);
		g_assert_cmpint(identity_card_present(id), ==, 0);
		r = check_with(id, GOOD_PIN);
		assert_refused(r, IDENTITY_NO_CARD);
		g_assert_nonnull(strstr(r->detail, "No card is in the reader"));
	}
	{
		g_autoptr(IdentityResult) r = check_card(p, "nocert", GOOD_PIN, &o);

		assert_refused(r, IDENTITY_NO_CARD);
		g_assert_nonnull(strstr(r->detail, "no certificate"));
	}
	{
		g_autoptr(IdentityResult) r = NULL;

		o.slot = 4242;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_NO_CARD);
		g_assert_nonnull(strstr(r->detail, "slot 4242"));
	}
}

static void test_no_module(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autofree char *not_lib = pki_path(p, "root/ca.pem");
	/* A real shared library that is no PKCS#11 module: zlib (GIO's), where
	 * this program's loader found it, copied into the test's folder (any
	 * architecture: the arm64 build runs this under qemu-aarch64 -L, whose
	 * root access(2) does not see, README "arm64"). */
	void *zlib = dlopen("libz.so.1", RTLD_NOW);
	struct link_map *zlib_map = NULL;
	g_autofree char *not_p11 = pki_path(p, "libz-copy.so.1");
	g_autofree char *zlib_bytes = NULL;
	gsize zlib_len = 0;

	g_assert_nonnull(zlib);
	g_assert_cmpint(dlinfo(zlib, RTLD_DI_LINKMAP, &zlib_map), ==, 0);
	g_assert_true(g_file_get_contents(zlib_map->l_name, &zlib_bytes, &zlib_len, NULL));
	g_assert_true(g_file_set_contents(not_p11, zlib_bytes, (gssize)zlib_len, NULL));
	dlclose(zlib);

	{
		g_autoptr(Identity) id = NULL;
		g_autoptr(IdentityResult) r = NULL;

		o.module = "/nonexistent/opensc-pkcs11.so";
		id = identity_new(&o);
		r = check_with(id, GOOD_PIN);
		assert_refused(r, IDENTITY_NO_MODULE);
		g_assert_nonnull(strstr(r->detail, "/nonexistent/opensc-pkcs11.so"));
		g_assert_cmpint(identity_card_present(id), ==, -ENOENT);
	}
	{
		g_autoptr(IdentityResult) r = NULL;

		o.module = not_lib;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_NO_MODULE);
		g_assert_nonnull(strstr(r->detail, "does not load"));
	}
	{
		g_autoptr(IdentityResult) r = NULL;

		o.module = not_p11;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_NO_MODULE);
		g_assert_nonnull(strstr(r->detail, "not a PKCS#11 module"));
	}
	g_unlink(not_p11);
}

static void test_site_files(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autofree char *root_dir = pki_path(p, "root");
	g_autofree char *short_secret = pki_path(p, "short-secret");
	g_autofree char *nowhere = pki_path(p, "no-such-secret");

	{
		g_autoptr(IdentityResult) r = NULL;

		o.trust_anchors = NULL;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_ERROR);
		g_assert_nonnull(strstr(r->detail, "[identity] trust-anchors"));
	}
	{
		/* A directory of CA files does as well as one file. */
		g_autoptr(IdentityResult) r = NULL;

		o.trust_anchors = root_dir;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_verdict(r, IDENTITY_VERIFIED);
	}
	o.trust_anchors = p->anchors;
	{
		g_autoptr(IdentityResult) r = NULL;

		o.site_secret = nowhere;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_ERROR);
		g_assert_nonnull(strstr(r->detail, "site secret"));
		g_assert_null(r->cert_serial);
	}
	{
		g_autoptr(IdentityResult) r = NULL;

		g_assert_true(g_file_set_contents(short_secret, "0123456789", -1, NULL));
		o.site_secret = short_secret;
		r = check_card(p, "ec", GOOD_PIN, &o);
		assert_refused(r, IDENTITY_ERROR);
		g_assert_nonnull(strstr(r->detail, "too short"));
	}
}

/* Another secret, another hash: the hash is keyed by the site. */
static void test_hmac(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autofree char *other = pki_path(p, "other-secret");
	g_autofree char *a = NULL;
	g_autofree char *b = NULL;
	g_autofree char *expect = NULL;
	g_autoptr(Identity) id = identity_new(&o);
	g_autoptr(Identity) id2 = NULL;

	g_assert_true(g_file_set_contents(other, "another site's secret, 32 bytes!", -1, NULL));
	o.site_secret = other;
	id2 = identity_new(&o);
	g_assert_cmpint(identity_code_hmac(id, TEST_CODE, &a), ==, 0);
	g_assert_cmpint(identity_code_hmac(id2, TEST_CODE, &b), ==, 0);
	g_assert_cmpstr(a, !=, b);
	expect = openssl_hmac(p, other, TEST_CODE);
	g_assert_cmpstr(b, ==, expect);
}

/*
 * The card pulled out mid-check.  When a card leaves the reader, OpenSC
 * closes every session of its slot, and the next call on a session answers
 * CKR_SESSION_HANDLE_INVALID (or CKR_DEVICE_REMOVED / CKR_TOKEN_NOT_PRESENT).
 * SoftHSM has no reader, so the hook does the same thing through the
 * module's own API: C_CloseAllSessions on the slot, between two steps of
 * the check, from "outside" (the test's own dlopen of the same module).
 */
struct pull {
	enum identity_step at;
	unsigned pulled;
};

static void pull_card(enum identity_step step, unsigned long slot, void *data)
{
	struct pull *pull = data;
	void *dl;
	CK_C_GetFunctionList get_list;
	CK_FUNCTION_LIST_PTR f = NULL;

	if (step != pull->at)
		return;
	dl = dlopen(SOFTHSM, RTLD_NOW | RTLD_NOLOAD);
	g_assert_nonnull(dl);
	get_list = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	g_assert_nonnull(get_list);
	g_assert_cmpuint(get_list(&f), ==, CKR_OK);
	g_assert_cmpuint(f->C_CloseAllSessions(slot), ==, CKR_OK);
	dlclose(dl);
	pull->pulled++;
}

static void test_card_removed(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	static const enum identity_step steps[] = {IDENTITY_STEP_LOGGED_IN, IDENTITY_STEP_SIGNING};
	g_autoptr(Identity) id = NULL;

	card_insert(p, "ec");
	id = identity_new(&o);
	for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
		struct pull pull = {.at = steps[i]};
		g_autoptr(IdentityResult) r = NULL;
		g_autoptr(IdentityResult) again = NULL;

		identity_set_step_hook(id, pull_card, &pull);
		r = check_with(id, GOOD_PIN);
		g_assert_cmpuint(pull.pulled, ==, 1);
		assert_refused(r, IDENTITY_CARD_REMOVED);
		g_assert_nonnull(strstr(r->detail, "went away"));
		/* Card back in: the next check starts afresh and passes. */
		identity_set_step_hook(id, NULL, NULL);
		again = check_with(id, GOOD_PIN);
		assert_verdict(again, IDENTITY_VERIFIED);
	}
}

struct async_run {
	GMainLoop *loop;
	GThread *main_thread;
	struct identity_result *r;
	GError *error;
};

static void async_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct async_run *run = data;

	g_assert_true(g_thread_self() == run->main_thread);
	run->r = identity_check_finish(res, &run->error);
	g_main_loop_quit(run->loop);
}

static void test_async(gconstpointer data)
{
	const struct pki *p = data;
	struct identity_options o = pki_options(p);
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	struct async_run run = {.loop = loop, .main_thread = g_thread_self()};
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	struct identity *id;

	card_insert(p, "ec");
	id = identity_new(&o);
	identity_check_async(id, GOOD_PIN, NULL, async_done, &run);
	identity_free(id); /* the running check keeps its own reference */
	g_main_loop_run(loop);
	g_assert_no_error(run.error);
	g_assert_nonnull(run.r);
	assert_verdict(run.r, IDENTITY_VERIFIED);
	g_assert_cmpstr(run.r->identity_code, ==, TEST_CODE);
	g_clear_pointer(&run.r, identity_result_free);

	/* Cancelled before it started: no card is touched. */
	id = identity_new(&o);
	g_cancellable_cancel(cancel);
	identity_check_async(id, GOOD_PIN, cancel, async_done, &run);
	g_main_loop_run(loop);
	g_assert_null(run.r);
	g_assert_error(run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_error(&run.error);
	identity_free(id);
}

static int pki_make(struct pki *p)
{
	const char *env = g_getenv("VUORO_IDENTITY_PKI");
	g_autoptr(GError) error = NULL;
	g_autofree char *ca = NULL;
	int status = -1;

	if (env && *env) {
		p->dir = g_strdup(env);
		ca = pki_path(p, "root/ca.pem");
	} else {
		p->dir = g_dir_make_tmp("vuoro-identity-XXXXXX", &error);
		if (!p->dir) {
			g_printerr("test-identity: %s\n", error->message);
			return -EIO;
		}
		p->own = true;
	}
	if (!ca || !g_file_test(ca, G_FILE_TEST_EXISTS)) {
		const char *argv[] = {"tests/identity/make-pki.sh", p->dir, NULL};
		g_autofree char *err = NULL;

		if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
				  NULL, &err, &status, &error) ||
		    !g_spawn_check_wait_status(status, NULL)) {
			g_printerr("test-identity: make-pki.sh failed: %s%s\n",
				   error ? error->message : "", err ? err : "");
			return -EIO;
		}
	}
	p->anchors = pki_path(p, "root/ca.pem");
	p->crl = pki_path(p, "crl.pem");
	p->crl_expired = pki_path(p, "crl-expired.pem");
	p->crl_old = pki_path(p, "crl-old.pem");
	p->secret = pki_path(p, "site-secret");
	return 0;
}

static void pki_free(struct pki *p)
{
	if (p->own) {
		const char *argv[] = {"rm", "-rf", p->dir, NULL};

		g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			     NULL, NULL);
	}
	g_free(p->dir);
	g_free(p->anchors);
	g_free(p->crl);
	g_free(p->crl_expired);
	g_free(p->crl_old);
	g_free(p->secret);
}

int main(int argc, char **argv)
{
	struct pki pki = {0};
	int rc;

	g_test_init(&argc, &argv, NULL);
	if (pki_make(&pki) < 0) {
		pki_free(&pki);
		return 1;
	}
	g_test_add_func("/identity/config", test_config);
	g_test_add_func("/identity/verdicts", test_verdicts);
	g_test_add_data_func("/identity/valid-ec", &pki, test_valid_ec);
	g_test_add_data_func("/identity/valid-rsa", &pki, test_valid_rsa);
	g_test_add_data_func("/identity/valid-rsa-plain", &pki, test_valid_rsa_plain);
	g_test_add_data_func("/identity/wrong-pin", &pki, test_wrong_pin);
	g_test_add_data_func("/identity/expired", &pki, test_expired);
	g_test_add_data_func("/identity/revoked", &pki, test_revoked);
	g_test_add_data_func("/identity/crl-stale", &pki, test_crl_stale);
	g_test_add_data_func("/identity/crl-missing", &pki, test_crl_missing);
	g_test_add_data_func("/identity/wrong-ca", &pki, test_wrong_ca);
	g_test_add_data_func("/identity/wrong-usage", &pki, test_wrong_usage);
	g_test_add_data_func("/identity/bad-signature", &pki, test_bad_signature);
	g_test_add_data_func("/identity/no-card", &pki, test_no_card);
	g_test_add_data_func("/identity/no-module", &pki, test_no_module);
	g_test_add_data_func("/identity/site-files", &pki, test_site_files);
	g_test_add_data_func("/identity/hmac", &pki, test_hmac);
	g_test_add_data_func("/identity/card-removed", &pki, test_card_removed);
	g_test_add_data_func("/identity/async", &pki, test_async);
	rc = g_test_run();
	pki_free(&pki);
	return rc;
}
