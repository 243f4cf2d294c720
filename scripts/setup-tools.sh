#!/usr/bin/env bash
# Installs (as root) or reports the system tools the tests need: see setup-tools.mjs.
exec node "$(dirname "$0")/setup-tools.mjs" "$@"
