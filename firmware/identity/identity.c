/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * identity: the ID-card check (see identity.h for what it promises).
 *
 * PKCS#11 is reached through the module's own function list (dlopen +
 * C_GetFunctionList), the names from p11-kit's <p11-kit/pkcs11.h>; every
 * piece of cryptography is OpenSSL's (RAND, SHA-256, DigestInfo and ECDSA
 * DER encodings, signature and X.509 verification) or GLib's (HMAC).
 *
 * The steps, in the order of the issue's flow: site files (module, trust
 * anchors, CRL, site secret) → module → a slot with a card and its
 * authentication certificate → C_Login → the private key with the
 * certificate's CKA_ID → challenge, signature on the card, verification →
 * X509_verify_cert (chain, dates, CRL) → the CRL's own age → key usage and
 * EKU → the personal fields.  Each step either moves on or sets the verdict
 * and stops; the session is logged out and closed whatever happened.
 */

#include "identity.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#define CHALLENGE_BYTES 32
#define MAX_SIGNATURE   1024 /* RSA 8192 */
#define MAX_CARD_CERTS  32

struct identity {
	char *module;
	char *trust_anchors;
	char *crl;
	int crl_max_age_h;
	char *required_eku;
	char *site_secret;
	long slot;

	GMutex lock; /* one check at a time; guards everything below */
	void *dl;
	CK_FUNCTION_LIST_PTR p11;
	bool finalize; /* we initialised the module, so we finalize it */
	identity_step_hook hook;
	void *hook_data;
};

/* ---------------------------------------------------------------------- */
/* Verdicts, their advice for staff and their texts for the citizen */

static const struct {
	const char *name;
	const char *advice;
	const char *text; /* the citizen's words: a catalog key */
} verdicts[IDENTITY_N_VERDICTS] = {
    [IDENTITY_VERIFIED] = {"verified", "The customer is identified.", "identity.verified"},
    [IDENTITY_WRONG_PIN] = {"wrong_pin",
			    "Ask the customer to enter the card's PIN again (the PIN of "
			    "authentication, PIN1).",
			    "identity.wrong_pin"},
    [IDENTITY_PIN_LOCKED] = {"pin_locked",
			     "The customer must unblock the PIN with the PUK code (or at the "
			     "police); check identity from a document instead.",
			     "identity.pin_locked"},
    [IDENTITY_NO_CARD] = {"no_card",
			  "Ask the customer to push the ID card into the reader, chip first, "
			  "and try again.",
			  "identity.no_card"},
    [IDENTITY_CARD_REMOVED] = {"card_removed",
			       "Ask the customer to leave the card in the reader until the "
			       "check ends, and try again.",
			       "identity.card_removed"},
    [IDENTITY_EXPIRED] = {"expired",
			  "Do not accept the card: check identity from a document. The "
			  "customer needs a new card.",
			  "identity.expired"},
    [IDENTITY_NOT_YET_VALID] = {"not_yet_valid",
				"Check that the board's clock is right; otherwise check identity "
				"from a document.",
				"identity.not_yet_valid"},
    [IDENTITY_REVOKED] = {"revoked",
			  "Do not accept the card (it was reported lost, stolen or replaced): "
			  "check identity from a document.",
			  "identity.revoked"},
    [IDENTITY_UNTRUSTED] = {"untrusted",
			    "Check identity from a document. If this is a genuine ID card, a "
			    "technician must add its CA to [identity] trust-anchors.",
			    "identity.untrusted"},
    [IDENTITY_BAD_USAGE] = {"bad_usage",
			    "The certificate is not one for identification: check identity "
			    "from a document.",
			    "identity.bad_usage"},
    [IDENTITY_CRL_STALE] = {"crl_stale",
			    "A technician must update the revocation list ([identity] crl; "
			    "check its download). Meanwhile check identity from a document.",
			    "identity.unavailable"},
    [IDENTITY_CRL_MISSING] = {"crl_missing",
			      "A technician must set [identity] crl to the CA's revocation "
			      "list. Meanwhile check identity from a document.",
			      "identity.unavailable"},
    [IDENTITY_BAD_SIGNATURE] = {"bad_signature",
				"Do not accept the card: check identity from a document.",
				"identity.bad_signature"},
    [IDENTITY_NO_MODULE] = {"no_module",
			    "A technician must install the card reader software (opensc, "
			    "pcscd) or fix [identity] module.",
			    "identity.unavailable"},
    [IDENTITY_ERROR] = {"error",
			"Try again; if it keeps failing, check identity from a document and "
			"ask a technician to run vuoroctl diag identity.",
			"identity.unavailable"},
};

const char *identity_verdict_name(enum identity_verdict v)
{
	return (unsigned)v < IDENTITY_N_VERDICTS ? verdicts[v].name : NULL;
}

const char *identity_verdict_advice(enum identity_verdict v)
{
	return (unsigned)v < IDENTITY_N_VERDICTS ? verdicts[v].advice
						 : verdicts[IDENTITY_ERROR].advice;
}

const char *identity_verdict_text_key(enum identity_verdict v)
{
	if ((unsigned)v >= IDENTITY_N_VERDICTS)
		v = IDENTITY_ERROR;
	return verdicts[v].text;
}

/* ---------------------------------------------------------------------- */
/* One check in progress */

struct check {
	struct identity *id;
	struct identity_result *r;
	CK_FUNCTION_LIST_PTR p11;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE session;
	bool logged_in;
	bool p11_fault; /* the module or card misbehaved: reload the module after */
	CK_OBJECT_HANDLE key;
	bool rsa_combined; /* the token has CKM_SHA256_RSA_PKCS */

	X509 *cert;                /* the authentication certificate */
	GBytes *cert_id;           /* its CKA_ID */
	STACK_OF(X509) * others;   /* other certificates on the card: chain help */
	X509_STORE *store;         /* trust anchors + CRLs */
	STACK_OF(X509_CRL) * crls; /* the CRLs, for their age */
	guchar *secret;            /* the HMAC key */
	gsize secret_len;
	gint64 t_challenge;
};

