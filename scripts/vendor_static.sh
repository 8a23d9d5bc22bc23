#!/usr/bin/env bash
# Re-vendor the workbench's browser libraries from their npm releases at the versions pinned in
# app/web/static/vendor/VENDORED.tsv, checking each file's SHA-256. The files are committed, so the
# web app never loads anything from a CDN and works offline; run this only to verify or to upgrade
# (edit the version and hash in VENDORED.tsv, then run it).
set -euo pipefail
cd "$(dirname "$0")/../app/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grep -v '^#' VENDORED.tsv | while IFS=$'\t' read -r package version inner vendored sha; do
	(cd "$work" && npm pack --silent "$package@$version" >/dev/null && mkdir -p "$package" && tar xzf ./*.tgz -C "$package" && rm ./*.tgz)
	actual="$(sha256sum "$work/$package/package/$inner" | cut -d' ' -f1)"
	if [ "$actual" != "$sha" ]; then
		echo "$package@$version $inner: sha256 $actual, expected $sha" >&2
		exit 1
	fi
	cp "$work/$package/package/$inner" "$vendored"
	echo "$package@$version -> $vendored (sha256 ok)"
done
