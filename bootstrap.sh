#!/bin/sh
# Regenerate the autotools files after a fresh checkout.
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --install --force
