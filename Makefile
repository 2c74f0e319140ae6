# SPIS build.  `make` builds the three programs into $(BUILD); `make test`
# runs the whole suite; `make test SAN=1` runs the same suite against an
# ASan+UBSan build in build-san/.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS =
endif

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
SYSCONFDIR ?= /etc
LOCALEDIR = $(PREFIX)/share/locale
UNITDIR ?= $(PREFIX)/lib/systemd/system

VERSION := $(shell cat VERSION)
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS_RPC = grpc libprotobuf-c
PKGS_RPCD = $(PKGS_RPC) sqlite3 inih libsodium pam libxml-2.0
PKGS_TUI = $(PKGS_RPC) ncursesw inih libsodium

CPPFLAGS += -D_GNU_SOURCE -DSPIS_VERSION='"$(VERSION)"' \
	-DSPIS_LOCALEDIR='"$(LOCALEDIR)"' -Ilib -I$(BUILD)/gen
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -pthread $(SANFLAGS) \
	$(shell $(PKG_CONFIG) --cflags $(PKGS_RPCD) ncursesw cmocka)
LDFLAGS += -pthread $(SANFLAGS)

LIBS_RPCD := $(shell $(PKG_CONFIG) --libs $(PKGS_RPCD)) -lunistring -lcsv
LIBS_TUI := $(shell $(PKG_CONFIG) --libs $(PKGS_TUI))
LIBS_TEST := $(shell $(PKG_CONFIG) --libs $(PKGS_RPCD) ncursesw cmocka) -lunistring -lcsv

# Generated protobuf-c code: our contract plus the standard health service.
HEALTH_PROTO_DIR = /usr/share/grpc-proto
PROTOS := $(wildcard proto/spis/v1/*.proto)
PROTO_C := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS)) \
	$(BUILD)/gen/grpc/health/v1/health.pb-c.c
PROTO_H := $(PROTO_C:.c=.h)
PROTO_O := $(PROTO_C:.c=.o)

LIB_SRC := $(wildcard lib/*.c)
LIB_O := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
RPCD_SRC := $(filter-out rpcd/main.c,$(wildcard rpcd/*.c))
RPCD_O := $(patsubst %.c,$(BUILD)/%.o,$(RPCD_SRC))
CONSOLE_O := $(patsubst %.c,$(BUILD)/%.o,$(wildcard console/*.c))
KIOSK_O := $(patsubst %.c,$(BUILD)/%.o,$(wildcard kiosk/*.c))

PROGS = $(BUILD)/spis-rpcd $(BUILD)/spis-console $(BUILD)/spis-kiosk

# Test programs: cmocka unit tests, and C clients used by the integration
# tests (tests/proto holds a test-only service for the runtime tests).
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TPROTOS := $(wildcard tests/proto/*.proto)
TPROTO_C := $(patsubst tests/proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(TPROTOS))
TPROTO_O := $(TPROTO_C:.c=.o)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRC))

# The benchmark's programs (bench/): the registry generator, the load
# client, a bare gRPC-core echo server and the rule loop.  `make bench`
# runs bench/bench.sh; BENCH_PEOPLE=3000000 for Lithuania's size.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
BENCH_PEOPLE ?= 200000

PO := $(wildcard po/*.po)
MO := $(patsubst po/%.po,$(BUILD)/locale/%/LC_MESSAGES/spis.mo,$(PO))

.PHONY: all test test-bin bench install clean pot format
.SECONDARY:

all: $(PROGS) $(MO)

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -Iproto $<

$(BUILD)/gen/grpc/health/v1/health.pb-c.c $(BUILD)/gen/grpc/health/v1/health.pb-c.h: \
		$(HEALTH_PROTO_DIR)/grpc/health/v1/health.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -I$(HEALTH_PROTO_DIR) $<

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: tests/proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -Itests/proto $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# Every object depends on the generated headers so that a fresh build
# generates them first; -MMD keeps the rest of the dependencies exact.
$(BUILD)/%.o: %.c $(PROTO_H) $(TPROTO_C:.c=.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libspis.a: $(LIB_O) $(PROTO_O)
	$(AR) rcs $@ $^

$(BUILD)/librpcd.a: $(RPCD_O)
	$(AR) rcs $@ $^

$(BUILD)/spis-rpcd: $(BUILD)/rpcd/main.o $(BUILD)/librpcd.a $(BUILD)/libspis.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_RPCD)

$(BUILD)/spis-console: $(CONSOLE_O) $(BUILD)/libspis.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TUI)

$(BUILD)/spis-kiosk: $(KIOSK_O) $(BUILD)/libspis.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TUI)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/librpcd.a $(BUILD)/libspis.a $(TPROTO_O)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Irpcd $(CFLAGS) -Wno-missing-prototypes -o $@ $^ $(LDFLAGS) $(LIBS_TEST)

$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/librpcd.a $(BUILD)/libspis.a $(TPROTO_O)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Irpcd $(CFLAGS) -Wno-missing-prototypes -o $@ $^ $(LDFLAGS) $(LIBS_TEST)

$(BUILD)/bench/%: bench/%.c $(BUILD)/librpcd.a $(BUILD)/libspis.a $(TPROTO_O)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Irpcd $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LIBS_RPCD)

$(BUILD)/locale/%/LC_MESSAGES/spis.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

test-bin: all $(UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN)

test: test-bin
	SPIS_BUILD=$(BUILD) SPIS_SAN=$(SAN) bash tests/run.sh

bench: all $(BENCH_BIN)
	SPIS_BUILD=$(BUILD) BENCH_PEOPLE=$(BENCH_PEOPLE) bash bench/bench.sh

# The translation template is regenerated from the sources; the catalogues
# are merged so that new strings show up untranslated in po/*.po.
pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -o po/spis.pot --package-name=spis \
		$(wildcard lib/*.c console/*.c kiosk/*.c)
	for p in $(PO); do msgmerge -q -U --backup=none $$p po/spis.pot; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/spis $(DESTDIR)$(UNITDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 0644 dist/spis.conf.sample $(DESTDIR)$(SYSCONFDIR)/spis/spis.conf.sample
	install -m 0644 dist/spis.pam.sample $(DESTDIR)$(SYSCONFDIR)/spis/spis.pam.sample
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/spis-rpcd.service.in \
		> $(DESTDIR)$(UNITDIR)/spis-rpcd.service
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/spis-kiosk@.service.in \
		> $(DESTDIR)$(UNITDIR)/spis-kiosk@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/spis-rpcd.service $(DESTDIR)$(UNITDIR)/spis-kiosk@.service
	for m in $(MO); do l=$${m#$(BUILD)/locale/}; \
		install -D -m 0644 $$m $(DESTDIR)$(LOCALEDIR)/$$l; done

format:
	clang-format -i $(wildcard lib/*.[ch] rpcd/*.[ch] console/*.[ch] kiosk/*.[ch] tests/unit/*.c tests/tools/*.c bench/*.c)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
