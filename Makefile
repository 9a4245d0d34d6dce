# SPDX-License-Identifier: GPL-3.0-or-later
# vuoro: one non-recursive Makefile.  Out-of-tree objects in $(BUILD).
#
#   make deps          install the Debian packages build, run and tests need
#   make / make all    build vuorod, vuoroctl, the tests and the bench tools
#   make run           build and run vuorod on the simulated board
#   make run-fleet     a region on one machine: NATS cluster, PostgreSQL, vuoro-hub, 3 sites
#   make test          every test, also under ASan+UBSan
#   make test-long     the long fleet runs (minutes-long cuts, thousands of records),
#                      1,000 power cuts (test_powercut.py)
#                      I/O errors at every write, sync and open up to 200 (test_iofault.py)
#                      an accelerated month of traffic under a test clock (long_month.py)
#                      300 booth sessions back to back through TURN (long_booth_sessions.py)
#                      and make test on a stock Debian 12 (make test-stock)
#                      and the packages on a clean Debian 12 (make test-packages)
#                      and the image's boot in qemu (make test-image)
#                      and the arm64 packages and unit tests under qemu (make test-arm64)
#                      and the arm64 image's content (make test-image-arm64)
#                      and ThreadSanitizer on the worker threads' suites (make test-tsan)
#                      and ASan+UBSan on every integration suite (make test-asan)
#   make image         the flashable board image in $(BUILD)/image
#                      (ARCH=arm64: the Raspberry Pi 4 one)
#   make bench         BENCH name=value unit lines
#   make fuzz          every libFuzzer harness (tests/fuzz) FUZZ_S seconds (default 60) each
#   make install       PREFIX=/usr/local DESTDIR=
#   make deb           the Debian packages (vuoro, vuoro-kiosk, vuoro-hub) in $(BUILD)/deb
#                      (ARCH=arm64: cross-built for a Raspberry Pi 4/5 in $(BUILD)/deb-arm64)
#   make format-check  clang-format over our C
#   V=1                show the commands

BUILD ?= build
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
# Where systemd and udev look (a Debian 12 package: /lib/systemd/system, /lib/udev/rules.d).
UNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= $(SYSCONFDIR)/udev/rules.d
STATEDIR ?= /var/lib/vuoro
DESTDIR ?=
SAN ?=
CONFIG ?= board-config/sim.conf

PKGS := glib-2.0 gio-2.0 libsoup-3.0 json-glib-1.0 sqlite3 libsodium libmodbus libical libqrencode cairo pangocairo pangoft2 fontconfig libgpiod espeak-ng gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0 gstreamer-webrtc-1.0 gstreamer-sdp-1.0 nice p11-kit-1 libcrypto libnats libcurl
# vuoro-hub (hub/) links these too
HUB_PKGS := libpq

ifeq ($(V),1)
Q :=
else
Q := @
endif

# A cross build against a sysroot (README "arm64"): CC=aarch64-linux-gnu-gcc
# AR=aarch64-linux-gnu-ar SYSROOT=DIR (tests/arm64/sysroot.sh makes DIR):
# headers, libraries and pkg-config's .pc files come from DIR.
PKG_CONFIG ?= pkg-config
SYSROOT ?=
ifneq ($(SYSROOT),)
SYSROOT_MULTIARCH := $(shell $(CC) -print-multiarch)
PKG_CONFIG_RUN := env PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) \
	PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(SYSROOT_MULTIARCH)/pkgconfig:$(SYSROOT)/usr/share/pkgconfig $(PKG_CONFIG)
