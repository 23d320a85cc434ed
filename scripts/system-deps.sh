#!/usr/bin/env bash
# Debian packages the desk needs, installed when missing (as root), else named for the user.
# gettext: msgfmt --check, msgmerge and msgcat, the reference the tests and benchmarks compare with.
set -euo pipefail
need=()
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
if ((${#need[@]} == 0)); then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
else
  echo "Please install these Debian packages (as root): ${need[*]}" >&2
  exit 1
fi
