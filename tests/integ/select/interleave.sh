#!/bin/sh
# Run interleave.sh with the select(2) backend (-O select).
SC_REMOTED_BACKEND=select; export SC_REMOTED_BACKEND; exec "$(dirname "$0")/../interleave.sh"
