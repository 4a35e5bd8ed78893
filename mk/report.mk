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
