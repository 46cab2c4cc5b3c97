# crosscast: make run starts it, make test proves it.
GO      ?= go
BIN     := bin/crosscast
OUT     ?= out
BRANDS  := $(notdir $(wildcard examples/*))
FUZZTIME ?= 60s

.PHONY: run test lint bench build tools fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/crosscast

# Until the server lands, run renders every bundled example into $(OUT).
run: build
	@for b in $(BRANDS); do $(BIN) render examples/$$b/items --brand examples/$$b -o $(OUT) || exit 1; done
	@echo
	@echo "Open the portal pages in a browser, e.g.:"
	@echo "  file://$(CURDIR)/$(OUT)/kestrel/ridgeline-2-our-lightest-two-person-tent-yet/portal/index.html"

test:
	$(GO) test -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./content/... ./renderers/...

# The HTML and accessibility checkers the tests use (Nu HTML Checker, axe-core).
tools:
	npm ci --prefix tools --no-audit --no-fund

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./content
	$(GO) test -run='^$$' -fuzz=FuzzSanitize -fuzztime=$(FUZZTIME) ./renderers/markup

clean:
	rm -rf bin $(OUT)