/* Sets the verdict and its detail ("WHAT: ADVICE"); returns -1 so that a
 * step can end with `return verdict(…)`. */
G_GNUC_PRINTF(3, 4)
static int verdict(struct identity_result *r, enum identity_verdict v, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->verdict = v;
	g_free(r->detail);
	r->detail = g_strdup_printf("%s. %s", what, identity_verdict_advice(v));
	return -1;
}

/* What a card pulled out (or a reader unplugged) looks like from PKCS#11:
 * OpenSC drops the slot's sessions and answers with one of these. */
static bool p11_card_gone(CK_RV rv)
{
	switch (rv) {
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
	case CKR_SLOT_ID_INVALID:
	case CKR_DEVICE_ERROR:       /* an APDU cut short by the pull */
	case CKR_USER_NOT_LOGGED_IN: /* after C_Login: the card was reset */
		return true;
	default:
		return false;
	}
}

static int p11_fail(struct check *c, CK_RV rv, const char *doing)
{
	c->p11_fault = true;
	if (p11_card_gone(rv))
		return verdict(c->r, IDENTITY_CARD_REMOVED, "The card went away while %s (%s)",
			       doing, p11_kit_strerror(rv));
	return verdict(c->r, IDENTITY_ERROR, "The card reader failed while %s: %s (0x%lx)", doing,
		       p11_kit_strerror(rv), (unsigned long)rv);
}

static void step(struct check *c, enum identity_step s)
{
	if (c->id->hook)
		c->id->hook(s, (unsigned long)c->slot, c->id->hook_data);
}

/* A token's label: 32 bytes padded with blanks. */
static char *p11_label(const unsigned char *label, size_t n)
{
	char *s = g_strndup((const char *)label, n);

	return g_strchomp(s);
}

/* One attribute's value, NULL when the object has none. */
static GBytes *p11_attr(struct check *c, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type)
{
	CK_ATTRIBUTE a = {.type = type};
	guchar *value;

	if (c->p11->C_GetAttributeValue(c->session, obj, &a, 1) != CKR_OK ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return NULL;
	value = g_malloc(a.ulValueLen ? a.ulValueLen : 1);
	a.pValue = value;
	if (c->p11->C_GetAttributeValue(c->session, obj, &a, 1) != CKR_OK) {
		g_free(value);
		return NULL;
	}
	return g_bytes_new_take(value, a.ulValueLen);
}

/* Up to @max objects matching @tmpl; returns the count or -1 (verdict set). */
static int p11_find(struct check *c, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *ret,
		    CK_ULONG max, const char *doing)
{
	CK_ULONG count = 0;
	CK_RV rv = c->p11->C_FindObjectsInit(c->session, tmpl, n);

	if (rv != CKR_OK)
		return p11_fail(c, rv, doing);
	rv = c->p11->C_FindObjects(c->session, ret, max, &count);
	c->p11->C_FindObjectsFinal(c->session);
	if (rv != CKR_OK)
		return p11_fail(c, rv, doing);
	return (int)count;
}

/* ---------------------------------------------------------------------- */
/* OpenSSL helpers */

static char *bio_take(BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *s = g_strndup(data, n > 0 ? (gsize)n : 0);

	BIO_free(bio);
	return s;
}

static char *x509_time_str(const ASN1_TIME *t)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (!t || ASN1_TIME_print(bio, t) != 1) {
		BIO_free(bio);
		return g_strdup("?");
	}
	return bio_take(bio);
}

static char *x509_name_str(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());

	/* ONELINE, but UTF-8 as it is instead of \xC3\xA4 escapes. */
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	return bio_take(bio);
}

static char *x509_serial_str(const X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	char *s = g_strdup(hex ? hex : "?");

	OPENSSL_free(hex);
	BN_free(bn);
	return s;
}

/* The first @nid entry of a name, as UTF-8; NULL when absent. */
static char *x509_name_entry(const X509_NAME *name, int nid)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	char *s;
	int n;

	if (i < 0)
		return NULL;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0)
		return NULL;
	s = g_strndup((const char *)utf8, (gsize)n);
	OPENSSL_free(utf8);
	return s;
}

/* ---------------------------------------------------------------------- */
/* The site's files: looked at before the card is touched */

static bool has_cert_suffix(const char *name)
{
	return g_str_has_suffix(name, ".pem") || g_str_has_suffix(name, ".crt") ||
	       g_str_has_suffix(name, ".cer");
}

static int anchors_load(struct check *c)
{
	const char *path = c->id->trust_anchors;
	unsigned n = 0;

	if (!path)
		return verdict(c->r, IDENTITY_ERROR,
			       "No trust anchors are configured: set [identity] trust-anchors to "
			       "the PEM file (or directory) of the ID cards' CA certificates");
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
		const char *name;

		while (dir && (name = g_dir_read_name(dir))) {
			g_autofree char *file = g_build_filename(path, name, NULL);

			if (!has_cert_suffix(name) || !g_file_test(file, G_FILE_TEST_IS_REGULAR))
				continue;
			if (X509_STORE_load_file(c->store, file) != 1)
				return verdict(c->r, IDENTITY_ERROR,
					       "The trust anchor %s is not a PEM certificate",
					       file);
			n++;
		}
		if (!n)
			return verdict(c->r, IDENTITY_ERROR,
				       "The trust anchor directory %s holds no .pem, .crt or .cer "
				       "file",
				       path);
		return 0;
	}
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return verdict(c->r, IDENTITY_ERROR,
			       "The trust anchors file %s does not exist: put the ID cards' CA "
			       "certificates there or fix [identity] trust-anchors",
			       path);
	if (X509_STORE_load_file(c->store, path) != 1)
		return verdict(c->r, IDENTITY_ERROR,
			       "The trust anchors file %s holds no PEM "
			       "certificate",
			       path);
	return 0;
}

