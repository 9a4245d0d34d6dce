/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * identity: who holds this ID card — proven with the card's chip.
 *
 * One check: the PKCS#11 module (OpenSC in the field, SoftHSM2 in tests) →
 * a card in a slot → its authentication certificate → login with the PIN →
 * a fresh 32-byte challenge signed on the card (RSA or EC) and verified with
 * the certificate's key → the certificate against the configured trust
 * anchors, its dates, key usage and extended key usage, and the configured
 * CRL (and that CRL's own age) → a verdict.
 *
 * Invariants:
 *  - Nothing passes that was not proven: every failure is a verdict other
 *    than IDENTITY_VERIFIED, and only a verified result carries the name,
 *    the identity code and its keyed hash.
 *  - The identity code leaves this module only in struct identity_result,
 *    to the caller; it is never logged.  What may be stored is id_hmac.
 *  - Checks on one struct identity run one at a time (a card has one login
 *    state); identity_check() blocks on the card, identity_check_async()
 *    runs it on a worker thread and calls back on the caller's main context.
 *  - A PIN try is never spent on a check that cannot pass for the site's own
 *    reasons: the module, trust anchors, CRL and site secret are looked at
 *    before the card is touched.
 */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>

#include "config.h"

enum identity_verdict {
	IDENTITY_VERIFIED = 0,
	IDENTITY_WRONG_PIN,     /* pin_tries_left says how many, when the card says */
	IDENTITY_PIN_LOCKED,    /* the card refuses the PIN until unblocked with the PUK */
	IDENTITY_NO_CARD,       /* no card, no certificate on it, or no such slot */
	IDENTITY_CARD_REMOVED,  /* the card went away (or stopped answering) mid-check */
	IDENTITY_EXPIRED,       /* the certificate (or a CA of its chain) has expired */
	IDENTITY_NOT_YET_VALID, /* … or is not valid yet */
	IDENTITY_REVOKED,       /* on the CRL */
	IDENTITY_UNTRUSTED,     /* does not chain to the configured trust anchors */
	IDENTITY_BAD_USAGE,     /* key usage without digitalSignature, or the EKU lacks the
				   required purpose */
	IDENTITY_CRL_STALE,     /* the CRL's nextUpdate passed, or it is older than allowed */
	IDENTITY_CRL_MISSING,   /* no CRL file, or none from the certificate's issuer */
	IDENTITY_BAD_SIGNATURE, /* the card did not prove it holds the certificate's key */
	IDENTITY_NO_MODULE,     /* the PKCS#11 module is missing or does not load */
	IDENTITY_ERROR,         /* anything else; detail says what */
	IDENTITY_N_VERDICTS,
};

/* Where the check stands; for the test hook below. */
enum identity_step {
	IDENTITY_STEP_LOGGED_IN, /* the PIN was accepted */
	IDENTITY_STEP_SIGNING,   /* the challenge is about to go to the card */
};

struct identity_options {
	const char *module;        /* the PKCS#11 module's path */
	const char *trust_anchors; /* a PEM file, or a directory of .pem/.crt/.cer files */
	const char *crl;           /* the CRL file (PEM, may hold several, or DER) */
	int crl_max_age_hours;     /* a CRL issued longer ago is stale; 0: only nextUpdate */
	const char *required_eku;  /* "clientAuth", another name or an OID; NULL or "none": any */
	const char *site_secret;   /* the file whose bytes are the HMAC key */
	long slot;                 /* a PKCS#11 slot id; -1: the first slot with a card */
};

struct identity_result {
	enum identity_verdict verdict;
	int pin_tries_left; /* after a wrong PIN: 1 = final try, 0 = locked, -1 unknown */
	bool pin_count_low; /* the card says tries are running low */
	char *detail;       /* English, for staff: what happened and what to do */

	/* Only when verified: */
	char *name;          /* given name + surname, else the subject's CN */
	char *identity_code; /* subject serialNumber: never log it, never store it */
	char *id_hmac;       /* HMAC-SHA256(site secret, identity code), lowercase hex */

	/* Once a certificate was read from the card (NULL before): */
	char *cert_issuer; /* one line, "C = FI, O = …, CN = …" */
	char *cert_serial; /* uppercase hex */
	char *token_label;
	const char *key_type;  /* "ec", "rsa" */
	const char *mechanism; /* "CKM_ECDSA", "CKM_SHA256_RSA_PKCS" or "CKM_RSA_PKCS" */

	double ms;       /* challenge → verdict; 0 when no challenge was made */
	double total_ms; /* the whole check, module to verdict */
};

struct identity;

typedef void (*identity_step_hook)(enum identity_step step, unsigned long slot, void *data);

/* Copies @opts; loads nothing yet (the module is loaded by the first check
 * and kept until identity_free, or reloaded after a card or module fault).
 * One struct identity per module per process: PKCS#11 has one state per
 * process. */
struct identity *identity_new(const struct identity_options *opts);
/* The same from the board-config's [identity] group. */
struct identity *identity_new_from_config(const struct config *cfg);
/* Drops the caller's reference; a running async check keeps its own. */
void identity_free(struct identity *id);
typedef struct identity Identity;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Identity, identity_free)

/* Runs one check, blocking on the card.  @pin may be NULL or "" only for a
 * reader with its own PIN pad.  Returns 0 with *ret_result set (the verdict
 * tells how it went), or -EINVAL for bad arguments. */
int identity_check(struct identity *id, const char *pin, struct identity_result **ret_result);

/* The same on a worker thread; @callback runs on the thread-default main
 * context of the caller.  @pin is copied (and wiped after). */
void identity_check_async(struct identity *id, const char *pin, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data);
/* NULL with @error set only when cancelled before the card was touched. */
struct identity_result *identity_check_finish(GAsyncResult *result, GError **error);

/* What identity_check does with what it reads, without a card: the files
 * (trust anchors, CRL, site secret), then the DER certificates @ders (as a
 * card holds them) picked, verified against those and read for the
 * person's fields.  The verdict is IDENTITY_VERIFIED when all pass (the
 * card's signature is not asked for).  0, or -EINVAL.  For the fuzzers
 * (tests/fuzz/fuzz-identity.c). */
int identity_check_certs(struct identity *id, GBytes *const *ders, size_t n,
			 struct identity_result **ret_result);

/* Is a card in the reader (in the configured slot)?  1 yes, 0 no,
 * -ENOENT the module is missing or does not load, -EIO it failed.  Blocks
 * briefly; for "insert your card" on the booth screen. */
int identity_card_present(struct identity *id);

/* The keyed hash of an identity code (or a document number), as checks
 * store it: 0 and *ret_hex, or -errno (the site secret is unreadable). */
int identity_code_hmac(struct identity *id, const char *code, char **ret_hex);

/* For tests: @hook runs on the checking thread at each step. */
void identity_set_step_hook(struct identity *id, identity_step_hook hook, void *data);

void identity_result_free(struct identity_result *r); /* wipes the identity code */
typedef struct identity_result IdentityResult;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IdentityResult, identity_result_free)

/* "verified", "wrong_pin" … for the API and the database; NULL if unknown. */
const char *identity_verdict_name(enum identity_verdict v);
/* English for staff: what it means and what to do. */
const char *identity_verdict_advice(enum identity_verdict v);
/* The catalog key of a short text for the citizen on the booth or kiosk
 * screen: "identity.wrong_pin" (firmware/i18n/catalog.h). */
const char *identity_verdict_text_key(enum identity_verdict v);
