# The README's two commands: `make demo` (the main job on the embedded data) and `make test`.
SWIFT ?= swift
DEMO_MODEL ?= fixtures/models/sklearn-conda

.PHONY: demo test build bootstrap release clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

demo: build
	$(SWIFT) run --skip-build mlenv inspect $(DEMO_MODEL)

test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