static int crl_load(struct check *c)
{
	const char *path = c->id->crl;
	STACK_OF(X509_INFO) * infos;
	BIO *bio;

	if (!path)
		return verdict(c->r, IDENTITY_CRL_MISSING, "No CRL is configured ([identity] crl)");
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return verdict(c->r, IDENTITY_CRL_MISSING, "The CRL file %s does not exist", path);
	bio = BIO_new_file(path, "rb");
	if (!bio)
		return verdict(c->r, IDENTITY_CRL_MISSING, "The CRL file %s cannot be read", path);
	/* PEM with one or more CRLs (a root's and an intermediate's) … */
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *info = sk_X509_INFO_value(infos, i);

		if (info->crl && X509_CRL_up_ref(info->crl))
			sk_X509_CRL_push(c->crls, info->crl);
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	/* … or one DER CRL, as CAs publish them over HTTP. */
	if (sk_X509_CRL_num(c->crls) == 0 && BIO_reset(bio) == 0) {
		X509_CRL *crl = d2i_X509_CRL_bio(bio, NULL);

		if (crl)
			sk_X509_CRL_push(c->crls, crl);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (sk_X509_CRL_num(c->crls) == 0)
		return verdict(c->r, IDENTITY_CRL_MISSING,
			       "The file %s holds no CRL (PEM or DER): download the CA's CRL "
			       "there",
			       path);
	for (int i = 0; i < sk_X509_CRL_num(c->crls); i++)
		X509_STORE_add_crl(c->store, sk_X509_CRL_value(c->crls, i));
	return 0;
}

/* The secret's bytes, exactly as in the file. */
static int secret_read(const char *path, guchar **ret, gsize *ret_len, char **ret_why)
{
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	if (!path) {
		*ret_why = g_strdup("No site secret is configured: set [identity] site-secret to "
				    "a file of 32 random bytes (head -c 32 /dev/urandom > FILE)");
		return -ENOENT;
	}
	if (!g_file_get_contents(path, &data, &len, &error)) {
		*ret_why = g_strdup_printf("The site secret cannot be read: %s", error->message);
		return -ENOENT;
	}
	if (len < 16) {
		OPENSSL_cleanse(data, len);
		g_free(data);
		*ret_why = g_strdup_printf("The site secret %s is too short (%zu bytes): make 32 "
					   "random bytes (head -c 32 /dev/urandom > %s)",
					   path, len, path);
		return -EINVAL;
	}
	*ret = (guchar *)data;
	*ret_len = len;
	return 0;
}

static char *hmac_hex(const guchar *key, gsize key_len, const char *code)
{
	g_autofree char *trimmed = g_strstrip(g_strdup(code));
	g_autofree char *upper = g_utf8_strup(trimmed, -1);
	char *hex = g_compute_hmac_for_data(G_CHECKSUM_SHA256, key, key_len, (const guchar *)upper,
					    strlen(upper));

	OPENSSL_cleanse(trimmed, strlen(trimmed));
	OPENSSL_cleanse(upper, strlen(upper));
	return hex;
}

static int files_load(struct check *c)
{
	g_autofree char *why = NULL;

	const char *eku = c->id->required_eku;
	ASN1_OBJECT *obj;

	if (anchors_load(c) < 0 || crl_load(c) < 0)
		return -1;
	if (secret_read(c->id->site_secret, &c->secret, &c->secret_len, &why) < 0)
		return verdict(c->r, IDENTITY_ERROR, "%s", why);
	if (eku && g_ascii_strcasecmp(eku, "none") != 0) {
		obj = OBJ_txt2obj(eku, 0);
		ERR_clear_error();
		if (!obj)
			return verdict(
			    c->r, IDENTITY_ERROR,
			    "[identity] required-eku \"%s\" is not an extended key usage: "
			    "give a name like clientAuth, an OID, or none",
			    eku);
		ASN1_OBJECT_free(obj);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The module */

static void module_unload(struct identity *id)
{
	if (id->p11 && id->finalize)
		id->p11->C_Finalize(NULL);
	if (id->dl)
		dlclose(id->dl);
	id->p11 = NULL;
	id->dl = NULL;
	id->finalize = false;
}

static int module_load(struct identity *id, struct identity_result *r)
{
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	CK_C_GetFunctionList get_list;
	CK_RV rv;

	if (id->p11)
		return 0;
	if (!id->module)
		return verdict(r, IDENTITY_NO_MODULE,
			       "No PKCS#11 module is configured ([identity] module)");
	if (!g_file_test(id->module, G_FILE_TEST_EXISTS))
		return verdict(r, IDENTITY_NO_MODULE, "The PKCS#11 module %s does not exist",
			       id->module);
	/* RTLD_NODELETE: some modules leave atexit handlers and thread-local
	 * destructors behind after C_Finalize; unmapping them would crash
	 * the process later.  Loading again reuses the mapping. */
	id->dl = dlopen(id->module, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!id->dl)
		return verdict(r, IDENTITY_NO_MODULE, "The PKCS#11 module %s does not load: %s",
			       id->module, dlerror());
	get_list = (CK_C_GetFunctionList)dlsym(id->dl, "C_GetFunctionList");
	if (!get_list || get_list(&id->p11) != CKR_OK || !id->p11) {
		id->p11 = NULL;
		module_unload(id);
		return verdict(r, IDENTITY_NO_MODULE,
			       "%s is not a PKCS#11 module (it has no C_GetFunctionList)",
			       id->module);
	}
	rv = id->p11->C_Initialize(&args);
	if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		/* Someone else in this process uses it: share, do not finalize. */
		id->finalize = false;
	} else if (rv != CKR_OK) {
		id->p11 = NULL;
		module_unload(id);
		return verdict(r, IDENTITY_NO_MODULE, "The PKCS#11 module %s does not start: %s",
			       id->module, p11_kit_strerror(rv));
	} else {
		id->finalize = true;
	}
	g_debug("PKCS#11 module %s loaded", id->module);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The card */

/* Which certificate proves identity: the one for authentication
 * (digitalSignature without nonRepudiation) over a signing one; never a CA. */
static int cert_score(X509 *x)
{
	uint32_t ku = X509_get_key_usage(x); /* all bits when there is no keyUsage */

	if (X509_check_ca(x) > 0)
		return 0;
	if ((ku & KU_DIGITAL_SIGNATURE) && !(ku & KU_NON_REPUDIATION))
		return 3;
	return (ku & KU_DIGITAL_SIGNATURE) ? 2 : 1;
}

/* A certificate read from the card (DER): the best scored so far becomes
 * the one checked (TRUE), the others help build its chain. */
static bool cert_take(struct check *c, GBytes *der, int *best_score)
{
	gsize len;
	const unsigned char *p = g_bytes_get_data(der, &len);
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int score;

	if (!x)
		return false;
	score = cert_score(x);
	if (score <= *best_score) {
		sk_X509_push(c->others, x);
		return false;
	}
	if (c->cert)
		sk_X509_push(c->others, c->cert);
	c->cert = x;
	*best_score = score;
	return true;
}

static void cert_describe(struct check *c);

/* Opens @slot's token and picks its authentication certificate: 1 found,
 * 0 none on this token, -1 verdict set. */
static int card_open(struct check *c, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE type = CKC_X_509;
	CK_ATTRIBUTE tmpl[] = {
	    {CKA_CLASS, &cls, sizeof(cls)},
	    {CKA_CERTIFICATE_TYPE, &type, sizeof(type)},
	};
	CK_OBJECT_HANDLE objs[MAX_CARD_CERTS];
	int best_score = 0, n;
	CK_RV rv;

	rv = c->p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &c->session);
	if (rv != CKR_OK)
		return p11_fail(c, rv, "opening the card");
	c->slot = slot;
	n = p11_find(c, tmpl, G_N_ELEMENTS(tmpl), objs, G_N_ELEMENTS(objs),
		     "reading the certificates");
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		g_autoptr(GBytes) der = p11_attr(c, objs[i], CKA_VALUE);

		if (der && cert_take(c, der, &best_score)) {
			g_clear_pointer(&c->cert_id, g_bytes_unref);
			c->cert_id = p11_attr(c, objs[i], CKA_ID);
		}
	}
	ERR_clear_error();
	if (!c->cert) {
		c->p11->C_CloseSession(c->session);
		c->session = CK_INVALID_HANDLE;
		return 0;
	}
	c->r->token_label = p11_label(ti->label, sizeof(ti->label));
	cert_describe(c);
	return 1;
}

/* The chosen certificate's issuer, serial and key type, for the result. */
static void cert_describe(struct check *c)
{
	c->r->cert_issuer = x509_name_str(X509_get_issuer_name(c->cert));
	c->r->cert_serial = x509_serial_str(c->cert);
	switch (X509_get0_pubkey(c->cert) ? EVP_PKEY_get_base_id(X509_get0_pubkey(c->cert)) : 0) {
	case EVP_PKEY_EC:
		c->r->key_type = "ec";
		break;
	case EVP_PKEY_RSA:
		c->r->key_type = "rsa";
		break;
	default:
		c->r->key_type = "other";
	}
}

static int slots_list(struct check *c, CK_SLOT_ID **ret, CK_ULONG *ret_n)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0;
	CK_RV rv;

	/* A card may come or go between the two calls: then ask again. */
	for (int tries = 0; tries < 3; tries++) {
		rv = c->p11->C_GetSlotList(CK_TRUE, NULL, &n);
		if (rv != CKR_OK)
			break;
		g_free(slots);
		slots = g_new0(CK_SLOT_ID, n + 1);
		rv = c->p11->C_GetSlotList(CK_TRUE, slots, &n);
		if (rv != CKR_BUFFER_TOO_SMALL)
			break;
	}
	if (rv != CKR_OK) {
		g_free(slots);
		return p11_fail(c, rv, "listing the card readers");
	}
	*ret = slots;
	*ret_n = n;
	return 0;
}

