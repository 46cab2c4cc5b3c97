# crosscast: make run starts it, make test proves it.
GO      ?= go
BIN     := bin/crosscast
OUT     ?= out
FUZZTIME ?= 60s

.PHONY: run test test-short lint bench bench-juice build tools fuzz clean

# -v names each package as it is compiled: silent when the build cache is
# warm, a running list on a fresh machine, where the first build compiles
# every dependency (about 4.5 minutes on 2 cores).
build:
	@echo "building $(BIN) (the first build on a fresh machine takes a few minutes)"
	$(GO) build -v -o $(BIN) ./cmd/crosscast

# run starts the whole product on this machine: API, workers and
# reconciler, with an in-process Redis and ./data/crosscast.db unless
# REDIS_URL / DATABASE_URL say otherwise. The example brands are loaded;
# submit the example items from another terminal (README, quick start).
run: build
	$(BIN) serve --brands examples

test:
	$(GO) test -count=1 -timeout 30m ./...

# test-short is the quick local run: -short skips the crash and poison
# tests, the browser tests, the bad-input corpus and the tests that
# render the example photos through every channel.
# Most packages spend their time waiting on the databases and Redis, not
# on the CPU, so it runs more packages at once than there are cores.
test-short:
	$(GO) test -short -p 10 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# bench: the renderers' micro-benchmarks, then the whole pipeline
# (submit → every channel rendered) with workers in one process and in
# two worker processes, then crosscast render against hugo. Figures are
# printed, not asserted.
BENCH_ITEMS ?= 40
# bench render: crosscast render beside hugo (if installed) on generated
# text-only pages, at each size, so memory growth with size shows.
BENCH_PAGES ?= 1000,10000
bench: build
	$(GO) test -run='^$$' -bench=. -benchmem ./content/... ./renderers/...
	$(BIN) bench --items $(BENCH_ITEMS)
	$(BIN) bench --items $(BENCH_ITEMS) --procs 2 --concurrency 1
	$(BIN) bench render --items $(BENCH_PAGES)

# bench-juice: crosscast's CSS inliner and juice (npm) on the same email
# and CSS, one core each. Needs Node.js; fetches juice into bench/.
bench-juice:
	npm ci --prefix bench --no-audit --no-fund
	node bench/juice.mjs
	$(GO) test -run='^$$' -bench=BenchmarkInline -benchmem -cpu 1 ./renderers/email

# The checkers the tests use (Nu HTML Checker, axe-core, linkinator).
tools:
	npm ci --prefix tools --no-audit --no-fund

# Minimising a slow input can stall a run for a minute; 5 s is plenty.
FUZZ = $(GO) test -run='^$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s
fuzz:
	$(FUZZ) -fuzz=FuzzDSN ./bounce
	$(FUZZ) -fuzz=FuzzARF ./bounce
	$(FUZZ) -fuzz=FuzzOpen ./bounce
	$(FUZZ) -fuzz=FuzzWebhookBodies ./bounce
	$(FUZZ) -fuzz=FuzzParse ./content
	$(FUZZ) -fuzz=FuzzSanitizeSVG ./content
	$(FUZZ) -fuzz=FuzzPasted ./content
	$(FUZZ) -fuzz=FuzzSanitize ./renderers/markup
	$(FUZZ) -fuzz=FuzzReadBundle ./server/api
	$(FUZZ) -fuzz=FuzzClip ./renderers/catalog
	$(FUZZ) -fuzz=FuzzPosts ./renderers/social
	$(FUZZ) -fuzz=FuzzRender ./renderers/social
	$(FUZZ) -fuzz=FuzzHeaders ./renderers/email
	$(FUZZ) -fuzz=FuzzSplitSource ./server/ui
	$(FUZZ) -fuzz=FuzzRenderBounded ./renderers

clean:
	rm -rf bin $(OUT) data
