/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * identity: certificates and CRLs as the ID-card check reads them
 * (identity_check_certs: the check without the card's signature).
 *
 * The input is chunks of a 2-byte big-endian length and that many bytes:
 * each a certificate in DER as a card holds it; what follows the last
 * chunk is the CRL file's content (PEM, several, or one DER).  The trust
 * anchor is the test PKI's root (tests/fuzz/identity/ca.pem, made by
 * tests/identity/make-pki.sh, as are the seeds); the CRL and the site
 * secret are files in the harness's temporary directory.
 */
#include <glib/gstdio.h>

#include "fuzz.h"
#include "identity.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CERTS 8

static struct identity *id;
static char *dir, *crl_path, *secret_path;

static void cleanup(void)
{
	g_unlink(crl_path);
	g_unlink(secret_path);
	g_rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char secret[32] = "fuzz-identity site secret 32 byt";
	GError *error = NULL;
	struct identity_options o = {
	    .trust_anchors = "tests/fuzz/identity/ca.pem",
	    .crl_max_age_hours = 24 * 7,
	    .required_eku = "clientAuth",
	    .slot = -1,
	};

	fuzz_quiet();
	if (!(dir = g_dir_make_tmp("vuoro-fuzz-identity-XXXXXX", &error))) {
		fprintf(stderr, "fuzz-identity: %s\n", error->message);
		exit(2);
	}
	crl_path = g_build_filename(dir, "crl", NULL);
	secret_path = g_build_filename(dir, "site-secret", NULL);
	atexit(cleanup);
	if (!g_file_set_contents(secret_path, secret, sizeof(secret), &error)) {
		fprintf(stderr, "fuzz-identity: %s\n", error->message);
		exit(2);
	}
	o.crl = crl_path;
	o.site_secret = secret_path;
	id = identity_new(&o);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GBytes *ders[MAX_CERTS];
	size_t n = 0;
	struct identity_result *r = NULL;

	while (n < MAX_CERTS && size >= 2 && (size_t)(data[0] << 8 | data[1]) <= size - 2) {
		size_t len = (size_t)(data[0] << 8 | data[1]);

		ders[n++] = g_bytes_new(data + 2, len);
		data += 2 + len;
		size -= 2 + len;
	}
	if (!g_file_set_contents(crl_path, (const char *)data, (gssize)size, NULL))
		abort();
	if (identity_check_certs(id, ders, n, &r) < 0 || !r || !r->detail ||
	    (r->verdict == IDENTITY_VERIFIED) != (r->identity_code != NULL))
		abort(); /* every verdict says why; a verified one names the person */
	identity_result_free(r);
	while (n)
		g_bytes_unref(ders[--n]);
	return 0;
}
