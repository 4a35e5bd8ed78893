# mk/report.mk - codesim report's plotting libraries and its browser test.
#
# `make web`: npm installs reports/web/package.json's pinned packages from
# its committed package-lock.json into reports/web/node_modules: vega,
# vega-lite and vega-embed (copied next to every report so that it opens
# offline; rendered to static SVG by reports/web/figures.mjs) and
# playwright-core (drives Debian's chromium in the report test,
# reports/web/probe.mjs).  The codesim binary is built after it.
# rsvg-convert (Debian librsvg2-bin) turns the static SVG figures into PDF.

CMD_DEPS += node:nodejs npm:npm rsvg-convert:librsvg2-bin

WEB_DIR := reports/web
WEB_STAMP := $(WEB_DIR)/node_modules/.codesim-stamp

.PHONY: web
web: $(WEB_STAMP)

$(WEB_STAMP): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json | deps
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(BUILD)/codesim $(BUILD)/codesim-san: | $(WEB_STAMP)

# `make install` also installs what codesim report needs at run time: the
# plotting libraries and figures.mjs with the npm packages it imports (not
# playwright-core, which only the test uses), into PREFIX/share/codesim/.
.PHONY: install-web
install: install-web
install-web: $(WEB_STAMP)
	@dest="$(DESTDIR)$(PREFIX)/share/codesim/$(WEB_DIR)"; \
	install -d "$$dest" && \
	install -m 644 $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json $(WEB_DIR)/figures.mjs "$$dest/" && \
	rm -rf "$$dest/node_modules" && cp -R $(WEB_DIR)/node_modules "$$dest/node_modules" && \
	rm -rf "$$dest/node_modules/playwright-core" "$$dest/node_modules/.bin/playwright-core"