static int card_find(struct check *c)
{
	g_autofree CK_SLOT_ID *slots = NULL;
	bool any_token = false, slot_seen = false;
	CK_ULONG n = 0;

	if (slots_list(c, &slots, &n) < 0)
		return -1;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		int rc;

		if (c->id->slot >= 0 && slots[i] != (CK_SLOT_ID)c->id->slot)
			continue;
		slot_seen = true;
		/* SoftHSM offers an empty, uninitialised token: no card. */
		if (c->p11->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    !(ti.flags & CKF_TOKEN_INITIALIZED))
			continue;
		any_token = true;
		rc = card_open(c, slots[i], &ti);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
	}
	if (c->id->slot >= 0 && !slot_seen)
		return verdict(c->r, IDENTITY_NO_CARD, "No card is in slot %ld", c->id->slot);
	if (!any_token)
		return verdict(c->r, IDENTITY_NO_CARD, "No card is in the reader");
	return verdict(c->r, IDENTITY_NO_CARD,
		       "The card in the reader carries no certificate: it is not an ID card, "
		       "or its chip cannot be read");
}

static int card_login(struct check *c, const char *pin)
{
	CK_TOKEN_INFO ti;
	bool pad, no_pin = !pin || !*pin;
	CK_RV rv;

	rv = c->p11->C_GetTokenInfo(c->slot, &ti);
	if (rv != CKR_OK)
		return p11_fail(c, rv, "reading the card");
	if (ti.flags & CKF_USER_PIN_LOCKED)
		return verdict(c->r, IDENTITY_PIN_LOCKED, "The card's PIN is locked");
	pad = ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH;
	if (no_pin && !pad) {
		c->r->pin_tries_left = -1;
		return verdict(c->r, IDENTITY_WRONG_PIN, "No PIN was entered");
	}
	/* A reader with its own PIN pad asks for the PIN itself. */
	rv = c->p11->C_Login(c->session, CKU_USER, no_pin ? NULL : (CK_UTF8CHAR_PTR)pin,
			     no_pin ? 0 : (CK_ULONG)strlen(pin));
	switch (rv) {
	case CKR_OK:
	case CKR_USER_ALREADY_LOGGED_IN:
		c->logged_in = true;
		step(c, IDENTITY_STEP_LOGGED_IN);
		return 0;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		if (c->p11->C_GetTokenInfo(c->slot, &ti) != CKR_OK)
			ti.flags = 0;
		if (ti.flags & CKF_USER_PIN_LOCKED) {
			c->r->pin_tries_left = 0;
			return verdict(c->r, IDENTITY_PIN_LOCKED,
				       "The PIN was wrong, and the card has now locked it");
		}
		c->r->pin_count_low = ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
		c->r->pin_tries_left = (ti.flags & CKF_USER_PIN_FINAL_TRY) ? 1 : -1;
		return verdict(c->r, IDENTITY_WRONG_PIN, "The PIN was wrong%s",
			       (ti.flags & CKF_USER_PIN_FINAL_TRY)
				   ? "; one try is left before the card locks it"
			       : (ti.flags & CKF_USER_PIN_COUNT_LOW) ? "; few tries are left"
								     : "");
	case CKR_PIN_LOCKED:
		c->r->pin_tries_left = 0;
		return verdict(c->r, IDENTITY_PIN_LOCKED, "The card's PIN is locked");
	case CKR_PIN_EXPIRED:
		return verdict(c->r, IDENTITY_ERROR,
			       "The card's PIN has expired: the customer must change it first");
	case CKR_FUNCTION_CANCELED:
		c->r->pin_tries_left = -1;
		return verdict(c->r, IDENTITY_WRONG_PIN,
			       "The PIN entry was cancelled on the "
			       "reader");
	default:
		return p11_fail(c, rv, "checking the PIN");
	}
}

