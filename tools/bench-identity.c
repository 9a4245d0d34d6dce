/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-identity: the ID-card check on SoftHSM2, as firmware/identity.c
 * runs it in the booth.
 *
 * Makes the test PKI and cards (tests/identity/make-pki.sh) in a scratch
 * directory (or uses --pki DIR when it is already filled), runs --rounds
 * checks on the valid EC card and on the valid RSA card with the module kept
 * loaded, and some with a fresh module each time, and prints medians:
 *   BENCH identity_check_ms=X ms        EC P-256: challenge → verdict
 *   BENCH identity_check_rsa_ms=X ms    RSA 2048: challenge → verdict
 *   BENCH identity_check_total_ms=X ms  EC: slot, certificate, login, sign, chain, CRL
 *   BENCH identity_check_cold_ms=X ms   EC: the same plus loading the module
 * Exit 1 when a check does not verify.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(GArray *v)
{
	qsort(v->data, v->len, sizeof(double), cmp_double);
	return g_array_index(v, double, v->len / 2);
}

struct bench {
	char *pki;
	struct identity_options opts;
	char *anchors, *crl, *secret;
};

static void card_insert(const struct bench *b, const char *card)
{
	g_autofree char *conf = g_build_filename(b->pki, "cards", card, "softhsm2.conf", NULL);

	g_setenv("SOFTHSM2_CONF", conf, TRUE);
}

/* @rounds checks of @card; @cold: a fresh module for each.  Collects the
 * challenge → verdict and the whole-check times. */
static int bench_card(const struct bench *b, const char *card, int rounds, bool cold, GArray *ms,
		      GArray *total)
{
	g_autoptr(Identity) id = NULL;

	card_insert(b, card);
	for (int i = -1; i < rounds; i++) { /* -1: a warm-up, not counted */
		g_autoptr(IdentityResult) r = NULL;

		if (!id || cold) {
			g_clear_pointer(&id, identity_free);
			id = identity_new(&b->opts);
		}
		identity_check(id, "1234", &r);
		if (r->verdict != IDENTITY_VERIFIED) {
			fprintf(stderr, "bench-identity: card %s: %s: %s\n", card,
				identity_verdict_name(r->verdict), r->detail);
			return -1;
		}
		if (i < 0)
			continue;
		if (ms)
			g_array_append_val(ms, r->ms);
		if (total)
			g_array_append_val(total, r->total_ms);
	}
	return 0;
}

static int pki_make(struct bench *b, const char *script)
{
	g_autofree char *ca = g_build_filename(b->pki, "root", "ca.pem", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *err = NULL;
	const char *argv[] = {script, b->pki, NULL};
	int status;

	if (g_file_test(ca, G_FILE_TEST_EXISTS))
		return 0;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
			  &err, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		fprintf(stderr, "bench-identity: %s failed: %s%s\n", script,
			error ? error->message : "", err ? err : "");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = 50;
	char *pki = NULL;
	char *script = NULL;
	gboolean own = FALSE;
	GOptionEntry entries[] = {
	    {"rounds", 'n', 0, G_OPTION_ARG_INT, &rounds,
	     "checks per card (default 50, at least 20)", "N"},
	    {"pki", 0, 0, G_OPTION_ARG_FILENAME, &pki,
	     "the PKI and cards (made there when empty; default a scratch directory)", "DIR"},
	    {"make-pki", 0, 0, G_OPTION_ARG_FILENAME, &script,
	     "the script that makes them (default tests/identity/make-pki.sh)", "FILE"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("");
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) ec = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) ec_total = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) rsa = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) cold = g_array_new(FALSE, FALSE, sizeof(double));
	struct bench b = {0};
	int rc = 1;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Prints BENCH identity_check_ms (challenge to verdict "
					  "on a SoftHSM2 card) and related medians.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "bench-identity: %s\n", error->message);
		return 2;
	}
	if (rounds < 20)
		rounds = 20;
	if (!pki) {
		pki = g_dir_make_tmp("vuoro-bench-identity-XXXXXX", &error);
		if (!pki) {
			fprintf(stderr, "bench-identity: %s\n", error->message);
			return 1;
		}
		own = TRUE;
	}
	b.pki = pki;
	if (pki_make(&b, script ? script : "tests/identity/make-pki.sh") < 0)
		goto out;
	b.anchors = g_build_filename(pki, "root", "ca.pem", NULL);
	b.crl = g_build_filename(pki, "crl.pem", NULL);
	b.secret = g_build_filename(pki, "site-secret", NULL);
	b.opts = (struct identity_options){
	    .module = SOFTHSM,
	    .trust_anchors = b.anchors,
	    .crl = b.crl,
	    .crl_max_age_hours = 168,
	    .required_eku = "clientAuth",
	    .site_secret = b.secret,
	    .slot = -1,
	};
	if (bench_card(&b, "ec", rounds, false, ec, ec_total) < 0 ||
	    bench_card(&b, "rsa", rounds, false, rsa, NULL) < 0 ||
	    bench_card(&b, "ec", rounds / 2, true, NULL, cold) < 0)
		goto out;
	printf("BENCH identity_check_ms=%.2f ms\n", median(ec));
	printf("BENCH identity_check_rsa_ms=%.2f ms\n", median(rsa));
	printf("BENCH identity_check_total_ms=%.2f ms\n", median(ec_total));
	printf("BENCH identity_check_cold_ms=%.2f ms\n", median(cold));
	rc = 0;
out:
	if (own) {
		const char *rm[] = {"rm", "-rf", pki, NULL};

		g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			     NULL, NULL);
	}
	g_free(b.anchors);
	g_free(b.crl);
	g_free(b.secret);
	g_free(pki);
	g_free(script);
	return rc;
}
