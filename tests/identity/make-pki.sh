#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make-pki.sh OUTDIR: a test PKI and one SoftHSM2 token per ID card, for the
# identity check's tests and bench.  Only the openssl CLI, softhsm2-util and
# OpenSC's pkcs11-tool: nothing here is written by us but the recipe.
#
#   OUTDIR/root/ca.pem          the trust anchor (EC P-256 root CA)
#   OUTDIR/rogue/ca.pem         a second CA nobody trusts
#   OUTDIR/crl.pem              root's CRL, fresh (30 days), revokes card "revoked"
#   OUTDIR/crl-expired.pem      the same list whose nextUpdate has passed
#   OUTDIR/crl-old.pem          issued 10 days ago, nextUpdate still ahead
#   OUTDIR/site-secret          32 random bytes, the HMAC key of the identity code
#   OUTDIR/cards/NAME/softhsm2.conf   SOFTHSM2_CONF of that card's own tokendir
#   OUTDIR/cards/NAME/cert.pem        the card's authentication certificate
#
# Cards (token label = NAME, user PIN 1234, SO PIN 12345678):
#   ec         P-256 auth key + cert (id 01), a non-repudiation key + cert (id 02)
#              and the root CA cert (id 03), as a FINeID card carries them
#   rsa        RSA 2048
#   rsa-plain  RSA 2048 on a token with only CKM_RSA_PKCS, CKM_ECDSA, CKM_SHA256
#              (slots.mechanisms): no combined hash-and-sign mechanism
#   expired    valid until yesterday         future   valid from next month
#   revoked    on root's CRL                 wrongca  issued by the rogue CA
#   wrongeku   EKU emailProtection only      wrongku  keyUsage keyEncipherment only
#   mismatch   the cert of another key       nocert   a key, no certificate
#   empty      a tokendir with no token in it (no card)
set -euo pipefail

if [ $# -ne 1 ] || [ "$1" = --help ]; then
	echo "usage: make-pki.sh OUTDIR" >&2
	exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
module=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
subject="/C=FI/serialNumber=010190-123A/GN=Matti/SN=Meikäläinen/CN=Meikäläinen Matti"
export OPENSSL_CONF=/dev/null # no site defaults

when() { date -u -d "$1" +%y%m%d%H%M%SZ; }

ca_config() { # DIR
	cat <<CNF
[ca]
default_ca = ca_default
[ca_default]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 730
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
utf8 = yes
string_mask = utf8only
[policy_any]
countryName = optional
serialNumber = optional
givenName = optional
surname = optional
commonName = supplied
[req]
distinguished_name = req_dn
utf8 = yes
string_mask = utf8only
[req_dn]
[ext_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ext_auth]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ext_sign]
basicConstraints = CA:FALSE
keyUsage = critical, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ext_wrongeku]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = emailProtection
[ext_wrongku]
basicConstraints = CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = clientAuth
CNF
}

make_ca() { # NAME CN
	local d=$out/$1
	mkdir -p "$d/new"
	: >"$d/index.txt"
	echo 1000 >"$d/serial"
	echo 01 >"$d/crlnumber"
	ca_config "$d" >"$d/ca.cnf"
	openssl req -x509 -new -config "$d/ca.cnf" -extensions ext_ca -utf8 \
		-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" \
		-subj "/C=FI/O=Vuoro Test/CN=$2" -days 3650 -out "$d/ca.pem" 2>/dev/null
}