static bool token_has_mechanism(struct check *c, CK_MECHANISM_TYPE want)
{
	g_autofree CK_MECHANISM_TYPE *list = NULL;
	CK_ULONG n = 0;

	if (c->p11->C_GetMechanismList(c->slot, NULL, &n) != CKR_OK)
		return false;
	list = g_new0(CK_MECHANISM_TYPE, n + 1);
	if (c->p11->C_GetMechanismList(c->slot, list, &n) != CKR_OK)
		return false;
	for (CK_ULONG i = 0; i < n; i++)
		if (list[i] == want)
			return true;
	return false;
}

static int key_find(struct check *c)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE want = g_str_equal(c->r->key_type, "ec") ? CKK_EC : CKK_RSA;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ULONG n_tmpl = 1;
	CK_ATTRIBUTE type_attr;
	CK_KEY_TYPE type = (CK_KEY_TYPE)-1;
	CK_RV rv;
	int n;

	if (g_str_equal(c->r->key_type, "other"))
		return verdict(c->r, IDENTITY_ERROR,
			       "The card's key is neither RSA nor EC: this card is not supported");
	if (c->cert_id && g_bytes_get_size(c->cert_id) > 0) {
		gsize len;

		tmpl[1].type = CKA_ID;
		tmpl[1].pValue = (void *)g_bytes_get_data(c->cert_id, &len);
		tmpl[1].ulValueLen = len;
		n_tmpl = 2;
	}
	n = p11_find(c, tmpl, n_tmpl, &c->key, 1, "looking for the card's key");
	if (n < 0)
		return -1;
	if (n == 0)
		return verdict(c->r, IDENTITY_BAD_SIGNATURE,
			       "The card has no private key for its certificate");
	type_attr = (CK_ATTRIBUTE){CKA_KEY_TYPE, &type, sizeof(type)};
	rv = c->p11->C_GetAttributeValue(c->session, c->key, &type_attr, 1);
	if (rv != CKR_OK)
		return p11_fail(c, rv, "reading the card's key");
	if (type != want)
		return verdict(c->r, IDENTITY_BAD_SIGNATURE,
			       "The card's key is not of its certificate's kind (%s)",
			       c->r->key_type);
	c->rsa_combined = want == CKK_RSA && token_has_mechanism(c, CKM_SHA256_RSA_PKCS);
	return 0;
}

/* PKCS#1 v1.5 signs a DigestInfo; a card without CKM_SHA256_RSA_PKCS gets
 * it ready-made (OpenSSL encodes it). */
static int digest_info(const unsigned char *digest, unsigned char **ret, int *ret_len)
{
	X509_SIG *sig = X509_SIG_new();
	X509_ALGOR *alg = NULL;
	ASN1_OCTET_STRING *octets = NULL;
	int len = -1;

	if (!sig)
		return -ENOMEM;
	X509_SIG_getm(sig, &alg, &octets);
	if (X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) == 1 &&
	    ASN1_OCTET_STRING_set(octets, digest, SHA256_DIGEST_LENGTH) == 1)
		len = i2d_X509_SIG(sig, ret);
	X509_SIG_free(sig);
	if (len <= 0)
		return -ENOMEM;
	*ret_len = len;
	return 0;
}

/* CKM_ECDSA returns r || s; OpenSSL verifies the DER of ECDSA-Sig-Value. */
static int ecdsa_der(const unsigned char *raw, size_t len, unsigned char **ret, int *ret_len)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	int n;

	if (len == 0 || len % 2)
		return -EINVAL;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)(len / 2), NULL);
	s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -ENOMEM;
	}
	n = i2d_ECDSA_SIG(sig, ret);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return -ENOMEM;
	*ret_len = n;
	return 0;
}

