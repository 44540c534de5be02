# threadmap — the targets a newcomer guesses.
GO ?= go
BIN := bin/threadmap
GOPKGS := $(shell bash scripts/gopkgs)

.PHONY: all build ui demo test e2e bench fuzz lint clean

all: build

ui:
	bash scripts/ui-build

build: ui
	$(GO) build -o $(BIN) ./backend/cmd/threadmap

# The built-in demo mesh: the UI on http://127.0.0.1:8080 (THREADMAP_LISTEN to move it).
demo: build
	./$(BIN) serve --demo

# Every test: Go unit, fuzz seed corpora, fixtures, netns, frontend unit and browser e2e.
test:
	bash scripts/test

e2e:
	bash scripts/e2e

bench:
	bash scripts/bench

fuzz:
	bash scripts/fuzz

# gofmt, go vet and staticcheck (the pinned version, fetched by the Go toolchain).
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@echo "== gofmt"; out=$$(gofmt -l backend store thread matter frontend); if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	@echo "== go vet"; $(GO) vet $(GOPKGS)
	@echo "== staticcheck"; $(STATICCHECK) $(GOPKGS)

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