else
PKG_CONFIG_RUN := $(PKG_CONFIG)
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG_RUN) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG_RUN) --libs $(PKGS) 2>/dev/null)
HUB_CFLAGS := $(shell $(PKG_CONFIG_RUN) --cflags $(HUB_PKGS) 2>/dev/null)
HUB_LIBS := $(shell $(PKG_CONFIG_RUN) --libs $(HUB_PKGS) 2>/dev/null)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CFLAGS ?= -O2 -g
# firmware/ by layer (../shared/DESIGN.md): each folder is a -I, and its
# files log under one domain, vuoro-FOLDER (hal/ logs as "hal").
FW_DIRS := firmware $(sort $(patsubst %/,%,$(dir $(wildcard firmware/*/*.c))))
# Where the board's GStreamer plugins are (hal/gst_plugins.c), as the board sees it.
GST_PLUGINDIR := $(patsubst $(SYSROOT)%,%,$(shell $(PKG_CONFIG_RUN) --variable=pluginsdir gstreamer-1.0 2>/dev/null))
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -I. $(addprefix -I,$(FW_DIRS)) -Ihal -Itools \
	-DVUORO_VERSION='"$(VERSION)"' -DVUORO_UIDIR='"$(PREFIX)/share/vuoro/ui"' \
	-DG_LOG_USE_STRUCTURED=1 $(PKG_CFLAGS) -MMD -MP \
	-DVUORO_GST_PLUGINDIR='"$(GST_PLUGINDIR)"'
ALL_CFLAGS += $(CPPFLAGS)
ALL_LDFLAGS := $(LDFLAGS)
ifneq ($(SYSROOT),)
ALL_CFLAGS += --sysroot=$(SYSROOT)
ALL_LDFLAGS += --sysroot=$(SYSROOT)
endif
# Opened at first use, not linked (dlopen), so that an idle vuorod does not
# carry them (issue 22, hal/lazylib.h): espeak-ng (speech.c), libcurl
# (smtp.c, a site that mails), libical (ical_lib.c, an iCalendar import),
# Pango, cairo and fontconfig (render_lib.c, the first ticket picture),
# libnice (media.c: loaded by webrtcbin's ICE, a booth's).
LAZY_LIBS := -lespeak-ng -lcurl -lical -licalss -licalvcal -lpangocairo-1.0 -lpangoft2-1.0 -lpango-1.0 -lcairo \
	-lfontconfig -lnice
LIBS := $(filter-out $(LAZY_LIBS),$(PKG_LIBS)) -lm

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ALL_LDFLAGS += -fsanitize=address,undefined
# LeakSanitizer's tracer crashes at exit (signal 11, "LeakSanitizer has
# encountered a fatal error") once GnuTLS came in by dlopen, with GIO's TLS
# module (an HTTPS board), now that no linked library brings it (libnice did,
# see LAZY_LIBS): the sanitized build links it.
LIBS += -Wl,--no-as-needed -lgnutls -Wl,--as-needed
endif
# The ThreadSanitizer build (make test-tsan: BUILD=$(BUILD)/tsan): gcc's
# libtsan.  Its programs load GLib and GStreamer's core built with TSan
# (tests/tsan/build-libs.sh, in $(BUILD)/libs/lib) through their RPATH:
# Debian's GLib locks with futexes, and GStreamer counts references with
# atomics, that TSan cannot see.  tests/run --tsan sets TSAN_OPTIONS
# (tests/tsan.supp).
ifeq ($(SAN),thread)
ALL_CFLAGS += -fsanitize=thread -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=thread -Wl,--disable-new-dtags -Wl,-rpath,$(abspath $(BUILD))/libs/lib
endif
# The libFuzzer build (make fuzz: CC=clang-14, BUILD=$(BUILD)/fuzz): the
# firmware instrumented for coverage, ASan and UBSan; only the harnesses
# link libFuzzer's main.
ifeq ($(SAN),fuzz)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
ALL_LDFLAGS += -fsanitize=address,undefined
endif

# Everything but main.c goes into one static library that the daemon, the
# tests and the bench tools link.
FW_SRCS := $(filter-out firmware/main.c,$(wildcard firmware/*.c firmware/*/*.c)) $(wildcard hal/*.c)
FW_OBJS := $(FW_SRCS:%.c=$(BUILD)/%.o)
FW_LIB := $(BUILD)/libvuoro.a
TOOL_COMMON := $(BUILD)/tools/common.o

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(wildcard tools/bench-*.c)
BENCH_BINS := $(BENCH_SRCS:tools/%.c=$(BUILD)/%)
# Small programs for technicians and tests: tools/vuoro-NAME.c → $(BUILD)/vuoro-NAME
AUX_SRCS := $(wildcard tools/vuoro-*.c)
AUX_BINS := $(AUX_SRCS:tools/%.c=$(BUILD)/%)
# The power-cut VFS (tests/powercut/vfs-cut.c), LD_PRELOADed into vuorod by
# tests/integration/test_powercut.py.  Plain build only: under ASan libasan
# must load first, so the ASan build leaves it out.
VFSCUT := $(if $(filter 1,$(SAN)),,$(BUILD)/tests/libvfscut.so)
# make test-tsan's proof that it can fail and that it sees GLib's locks.
TSAN_CHECK := $(if $(filter thread,$(SAN)),$(BUILD)/tests/tsan-selfcheck)
# libFuzzer harnesses: tests/fuzz/fuzz-NAME.c → $(BUILD)/fuzz-NAME (SAN=fuzz only)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)
FUZZ_CC ?= /usr/bin/clang-14
FUZZ_S ?= 60

# vuoro-hub, the region's central service: hub/*.c on the site's web, auth
# and JSON modules (the same library), with libpq.
HUB_SRCS := $(wildcard hub/*.c)
HUB_OBJS := $(HUB_SRCS:%.c=$(BUILD)/%.o)
HUB := $(if $(HUB_SRCS),$(BUILD)/vuoro-hub)

PROGRAMS := $(BUILD)/vuorod $(BUILD)/vuoroctl $(HUB)

.PHONY: all programs deb deps run run-fleet test test-fast test-long test-tsan test-asan test-stock test-packages test-arm64 image test-image test-image-arm64 bench install clean format format-check check-config fuzz fuzzers
.DEFAULT_GOAL := all

all: $(PROGRAMS) $(UNIT_BINS) $(BENCH_BINS) $(AUX_BINS) $(VFSCUT) $(TSAN_CHECK)

# The installed programs only (debian/rules builds these).
programs: $(PROGRAMS)

deps:
	$(Q)tools/install-deps

# The log domain of a file: its folder's (firmware/api/x.c → vuoro-api).
log_domain = $(patsubst hub,vuoro-hub,$(patsubst firmware,vuorod,$(patsubst firmware/%,vuoro-%,$(patsubst hal,hal,$(patsubst tools,vuoro-tools,$(patsubst tests/%,vuoro-test,$(patsubst %/,%,$(dir $(1)))))))))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -DG_LOG_DOMAIN='"$(call log_domain,$<)"' -c -o $@ $<

$(HUB_OBJS): ALL_CFLAGS += -Ihub $(HUB_CFLAGS)

$(FW_LIB): $(FW_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/vuorod: $(BUILD)/firmware/main.o $(FW_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/vuoroctl: $(BUILD)/tools/vuoroctl.o $(TOOL_COMMON) $(FW_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/vuoro-hub: $(HUB_OBJS) $(FW_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(HUB_LIBS)

$(BUILD)/bench-%: $(BUILD)/tools/bench-%.o $(TOOL_COMMON) $(FW_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(BUILD)/vuoro-%: $(BUILD)/tools/vuoro-%.o $(TOOL_COMMON) $(FW_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(BUILD)/tests/test-%: $(BUILD)/tests/unit/test-%.o $(FW_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/tsan-selfcheck: $(BUILD)/tests/tsan/selfcheck.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/libvfscut.so: tests/powercut/vfs-cut.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) -std=gnu11 $(WARN) $(CFLAGS) -fPIC -shared $(shell pkg-config --cflags glib-2.0 sqlite3) \
		-o $@ $< $(shell pkg-config --libs glib-2.0 sqlite3)
$(BUILD)/fuzz-%: $(BUILD)/tests/fuzz/fuzz-%.o $(FW_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzzers: $(FUZZ_BINS)
.SECONDARY: $(FUZZ_BINS:$(BUILD)/%=$(BUILD)/tests/fuzz/%.o)

# The sim board's ID card: a SoftHSM2 token with a test PKI (PIN 1234);
# SIM_CARD=revoked (expired, wrongca, …: tests/identity/make-pki.sh) tries others.
SIM_CARD ?= ec

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)mkdir -p $(BUILD)/run
	$(Q)test -f $(BUILD)/run/pki/site-secret || tests/identity/make-pki.sh $(BUILD)/run/pki >/dev/null
	$(Q)SOFTHSM2_CONF=$(BUILD)/run/pki/cards/$(SIM_CARD)/softhsm2.conf \
		exec $(BUILD)/vuorod --config $(CONFIG) --db $(BUILD)/run/vuoro.db

# A region on one machine (README): a 3-node NATS cluster, PostgreSQL,
# vuoro-hub and three sim sites under $(BUILD)/fleet; Ctrl-C stops them all.
run-fleet: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)exec /usr/bin/python3 tools/run-fleet $(BUILD)

# make test: deps, both builds (plain and ASan+UBSan), every suite, one
# closing line "N passed, N failed".
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN=1 CFLAGS="-O1 -g" all
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz SAN=fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g" fuzzers
	$(Q)tests/run $(BUILD) $(BUILD)/asan

# The suites without installing anything or rebuilding ASan: for quick loops.
test-fast: all
	$(Q)tests/run $(BUILD)

# Threads checked (README "Threads checked"): GLib and GStreamer's core built
# with ThreadSanitizer, then vuorod, its tools and unit tests; the unit tests
# and the integration suites that drive the worker threads run on it, any
# TSan report fails.
test-tsan:
	$(Q)tools/install-deps --long
	$(Q)tests/tsan/build-libs.sh $(BUILD)/tsan/libs
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/tsan SAN=thread CFLAGS="-O1 -g" all
	$(Q)tests/run --tsan $(BUILD)/tsan

# ASan+UBSan on every integration suite (make test runs the API's and the hub expert's).
test-asan: deps
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN=1 CFLAGS="-O1 -g" all
	$(Q)tests/run --asan $(BUILD)/asan

# The fleet's long runs: a network cut of minutes, thousands of records;
# then make test on a stock Debian 12 (test-stock), the image, the packages
# on a clean root and the arm64 build under qemu (test-arm64).
test-long: all
	$(Q)VUOROD=$(BUILD)/vuorod VUOROCTL=$(BUILD)/vuoroctl BUILD_DIR=$(BUILD) \
		/usr/bin/python3 -m pytest -q -rs -p no:cacheprovider tests/integration/long_fleet.py
	$(Q)POWERCUT_N=1000 VUOROD=$(BUILD)/vuorod VUOROCTL=$(BUILD)/vuoroctl BUILD_DIR=$(BUILD) \
		/usr/bin/python3 -m pytest -q -s -p no:cacheprovider tests/integration/test_powercut.py
	$(Q)IOFAULT_N=200 VUOROD=$(BUILD)/vuorod VUOROCTL=$(BUILD)/vuoroctl BUILD_DIR=$(BUILD) \
		/usr/bin/python3 -m pytest -q -s -p no:cacheprovider tests/integration/test_iofault.py
	$(Q)VUOROD=$(BUILD)/vuorod VUOROCTL=$(BUILD)/vuoroctl BUILD_DIR=$(BUILD) \
		/usr/bin/python3 -m pytest -q -s -p no:cacheprovider tests/integration/long_month.py
	$(Q)VUOROD=$(BUILD)/vuorod VUOROCTL=$(BUILD)/vuoroctl BUILD_DIR=$(BUILD) \
		/usr/bin/python3 -m pytest -q -s -p no:cacheprovider tests/integration/long_booth_sessions.py
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_S=420
	$(Q)$(MAKE) --no-print-directory test-tsan
	$(Q)$(MAKE) --no-print-directory test-asan
	$(Q)$(MAKE) --no-print-directory test-stock
	$(Q)$(MAKE) --no-print-directory test-image
	$(Q)$(MAKE) --no-print-directory test-packages
	$(Q)$(MAKE) --no-print-directory test-arm64
	$(Q)$(MAKE) --no-print-directory test-image-arm64

# The arm64 build (README "arm64"): make deb ARCH=arm64, then its packages
# checked, its unit tests and vuorod run under qemu-aarch64 (tests/arm64/run.sh).
test-arm64:
	$(Q)tools/install-deps --long
	$(Q)$(MAKE) --no-print-directory deb ARCH=arm64
	$(Q)tests/arm64/run.sh $(BUILD)

# Every libFuzzer harness FUZZ_S seconds from its seeds (tests/fuzz/corpus)
# after replaying its regressions (tests/fuzz/regress): BENCH fuzz_execs and
# fuzz_crashes; what it finds goes to $(BUILD)/fuzz, never the sources.
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz SAN=fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g" fuzzers
	$(Q)tests/fuzz/run $(BUILD)/fuzz $(FUZZ_S)

# make test in a minimal Debian 12 root (debootstrap minbase: git, make) by
# chroot, with only what make deps installs there (tests/stock/run.sh).
test-stock:
	$(Q)tools/install-deps --long
	$(Q)tests/stock/run.sh $(BUILD)

# The flashable image (README "Install from an image"): Debian 12 with the
# packages of make deb, boot/config, system and data partitions, made without
# loop devices (tools/build-image) in $(BUILD)/image/vuoro-amd64.img.
# make image ARCH=arm64: the Raspberry Pi 4 image, vuoro-arm64.img, from
# make deb ARCH=arm64's packages (its root's programs run under
# qemu-user-static through binfmt_misc, set up and undone by build-image).
image:
	$(Q)tools/install-deps --long
	$(Q)$(MAKE) --no-print-directory deb $(if $(DEB_ARCH),ARCH=$(DEB_ARCH))
	$(Q)tools/build-image $(BUILD) $(or $(DEB_ARCH),amd64)

# The image boots in qemu (TCG), first boot reads the site's settings,
# vuorod answers /api/health through a forwarded port (BENCH
# image_boot_to_health_s), and a re-flash of the system keeps the data.
test-image: image
	$(Q)tests/image/run.sh $(BUILD)

# The arm64 image is built and its content checked offline: MBR layout and
# labels, the Pi's firmware, device tree, config.txt, kernel and initrd (its
# modules) on VUORO-BOOT, vuorod an aarch64 program, fonts; then a copy boots
# in qemu-system-aarch64 -M virt (TCG) to /api/health (ARM64_BOOT=0: not)
# (tests/image/arm64.sh).
test-image-arm64:
	$(Q)$(MAKE) --no-print-directory image ARCH=arm64
	$(Q)ARM64_BOOT=$${ARM64_BOOT:-1} tests/image/arm64.sh $(BUILD)

# The packages on a clean Debian 12 root (debootstrap minbase): installed by
# apt, served, removed and purged; an upgrade from an older schema keeps the
# day's queue, a downgrade is refused (tests/packages/clean-install.sh).
test-packages:
	$(Q)tools/install-deps --long
	$(Q)tests/packages/clean-install.sh $(BUILD)

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/bench $(BUILD)

check-config: $(BUILD)/vuorod
	$(Q)for f in board-config/*.conf; do $(BUILD)/vuorod --check-config $$f || exit 1; done

install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/vuoro/ui \
		$(DESTDIR)$(PREFIX)/share/vuoro/board-config $(DESTDIR)$(SYSCONFDIR)/vuoro \
		$(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/vuorod $(BUILD)/vuoroctl $(DESTDIR)$(PREFIX)/bin/
	# vuoro-hub (the region's centre): its program, its SQL, its unit, an
	# example config and the NATS cluster's templates.
	install -m 755 $(BUILD)/vuoro-hub $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/vuoro/hub/sql $(DESTDIR)$(PREFIX)/share/vuoro/hub/nats
	install -m 644 hub/sql/*.sql $(DESTDIR)$(PREFIX)/share/vuoro/hub/sql/
	install -m 644 hub/hub.conf.example $(DESTDIR)$(PREFIX)/share/vuoro/hub/
	install -m 644 hub/deploy/nats/node.conf.in $(DESTDIR)$(PREFIX)/share/vuoro/hub/nats/
	install -m 755 hub/deploy/nats/users.sh $(DESTDIR)$(PREFIX)/share/vuoro/hub/nats/
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DATADIR@|$(PREFIX)/share/vuoro|g' board-config/vuoro-hub.service.in \
		> $(DESTDIR)$(UNITDIR)/vuoro-hub.service
	if [ -d ui ]; then cp -R ui/. $(DESTDIR)$(PREFIX)/share/vuoro/ui/; fi
	install -m 644 board-config/*.conf $(DESTDIR)$(PREFIX)/share/vuoro/board-config/
	install -d $(DESTDIR)$(SYSCONFDIR)/vuoro/displays
	install -m 644 board-config/displays/*.map $(DESTDIR)$(SYSCONFDIR)/vuoro/displays/
	# The default board-config: the sim board's, writing to the state
	# directory (vuorod.service's) instead of the source tree's build/run.
	test -e $(DESTDIR)$(SYSCONFDIR)/vuoro/vuoro.conf || { \
		sed -e 's|= build/run/|= $(STATEDIR)/|' board-config/sim.conf \
			> $(DESTDIR)$(SYSCONFDIR)/vuoro/vuoro.conf && \
		chmod 640 $(DESTDIR)$(SYSCONFDIR)/vuoro/vuoro.conf; }
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DATADIR@|$(PREFIX)/share/vuoro|g' board-config/vuorod.service.in \
		> $(DESTDIR)$(UNITDIR)/vuorod.service
	sed -e 's|@CAGE@|/usr/bin/cage|g' -e 's|@COG@|/usr/bin/cog|g' \
		board-config/vuoro-kiosk@.service.in \
		> $(DESTDIR)$(UNITDIR)/vuoro-kiosk@.service
	# Users, groups and modes are made on the board by systemd-sysusers and
	# systemd-tmpfiles (and udev for the GPIO chips), never here: no root needed.
	install -d $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d \
		$(DESTDIR)$(UDEVRULESDIR)
	install -m 644 board-config/vuoro.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/vuoro.conf
	install -m 644 board-config/vuoro-kiosk.sysusers \
		$(DESTDIR)$(PREFIX)/lib/sysusers.d/vuoro-kiosk.conf
	install -m 644 board-config/vuoro-hub.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/vuoro-hub.conf
	install -m 644 board-config/vuoro.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/vuoro.conf
	install -m 644 board-config/60-vuoro-gpio.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/vuoro/

# The packages (README "Install from packages"): dpkg-buildpackage in a copy
# of the tree under $(BUILD)/deb, so nothing it makes lands in the sources;
# the .deb, .changes and .buildinfo files end up in $(BUILD)/deb.  The
# version is VERSION's: debian/changelog must name it first.  The package
# build runs in a clean environment (none of this make's variables, e.g. a
# CFLAGS or SAN given to it): its flags are dpkg-buildflags', its paths
# debian/rules'.
#
# make deb ARCH=arm64 cross-builds them for a Raspberry Pi 4/5 (README
# "arm64") into $(BUILD)/deb-arm64, against the Debian 12 arm64 sysroot of
# tests/arm64/sysroot.sh ($(BUILD)/arm64/sysroot): the Build-Depends are
# there, not in this machine's dpkg database, hence -d.  ARCH is taken from
# make's command line only (an ARCH in the environment is a kernel build's).
DEB_ARCH := $(if $(filter command line,$(origin ARCH)),$(filter-out $(shell dpkg --print-architecture),$(ARCH)))
DEB_OUT := $(BUILD)/deb$(if $(DEB_ARCH),-$(DEB_ARCH))
DEB_SRC := $(DEB_OUT)/vuoro-$(VERSION)
DEB_JOBS ?= 2
DEB_SYSROOT := $(if $(DEB_ARCH),$(abspath $(BUILD)/$(DEB_ARCH)/sysroot))

deb:
	$(Q)cv=$$(dpkg-parsechangelog -S Version); [ "$$cv" = "$(VERSION)" ] || \
		{ echo "make deb: debian/changelog says $$cv, VERSION says $(VERSION):" \
			"add a debian/changelog entry for $(VERSION) (dch -v $(VERSION))" >&2; exit 1; }
	$(Q)case "$(DEB_ARCH)" in ''|arm64) ;; *) echo "make deb: ARCH=$(DEB_ARCH): only arm64" \
		"cross-builds (tests/arm64/sysroot.sh)" >&2; exit 1;; esac
	$(if $(DEB_ARCH),$(Q)tests/arm64/sysroot.sh $(DEB_SYSROOT))
	$(Q)rm -rf $(DEB_OUT) && mkdir -p $(DEB_SRC)
	$(Q)git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done; true' sh | \
		tar -c --null -T - -f - | tar -x -C $(DEB_SRC)
	$(Q)cd $(DEB_SRC) && env -i PATH="$$PATH" HOME="$$HOME" LC_ALL=C.UTF-8 \
		TMPDIR="$${TMPDIR:-/tmp}" \
		DEB_BUILD_OPTIONS="parallel=$(DEB_JOBS) $(if $(DEB_ARCH),nocheck) $(DEB_BUILD_OPTIONS)" \
		$(if $(DEB_ARCH),VUORO_SYSROOT=$(DEB_SYSROOT)) \
		dpkg-buildpackage -b -us -uc $(if $(DEB_ARCH),-a $(DEB_ARCH) -d) >../build.log 2>&1 || \
		{ tail -40 ../build.log; echo "make deb: failed, see $(DEB_OUT)/build.log" >&2; exit 1; }
	$(Q)rm -rf $(DEB_SRC)
	$(Q)ls $(DEB_OUT)/*.deb

C_FILES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find firmware hal tools tests -name '*.[ch]')

format:
	clang-format -i $(C_FILES)

format-check:
	$(Q)clang-format --dry-run --Werror $(C_FILES) && echo "format-check: ok"

clean:
	rm -rf $(BUILD)

# (Not into the Debian roots that test-stock, test-packages, the image and
# the arm64 build (its sysroot, also when BUILD is build/arm64) make there,
# nor into test-tsan's GLib and GStreamer sources and builds, tsan/libs.)
-include $(shell find $(BUILD) \( -path $(BUILD)/stock -o -path $(BUILD)/pkgclean -o -path $(BUILD)/image -o -name sysroot -o -path '*/tsan/libs' \) -prune -o -name '*.d' -type f -print 2>/dev/null)