/* A fresh challenge, signed on the card, verified with the certificate. */
static int card_sign(struct check *c)
{
	unsigned char challenge[CHALLENGE_BYTES], digest[SHA256_DIGEST_LENGTH];
	unsigned char sig[MAX_SIGNATURE], *tbs = NULL, *der = NULL;
	CK_ULONG sig_len = sizeof(sig);
	CK_MECHANISM mech = {0};
	EVP_MD_CTX *md = NULL;
	bool ec = g_str_equal(c->r->key_type, "ec");
	int tbs_len = 0, der_len = 0, rc = -1;
	CK_RV rv;

	c->t_challenge = g_get_monotonic_time();
	if (RAND_bytes(challenge, sizeof(challenge)) != 1 ||
	    EVP_Digest(challenge, sizeof(challenge), digest, NULL, EVP_sha256(), NULL) != 1)
		return verdict(c->r, IDENTITY_ERROR, "OpenSSL gave no random challenge");
	if (ec) {
		/* Hash on the host: SoftHSM 2.6 and many cards lack
		 * CKM_ECDSA_SHA256. */
		mech.mechanism = CKM_ECDSA;
		c->r->mechanism = "CKM_ECDSA";
		tbs = OPENSSL_memdup(digest, sizeof(digest));
		tbs_len = sizeof(digest);
	} else if (c->rsa_combined) {
		mech.mechanism = CKM_SHA256_RSA_PKCS;
		c->r->mechanism = "CKM_SHA256_RSA_PKCS";
		tbs = OPENSSL_memdup(challenge, sizeof(challenge));
		tbs_len = sizeof(challenge);
	} else {
		mech.mechanism = CKM_RSA_PKCS;
		c->r->mechanism = "CKM_RSA_PKCS";
		if (digest_info(digest, &tbs, &tbs_len) < 0)
			tbs = NULL;
	}
	if (!tbs) {
		verdict(c->r, IDENTITY_ERROR, "Out of memory while preparing the challenge");
		goto free_tbs;
	}
	step(c, IDENTITY_STEP_SIGNING);
	rv = c->p11->C_SignInit(c->session, &mech, c->key);
	if (rv == CKR_OK)
		rv = c->p11->C_Sign(c->session, tbs, (CK_ULONG)tbs_len, sig, &sig_len);
	if (rv != CKR_OK) {
		p11_fail(c, rv, "signing the challenge");
		goto free_tbs;
	}
	if (ec && ecdsa_der(sig, sig_len, &der, &der_len) < 0) {
		verdict(c->r, IDENTITY_BAD_SIGNATURE,
			"The card's signature is not an ECDSA signature (%lu bytes)",
			(unsigned long)sig_len);
		goto free_tbs;
	}
	md = EVP_MD_CTX_new();
	if (!md ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(c->cert)) != 1 ||
	    EVP_DigestVerify(md, ec ? der : sig, ec ? (size_t)der_len : sig_len, challenge,
			     sizeof(challenge)) != 1) {
		verdict(c->r, IDENTITY_BAD_SIGNATURE,
			"The card's signature does not match the key of its certificate");
		goto free_md;
	}
	rc = 0;
free_md:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
free_tbs:
	OPENSSL_free(tbs);
	ERR_clear_error();
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The certificate */

struct verify_state {
	bool crl_stale;
};

/* An outdated CRL still says who is revoked: go on to read it, remember
 * that it was outdated, and let revocation (or a fault of the chain) win. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct verify_state *st = X509_STORE_CTX_get_app_data(ctx);
	int err = X509_STORE_CTX_get_error(ctx);

	if (!ok && (err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID)) {
		st->crl_stale = true;
		return 1;
	}
	return ok;
}

static int verify_fail(struct check *c, int err, int depth)
{
	const char *why = X509_verify_cert_error_string(err);
	g_autofree char *when = NULL;

	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		when = x509_time_str(X509_get0_notAfter(c->cert));
		if (depth > 0)
			return verdict(c->r, IDENTITY_EXPIRED,
				       "A CA certificate of the card's chain has expired");
		return verdict(c->r, IDENTITY_EXPIRED, "The card's certificate expired on %s",
			       when);
	case X509_V_ERR_CERT_NOT_YET_VALID:
		when = x509_time_str(X509_get0_notBefore(c->cert));
		if (depth > 0)
			return verdict(c->r, IDENTITY_NOT_YET_VALID,
				       "A CA certificate of the card's chain is not valid yet");
		return verdict(c->r, IDENTITY_NOT_YET_VALID,
			       "The card's certificate is valid only from %s", when);
	case X509_V_ERR_CERT_REVOKED:
		return verdict(c->r, IDENTITY_REVOKED,
			       "The card's certificate (serial %s) is revoked by the CRL",
			       c->r->cert_serial);
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		return verdict(c->r, IDENTITY_CRL_MISSING,
			       "The CRL file %s has no list from the card's CA (%s)", c->id->crl,
			       c->r->cert_issuer);
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
		return verdict(c->r, IDENTITY_CRL_MISSING, "The CRL in %s cannot be used: %s",
			       c->id->crl, why);
	case X509_V_ERR_INVALID_PURPOSE:
		return verdict(c->r, IDENTITY_BAD_USAGE, "The card's certificate: %s", why);
	default:
		return verdict(c->r, IDENTITY_UNTRUSTED,
			       "The card's certificate (issuer %s) does not lead to the trust "
			       "anchors in %s: %s",
			       c->r->cert_issuer, c->id->trust_anchors, why);
	}
}

/* The CRL of the card's CA, outdated or older than allowed? */
static int crl_age_check(struct check *c, bool stale)
{
	const X509_NAME *issuer = X509_get_issuer_name(c->cert);
	time_t limit = time(NULL) - (time_t)c->id->crl_max_age_h * 3600;

	for (int i = 0; i < sk_X509_CRL_num(c->crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(c->crls, i);
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
		const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl);
		g_autofree char *when = NULL;

		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), issuer) != 0)
			continue;
		if (stale || (next && X509_cmp_current_time(next) < 0)) {
			when = x509_time_str(next);
			return verdict(c->r, IDENTITY_CRL_STALE,
				       "The CRL in %s is out of date (next update was due %s)",
				       c->id->crl, when);
		}
		if (c->id->crl_max_age_h > 0 && X509_cmp_time(last, &limit) < 0) {
			when = x509_time_str(last);
			return verdict(c->r, IDENTITY_CRL_STALE,
				       "The CRL in %s was issued %s, more than %d hours ago",
				       c->id->crl, when, c->id->crl_max_age_h);
		}
	}
	if (stale)
		return verdict(c->r, IDENTITY_CRL_STALE, "The CRL in %s is out of date",
			       c->id->crl);
	return 0;
}

/* keyUsage must allow digitalSignature; the EKU, when the certificate has
 * one, must name the required purpose (RFC 5280: no EKU, any purpose). */
