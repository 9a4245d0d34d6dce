# vuoro's database, as the maintainer scripts see it (debian/rules puts this
# into the preinst and postinst in place of @MAINT@; it runs before the new
# package's files are unpacked, so nothing here may need them).
#   SCHEMA: the newest schema this package's vuorod reads (firmware/store/
#   store.h's STORE_SCHEMA_VERSION at build time).
SCHEMA=@SCHEMA@
VERSION=@VERSION@
STATE=/var/lib/vuoro

# The database of /etc/vuoro/vuoro.conf's [store] db (relative to the state
# directory, vuorod.service's WorkingDirectory), by default vuoro.db there.
vuoro_db() {
	db=$(awk -F= '/^\[/ { s = $0 } s == "[store]" && $1 ~ /^[ \t]*db[ \t]*$/ {
		gsub(/^[ \t]+|[ \t]+$/, "", $2); print $2; exit }' /etc/vuoro/vuoro.conf 2>/dev/null || true)
	case "$db" in
	"") db=$STATE/vuoro.db ;;
	/*) ;;
	*) db=$STATE/$db ;;
	esac
	echo "$db"
}

# As vuorod's user, so that SQLite's -wal and -shm files stay vuoro's.
as_vuoro() {
	setpriv --reuid=vuoro --regid=vuoro --clear-groups -- "$@"
}

# PRAGMA user_version of $1: by sqlite3 (it sees a running vuorod's WAL),
# else from the file's header (bytes 60-63, big-endian).
db_schema() {
	if command -v sqlite3 >/dev/null 2>&1 && getent passwd vuoro >/dev/null; then
		as_vuoro sqlite3 -readonly "$1" 'PRAGMA user_version'
	else
		od -An -tu1 -j60 -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'
	fi
}

# An online backup (SQLite's, vuorod may be running) of the database $1 at
# schema $2 as $STATE/backup/vuoro-$3.db ($3 the version that wrote it),
# before this package's vuorod migrates it: only when it will.
backup_db() {
	[ "$2" -lt "$SCHEMA" ] || return 0
	dest=$STATE/backup/vuoro-$3.db
	[ ! -e "$dest" ] || return 0
	install -d -o vuoro -g vuoro -m 0750 "$STATE/backup"
	if ! as_vuoro sqlite3 "$1" ".backup '$dest'"; then
		rm -f "$dest"
		echo "vuoro: could not copy $1 to $dest before the upgrade (a full disk?):" \
			"free space in $STATE and run the upgrade again" >&2
		exit 1
	fi
	chmod 0640 "$dest"
	echo "vuoro: $1 (schema $2, written by $3) kept as $dest;" \
		"vuorod $VERSION migrates it to schema $SCHEMA when it starts"
	prune_backups
}

# Each copy is the whole database: the three newest stay (by time; the
# names are vuoro-VERSION.db, which sort badly), lest years of upgrades fill
# a board's disk.
prune_backups() {
	# shellcheck disable=SC2012 # our own names: no spaces, no newlines
	ls -1t "$STATE"/backup/vuoro-*.db 2>/dev/null | tail -n +4 | while read -r old; do
		rm -f "$old" && echo "vuoro: removed $old (the three newest copies before upgrades are kept)"
	done
}
