# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPEC ?= ../shared/spec/openai-openapi.yaml
# Where `make run` serves: make run PORT=9000 (HOST=0.0.0.0 also needs
# FAKE_SERVER_ADMIN_TOKEN set, to protect the control plane).
PORT ?= 8080
HOST ?= 127.0.0.1
# tests/node (the openai npm SDK) runs where Node 20 or newer is on the PATH.
NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
NODE_OK := $(shell [ "$(NODE_MAJOR)" -ge 20 ] 2>/dev/null && echo yes)
NODE_PACKAGES := tests/node/node_modules/.package-lock.json
NODE_SKIPPED := echo "*** Node >= 20 not found (node: $(or $(NODE_MAJOR),none)): tests/node SKIPPED ***"

.PHONY: run test test-node test-image node-packages lint docs bench install install-test install-bench schemas screenshot dist wheelhouse image clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install leaves fake_server's own modules uncompiled; compiling
# them here (as a wheel install does) saves ~25 ms on every start when the
# environment sets PYTHONDONTWRITEBYTECODE.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m compileall -q fake_server

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q fake_server

run: install
	$(BIN)/fake-server serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check fake_server tools tests bench
	$(BIN)/ruff format --check fake_server tools tests bench
	$(BIN)/mypy

test: lint node-packages
	@[ -n "$(NODE_OK)" ] || $(NODE_SKIPPED)
	@$(BIN)/pytest; status=$$?; [ -n "$(NODE_OK)" ] || $(NODE_SKIPPED); exit $$status

# Only the Node suite (tests/test_node.py drives it against `fake-server serve`).
test-node: install-test node-packages
	$(BIN)/pytest -rA tests/test_node.py

# The npm packages of tests/node, exactly as its lockfile pins them.
node-packages: $(if $(NODE_OK),$(NODE_PACKAGES))

$(NODE_PACKAGES): tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error

# The documentation site (mkdocs, material theme) into site/. `make test`
# builds it too, strictly, in tests/test_docs_site.py.
docs: install-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

install-bench: install-test
	$(BIN)/pip install --quiet -e '.[test,bench]'

# Not part of `make test`: needs wrk (apt-get install wrk) and takes minutes.
bench: install-bench
	$(BIN)/python bench/run.py

# Regenerate docs/inspector.png and docs/inspector-dark.png, the docs' pictures
# of the inspector page (1440x900, light and dark).
screenshot: install-test
	FAKE_SERVER_SCREENSHOT=1 $(BIN)/pytest -q tests/browser -k screenshot

# Regenerate schemas/ from the pinned spec and the installed MKA1 SDK.
schemas: install-test
	$(BIN)/python tools/extract_schemas.py --spec $(SPEC)

# The wheel to install elsewhere (a CI job, a project in another language)
# until the package is published: pip install dist/vector_store_fake-*.whl
dist: $(BIN)/python
	rm -rf dist
	$(BIN)/pip wheel --quiet --no-deps -w dist .

# The container image (Containerfile): the wheelhouse first, the package and
# every dependency as wheels for the image's Python, so the image build
# downloads nothing. BASE picks the base image, IMAGE_PYTHON its Python version;
# CONTAINER_TOOL=docker builds with Docker. E.g. on a machine that reaches no
# image registry: make image BASE=$$(tools/image-base.sh) IMAGE_PYTHON=3.11
CONTAINER_TOOL ?= podman
IMAGE ?= fake-server:latest
BASE ?= python:3.12-slim-bookworm
IMAGE_PYTHON ?= 3.12
# The wheels' machine name: Linux calls it aarch64 where macOS says arm64.
IMAGE_ARCH := $(subst arm64,aarch64,$(shell uname -m))
WHEELHOUSE := build/wheelhouse
IMAGE_FORMAT := $(if $(filter podman buildah,$(CONTAINER_TOOL)),--format docker)
# More flags for the build (the tests pass --layers=false: no stage kept behind).
IMAGE_BUILD_FLAGS ?=
# The glibc versions whose wheels run on a Debian 12 (bookworm) base; pip
# takes each tag only as given.
MANYLINUX := 2_5 2_12 2_17 2_24 2_27 2_28 2_31 2_34 2_35 2_36

wheelhouse: $(BIN)/python
	rm -rf $(WHEELHOUSE)
	$(BIN)/pip wheel --quiet --no-deps -w $(WHEELHOUSE) .
	$(BIN)/pip download --quiet --disable-pip-version-check --dest $(WHEELHOUSE) \
		--only-binary=:all: --implementation cp --python-version $(IMAGE_PYTHON) \
		$(foreach v,$(MANYLINUX),--platform manylinux_$(v)_$(IMAGE_ARCH)) \
		$(WHEELHOUSE)/vector_store_fake-*.whl pip

image: wheelhouse
	$(CONTAINER_TOOL) build $(IMAGE_FORMAT) $(IMAGE_BUILD_FLAGS) --build-arg BASE=$(BASE) \
		-f Containerfile -t $(IMAGE) .

# Only the image's tests (tests/image: they build the image themselves).
test-image: install-test
	$(BIN)/pytest -m image -rA tests/image

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache tests/node/node_modules