static int usage_check(struct check *c)
{
	const char *want_name = c->id->required_eku;
	EXTENDED_KEY_USAGE *eku;
	ASN1_OBJECT *want;
	bool found = false;
	int crit = -1;

	if (!(X509_get_key_usage(c->cert) & KU_DIGITAL_SIGNATURE))
		return verdict(c->r, IDENTITY_BAD_USAGE,
			       "The card's certificate may not sign (its key usage lacks "
			       "digitalSignature)");
	if (!want_name || g_ascii_strcasecmp(want_name, "none") == 0)
		return 0;
	want = OBJ_txt2obj(want_name, 0);
	if (!want) {
		ERR_clear_error();
		return verdict(c->r, IDENTITY_ERROR,
			       "[identity] required-eku \"%s\" is not an extended key usage: give "
			       "a name like clientAuth, an OID, or none",
			       want_name);
	}
	eku = X509_get_ext_d2i(c->cert, NID_ext_key_usage, &crit, NULL);
	if (!eku && crit == -1) {
		ASN1_OBJECT_free(want);
		return 0;
	}
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku) && !found; i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);

		found = OBJ_cmp(o, want) == 0 || OBJ_obj2nid(o) == NID_anyExtendedKeyUsage;
	}
	EXTENDED_KEY_USAGE_free(eku);
	ASN1_OBJECT_free(want);
	if (!found)
		return verdict(c->r, IDENTITY_BAD_USAGE,
			       "The card's certificate is not for %s (its extended key usage "
			       "lacks it)",
			       want_name);
	return 0;
}

static int cert_verify(struct check *c)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	struct verify_state st = {0};
	int ok, err = 0, depth = 0;

	if (!ctx || X509_STORE_CTX_init(ctx, c->store, c->cert, c->others) != 1) {
		X509_STORE_CTX_free(ctx);
		return verdict(c->r, IDENTITY_ERROR, "OpenSSL could not start the verification");
	}
	/* PARTIAL_CHAIN: what the site configured as an anchor is one, also
	 * an intermediate CA; CRL_CHECK: the card's own certificate. */
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx),
				    X509_V_FLAG_CRL_CHECK | X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	X509_STORE_CTX_set_app_data(ctx, &st);
	ok = X509_verify_cert(ctx);
	if (ok != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (ok != 1)
		return verify_fail(c, err, depth);
	if (crl_age_check(c, st.crl_stale) < 0)
		return -1;
	return usage_check(c);
}

static int personal_fields(struct check *c)
{
	const X509_NAME *subject = X509_get_subject_name(c->cert);
	g_autofree char *given = x509_name_entry(subject, NID_givenName);
	g_autofree char *surname = x509_name_entry(subject, NID_surname);
	g_autofree char *cn = x509_name_entry(subject, NID_commonName);
	char *code = x509_name_entry(subject, NID_serialNumber);

	if (!code || !*code) {
		g_free(code);
		return verdict(c->r, IDENTITY_BAD_USAGE,
			       "The card's certificate names no identity code (no subject "
			       "serialNumber): it is not a personal ID certificate");
	}
	/* Given name and surname: a FINeID CN may carry the SATU as well. */
	if (given && surname)
		c->r->name = g_strdup_printf("%s %s", given, surname);
	else
		c->r->name = g_strdup(cn ? cn : "");
	c->r->identity_code = code;
	c->r->id_hmac = hmac_hex(c->secret, c->secret_len, code);
	return 0;
}

static void check_end(struct check *c)
{
	if (c->logged_in)
		c->p11->C_Logout(c->session);
	if (c->session != CK_INVALID_HANDLE)
		c->p11->C_CloseSession(c->session);
	X509_free(c->cert);
	g_clear_pointer(&c->cert_id, g_bytes_unref);
	sk_X509_pop_free(c->others, X509_free);
	sk_X509_CRL_pop_free(c->crls, X509_CRL_free);
	X509_STORE_free(c->store);
	if (c->secret) {
		OPENSSL_cleanse(c->secret, c->secret_len);
		g_free(c->secret);
	}
	ERR_clear_error();
}

static void check_run(struct check *c, const char *pin)
{
	struct identity *id = c->id;

	if (module_load(id, c->r) < 0 || files_load(c) < 0)
		return;
	c->p11 = id->p11;
	if (card_find(c) < 0 || card_login(c, pin) < 0 || key_find(c) < 0 || card_sign(c) < 0 ||
	    cert_verify(c) < 0 || personal_fields(c) < 0)
		return;
	c->r->verdict = IDENTITY_VERIFIED;
	c->r->detail = g_strdup_printf("Identity verified with the card's %s key "
				       "(certificate %s of %s). %s",
				       c->r->key_type, c->r->cert_serial, c->r->cert_issuer,
				       identity_verdict_advice(IDENTITY_VERIFIED));
}

/* A check's start: its result (IDENTITY_ERROR until a step says more; with
 * a detail already when out of memory) and @id locked. */
static struct identity_result *check_begin(struct check *c, struct identity *id)
{
	struct identity_result *r = g_new0(struct identity_result, 1);

	r->verdict = IDENTITY_ERROR;
	r->pin_tries_left = -1;
	c->id = id;
	c->r = r;
	c->session = CK_INVALID_HANDLE;
	c->others = sk_X509_new_null();
	c->crls = sk_X509_CRL_new_null();
	c->store = X509_STORE_new();
	if (!c->others || !c->crls || !c->store)
		verdict(r, IDENTITY_ERROR, "Out of memory");
	g_mutex_lock(&id->lock);
	return r;
}

int identity_check(struct identity *id, const char *pin, struct identity_result **ret_result)
{
	struct identity_result *r;
	struct check c = {0};
	gint64 t0 = g_get_monotonic_time(), t_end;

	if (!id || !ret_result)
		return -EINVAL;
	r = check_begin(&c, id);
	if (!r->detail)
		check_run(&c, pin);
	t_end = g_get_monotonic_time();
	check_end(&c);
	/* After a card or module fault, start from a fresh C_Initialize. */
	if (c.p11_fault)
		module_unload(id);
	g_mutex_unlock(&id->lock);
	if (c.t_challenge)
		r->ms = (double)(t_end - c.t_challenge) / 1000.0;
	r->total_ms = (double)(t_end - t0) / 1000.0;
	g_debug("identity check: %s in %.1f ms", identity_verdict_name(r->verdict), r->total_ms);
	*ret_result = r;
	return 0;
}

