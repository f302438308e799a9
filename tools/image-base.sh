#!/usr/bin/env bash
# A slim Debian base image with Python, made from Debian's packages, for
# machines that reach no image registry (so `FROM python:3.12-slim` cannot be
# pulled): debootstrap's minimal variant plus python3, trimmed of docs and
# caches, imported into podman's store.
#
#   tools/image-base.sh            prints the image's name, building it if missing
#
# The image is named after the package list and the month, so it is made once
# a month per machine (and again when PACKAGES changes); podman's store is
# the cache. Needs root, debootstrap and podman (CONTAINERS_CONF as the tests
# set it, see tools/podman/containers.conf).
set -euo pipefail

SUITE="${SUITE:-bookworm}"
PACKAGES="python3"
key="$(printf '%s %s' "$SUITE" "$PACKAGES" | sha256sum | cut -c1-12)"
IMAGE="localhost/fake-server-base:${SUITE}-${key}-$(date -u +%Y%m)"

if podman image exists "$IMAGE"; then
    echo "$IMAGE"
    exit 0
fi

# The mirror apt already uses (a one-line sources.list, or deb822 .sources).
mirror="$(
    {
        sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null || true
        sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    } | grep -v security | head -n 1
)"
if [ -z "$mirror" ]; then
    echo "image-base.sh: no Debian mirror found in apt's sources" >&2
    exit 1
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
echo "image-base.sh: debootstrap $SUITE ($PACKAGES) for $IMAGE" >&2
debootstrap --variant=minbase --include="${PACKAGES// /,}" "$SUITE" "$root" "$mirror" >&2
# What a slim image leaves out: documentation, manuals, translations, apt's lists and caches.
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
    "$root"/var/log/* "$root"/tmp/*
tar -C "$root" --numeric-owner -c . | podman import --change 'CMD ["python3"]' - "$IMAGE" >&2
echo "$IMAGE"
