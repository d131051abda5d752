# The README's two commands: `make demo` (the main job on the embedded data) and `make test`.
SWIFT ?= swift
DEMO_MODEL ?= fixtures/models/sklearn-conda

.PHONY: demo test build bootstrap python release clean golden format format-check

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

# The binary to ship and to measure: the Swift runtime and Foundation linked in statically, so
# that a command starts without loading and binding a dozen shared libraries (`mlenv --version`
# 4.7 ms instead of 10.2; a warm resolve of the main fixture 7 ms faster). `.build/release/mlenv`.
release: bootstrap
	$(SWIFT) build -c release --static-swift-stdlib

# The main job on the embedded data: resolve the fixture model for an Azure ML online endpoint
# and write its lock files to .build/demo. (Without `--sources embedded`, mlenv asks the live
# indexes the model and pip are configured with.)
demo: build
	$(SWIFT) run --skip-build mlenv resolve $(DEMO_MODEL) --deployment azureml-online --sources embedded
	$(SWIFT) run --skip-build mlenv lock $(DEMO_MODEL) --deployment azureml-online --sources embedded -o .build/demo --force

# The Python tools the tests compare against: pip and uv (scripts/python-tools), real MLflow
# for the scoring core (scripts/python-env). Both are idempotent.
python: bootstrap
	@scripts/python-tools
	@scripts/python-env >/dev/null

# `make test` checks the formatting first (scripts/format-check; `make format` rewrites the
# files). CHECK_FORMAT=0 skips the check.
CHECK_FORMAT ?= 1

test: bootstrap python
	@if [ "$(CHECK_FORMAT)" = 1 ]; then scripts/format-check; fi
	$(SWIFT) build --build-tests
	MLENV_SOURCES=embedded MLENV_REQUIRE_TOOLS=1 MLENV_E2E=1 $(SWIFT) test --skip-build

# Rewrite Tests/CLITests/Golden (lock files, Dockerfile, SARIF, resolve text and JSON on the
# embedded snapshot) after an intended output change; review `git diff Tests/CLITests/Golden`.
golden: bootstrap
	$(SWIFT) build --build-tests
	MLENV_SOURCES=embedded MLENV_UPDATE_GOLDEN=1 $(SWIFT) test --skip-build --filter GoldenOutputTests

clean:
	rm -rf .build

# The Swift sources as .swift-format says: `make format-check` reports (file:line, exit 1),
# `make format` rewrites them in place.
format-check:
	@scripts/format-check

format:
	@scripts/format-check --fix