int identity_check_certs(struct identity *id, GBytes *const *ders, size_t n,
			 struct identity_result **ret_result)
{
	struct identity_result *r;
	struct check c = {0};
	int best_score = 0;

	if (!id || !ret_result)
		return -EINVAL;
	r = check_begin(&c, id);
	if (!r->detail && files_load(&c) == 0) {
		for (size_t i = 0; i < n; i++)
			cert_take(&c, ders[i], &best_score);
		ERR_clear_error();
		if (!c.cert) {
			verdict(r, IDENTITY_NO_CARD, "No certificate could be read");
		} else {
			cert_describe(&c);
			if (cert_verify(&c) == 0 && personal_fields(&c) == 0) {
				r->verdict = IDENTITY_VERIFIED;
				r->detail = g_strdup_printf(
				    "The certificate %s of %s is valid (without the card's "
				    "signature)",
				    r->cert_serial, r->cert_issuer);
			}
		}
	}
	check_end(&c);
	g_mutex_unlock(&id->lock);
	*ret_result = r;
	return 0;
}

int identity_card_present(struct identity *id)
{
	g_autoptr(IdentityResult) r = g_new0(struct identity_result, 1);
	g_autofree CK_SLOT_ID *slots = NULL;
	struct check c = {.id = id, .r = r, .session = CK_INVALID_HANDLE};
	CK_ULONG n = 0;
	int present = 0;

	g_mutex_lock(&id->lock);
	if (module_load(id, r) < 0) {
		g_mutex_unlock(&id->lock);
		return -ENOENT;
	}
	c.p11 = id->p11;
	if (slots_list(&c, &slots, &n) < 0) {
		module_unload(id);
		g_mutex_unlock(&id->lock);
		return -EIO;
	}
	for (CK_ULONG i = 0; i < n && !present; i++) {
		CK_TOKEN_INFO ti;

		if (id->slot >= 0 && slots[i] != (CK_SLOT_ID)id->slot)
			continue;
		present = id->p11->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
			  (ti.flags & CKF_TOKEN_INITIALIZED);
	}
	g_mutex_unlock(&id->lock);
	return present;
}

int identity_code_hmac(struct identity *id, const char *code, char **ret_hex)
{
	g_autofree char *why = NULL;
	guchar *secret = NULL;
	gsize len = 0;
	int rc;

	if (!id || !code || !ret_hex)
		return -EINVAL;
	rc = secret_read(id->site_secret, &secret, &len, &why);
	if (rc < 0) {
		g_debug("%s", why);
		return rc;
	}
	*ret_hex = hmac_hex(secret, len, code);
	OPENSSL_cleanse(secret, len);
	g_free(secret);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Life cycle and the worker thread */

struct identity *identity_new(const struct identity_options *opts)
{
	struct identity *id = g_atomic_rc_box_new0(struct identity);

	id->module = g_strdup(opts->module);
	id->trust_anchors = g_strdup(opts->trust_anchors);
	id->crl = g_strdup(opts->crl);
	id->crl_max_age_h = opts->crl_max_age_hours;
	id->required_eku = g_strdup(opts->required_eku);
	id->site_secret = g_strdup(opts->site_secret);
	id->slot = opts->slot;
	g_mutex_init(&id->lock);
	return id;
}

struct identity *identity_new_from_config(const struct config *cfg)
{
	struct identity_options o = {
	    .module = cfg->identity_module,
	    .trust_anchors = cfg->identity_trust_anchors,
	    .crl = cfg->identity_crl,
	    .crl_max_age_hours = cfg->identity_crl_max_age_h,
	    .required_eku = cfg->identity_required_eku,
	    .site_secret = cfg->identity_site_secret,
	    .slot = cfg->identity_slot,
	};

	return identity_new(&o);
}

static void identity_clear(gpointer p)
{
	struct identity *id = p;

	module_unload(id);
	g_mutex_clear(&id->lock);
	g_free(id->module);
	g_free(id->trust_anchors);
	g_free(id->crl);
	g_free(id->required_eku);
	g_free(id->site_secret);
}

void identity_free(struct identity *id)
{
	if (id)
		g_atomic_rc_box_release_full(id, identity_clear);
}

void identity_set_step_hook(struct identity *id, identity_step_hook hook, void *data)
{
	g_mutex_lock(&id->lock);
	id->hook = hook;
	id->hook_data = data;
	g_mutex_unlock(&id->lock);
}

void identity_result_free(struct identity_result *r)
{
	if (!r)
		return;
	if (r->identity_code)
		OPENSSL_cleanse(r->identity_code, strlen(r->identity_code));
	g_free(r->identity_code);
	g_free(r->detail);
	g_free(r->name);
	g_free(r->id_hmac);
	g_free(r->cert_issuer);
	g_free(r->cert_serial);
	g_free(r->token_label);
	g_free(r);
}

struct check_task {
	struct identity *id; /* a reference of its own */
	char *pin;
};

static void check_task_free(gpointer p)
{
	struct check_task *t = p;

	if (t->pin)
		OPENSSL_cleanse(t->pin, strlen(t->pin));
	g_free(t->pin);
	identity_free(t->id);
	g_free(t);
}

static void check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	struct check_task *t = data;
	struct identity_result *r = NULL;

	if (g_task_return_error_if_cancelled(task))
		return;
	identity_check(t->id, t->pin, &r);
	g_task_return_pointer(task, r, (GDestroyNotify)identity_result_free);
}

void identity_check_async(struct identity *id, const char *pin, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	struct check_task *t = g_new0(struct check_task, 1);

	t->id = g_atomic_rc_box_acquire(id);
	t->pin = g_strdup(pin);
	g_task_set_source_tag(task, identity_check_async);
	g_task_set_task_data(task, t, check_task_free);
	g_task_run_in_thread(task, check_thread);
	g_object_unref(task);
}

struct identity_result *identity_check_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
