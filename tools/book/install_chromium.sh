#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
# Install it when we can (root with apt); on CI its absence is an error, elsewhere the tests skip.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
fi
command -v chromium >/dev/null 2>&1 && exit 0
if [ -n "${CI:-}" ]; then
  echo "install_chromium: chromium could not be installed, and CI needs the browser tests" >&2
  exit 1
fi
echo "install_chromium: chromium is not installed; the browser tests will be skipped" >&2