new_key() { # FILE ec|rsa
	if [ "$2" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	fi
}

issue() { # CA KEY OUT EXT [openssl ca options…]
	local ca=$out/$1 key=$2 cert=$3 ext=$4
	shift 4
	openssl req -new -config "$ca/ca.cnf" -utf8 -key "$key" -subj "$subject" \
		-out "$cert.csr"
	openssl ca -batch -config "$ca/ca.cnf" -preserveDN -notext -extensions "$ext" \
		-in "$cert.csr" -out "$cert" "$@" 2>/dev/null
	rm -f "$cert.csr"
}

# token NAME [MECHANISMS]: a fresh tokendir with one initialised token.
token() {
	local d=$out/cards/$1
	mkdir -p "$d/tokens"
	cat >"$d/softhsm2.conf" <<CNF
directories.tokendir = $d/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = true
slots.mechanisms = ${2:-ALL}
CNF
	[ "$1" = empty ] && return 0
	SOFTHSM2_CONF=$d/softhsm2.conf softhsm2-util --init-token --free --label "$1" \
		--pin 1234 --so-pin 12345678 >/dev/null
}

put_key() { # CARD KEY ID LABEL
	SOFTHSM2_CONF=$out/cards/$1/softhsm2.conf softhsm2-util --import "$2" --token "$1" \
		--id "$3" --label "$4" --pin 1234 >/dev/null
}

put_cert() { # CARD CERT ID LABEL
	openssl x509 -in "$2" -outform DER -out "$2.der"
	SOFTHSM2_CONF=$out/cards/$1/softhsm2.conf pkcs11-tool --module "$module" \
		--token-label "$1" --login --pin 1234 --write-object "$2.der" --type cert \
		--id "$3" --label "$4" >/dev/null
	rm -f "$2.der"
}

# card NAME ec|rsa CA EXT [openssl ca options…]: key and cert on their token.
card() {
	local name=$1 kind=$2 ca=$3 ext=$4 d=$out/cards/$1
	shift 4
	# SoftHSM 2.6.1 ignores a "-MECH" list; a positive one works.
	token "$name" "$([ "$name" = rsa-plain ] && echo CKM_RSA_PKCS,CKM_ECDSA,CKM_SHA256 || echo ALL)"
	new_key "$d/key.pem" "$kind"
	issue "$ca" "$d/key.pem" "$d/cert.pem" "$ext" "$@"
	put_key "$name" "$d/key.pem" 01 auth
	put_cert "$name" "$d/cert.pem" 01 auth
}

rm -rf "${out:?}"/{root,rogue,cards}
make_ca root "Vuoro Test Root CA"
make_ca rogue "Rogue Test CA"
head -c 32 /dev/urandom >"$out/site-secret"

card ec ec root ext_auth
new_key "$out/cards/ec/sign.pem" ec
issue root "$out/cards/ec/sign.pem" "$out/cards/ec/sign-cert.pem" ext_sign
put_key ec "$out/cards/ec/sign.pem" 02 sign
put_cert ec "$out/cards/ec/sign-cert.pem" 02 sign
put_cert ec "$out/root/ca.pem" 03 ca

card rsa rsa root ext_auth
card rsa-plain rsa root ext_auth
card expired ec root ext_auth -startdate "$(when '-400 days')" -enddate "$(when '-1 day')"
card future ec root ext_auth -startdate "$(when '+30 days')" -enddate "$(when '+400 days')"
card revoked ec root ext_auth
card wrongca ec rogue ext_auth
card wrongeku ec root ext_wrongeku
card wrongku ec root ext_wrongku

# mismatch: a good certificate, but of a key that is not on the card.
token mismatch
new_key "$out/cards/mismatch/key.pem" ec
new_key "$out/cards/mismatch/other.pem" ec
issue root "$out/cards/mismatch/other.pem" "$out/cards/mismatch/cert.pem" ext_auth
put_key mismatch "$out/cards/mismatch/key.pem" 01 auth
put_cert mismatch "$out/cards/mismatch/cert.pem" 01 auth

token nocert
new_key "$out/cards/nocert/key.pem" ec
put_key nocert "$out/cards/nocert/key.pem" 01 auth

token empty

cnf=$out/root/ca.cnf
openssl ca -config "$cnf" -revoke "$out/cards/revoked/cert.pem" -crl_reason keyCompromise \
	2>/dev/null
openssl ca -batch -config "$cnf" -gencrl -out "$out/crl.pem" 2>/dev/null
openssl ca -batch -config "$cnf" -gencrl -crl_lastupdate "$(when '-40 days')" \
	-crl_nextupdate "$(when '-10 days')" -out "$out/crl-expired.pem" 2>/dev/null
openssl ca -batch -config "$cnf" -gencrl -crl_lastupdate "$(when '-10 days')" \
	-crl_nextupdate "$(when '+20 days')" -out "$out/crl-old.pem" 2>/dev/null
echo "make-pki: $(ls "$out/cards" | wc -l) cards in $out"
