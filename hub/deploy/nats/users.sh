#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# users.sh [--loadgen] SITE... > users.conf — the region's NATS users and what each may do.
#
# Every client proves who it is by its TLS certificate (node.conf.in:
# verify_and_map): the certificate's subject is the user name.
#   CN=hub          vuoro-hub: the records stream, the live-state bucket and
#                   the sites' command subjects (it creates the stream and the
#                   bucket at start).
#   CN=site-SITE    one per site: publishes only its own records
#                   (vuoro.rec.SITE.>) and its own live state ($KV.vuoro-sites.SITE),
#                   reads only its own commands (vuoro.site.SITE.cmd.>) and
#                   replies on its own inbox prefix (_INBOX_SITE.>, set by the
#                   uplink); it may not listen on _INBOX.> nor read the stream.
#                   Remote service through the hub: it publishes its booths'
#                   signalling to experts on vuoro.hub.SITE.> and hears which
#                   providers have an expert online on vuoro.hub.presence.
#   CN=loadgen      only with --loadgen, for `make bench` (tools/bench-hub.c):
#                   publishes records as any site (vuoro.rec.>), replies on
#                   _INBOX_loadgen.>.  A bench user: never in a region's users.
# A site id is a-z, 0-9 and '-', at most 32 (the site's [uplink] site).
set -eu
loadgen=
if [ "${1-}" = --loadgen ]; then
	loadgen=1
	shift
fi
[ $# -gt 0 ] || { echo "usage: $0 SITE... > users.conf" >&2; exit 2; }
for s in "$@"; do
	case $s in
	*[!a-z0-9-]* | "" | -*) echo "$0: \"$s\" is not a site id (a-z, 0-9, '-')" >&2; exit 2 ;;
	esac
	[ ${#s} -le 32 ] || { echo "$0: \"$s\" is longer than 32" >&2; exit 2; }
done
cat <<'HEAD'
# Made by hub/deploy/nats/users.sh: do not edit, run it again.
authorization {
  timeout: 5
  users = [
    { user: "CN=hub"
      permissions: {
        publish: { allow: ["vuoro.>", "$JS.API.>", "$JS.ACK.>", "$KV.>", "_INBOX.>"] }
        subscribe: { allow: ["vuoro.>", "$KV.>", "_INBOX.>"] }
      }
    }
HEAD
for s in "$@"; do
	cat <<SITE
    { user: "CN=site-$s"
      permissions: {
        publish: { allow: ["vuoro.rec.$s.>", "\$KV.vuoro-sites.$s", "vuoro.hub.$s.>"] }
        subscribe: { allow: ["vuoro.site.$s.cmd.>", "_INBOX_$s.>", "vuoro.hub.presence"] }
        allow_responses: { max: 1, expires: "1m" }
      }
    }
SITE
done
if [ -n "$loadgen" ]; then
	cat <<'LOADGEN'
    { user: "CN=loadgen"
      permissions: {
        publish: { allow: ["vuoro.rec.>"] }
        subscribe: { allow: ["_INBOX_loadgen.>"] }
      }
    }
LOADGEN
fi
cat <<'TAIL'
  ]
}
TAIL
