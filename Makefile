GO ?= go

.PHONY: all build test test-browser vet fmt-check lint demo bench chaos clean

all: build

build:
	$(GO) build -o bin/ ./cmd/...

test: vet fmt-check
	$(GO) test -race -count=1 -timeout 15m ./...

# test-browser loads the dashboard in headless Chromium (apt-get install
# chromium); make test skips that test when Chromium is missing.
test-browser:
	BROWSER_TEST=1 $(GO) test -count=1 -run Browser ./internal/httpapi/

vet:
	$(GO) vet ./...

# fmt-check fails listing the files gofmt would change.
fmt-check:
	@files=$$(gofmt -l .); \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi

# lint adds the go.mod check where the go command has go mod tidy -diff.
lint: vet fmt-check
	@if $(GO) help mod tidy | grep -q -- '-diff'; then $(GO) mod tidy -diff; \
	else echo "go mod tidy -diff is not supported by this go; skipped"; fi

demo:
	bash scripts/demo.sh

bench:
	bash scripts/bench.sh

chaos:
	bash scripts/chaos.sh

clean:
	rm -rf bin
