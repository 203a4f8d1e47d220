#!/usr/bin/env bash
# Vendors GOV.UK Frontend's precompiled CSS/JS from its npm package into static/govuk/.
# No JS build step: the files are committed. Re-run to upgrade (then check crispy-forms-gds and
# govuk-frontend-django still match the version).
#
# The GDS Transport typeface and the crown are licensed for GOV.UK services only, so the CSS is
# rewritten to Arial and the fonts are not copied; asset URLs are made relative to the CSS file.
set -euo pipefail
version=${1:-5.14.0}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "govuk-frontend@$version" >/dev/null && tar xzf "govuk-frontend-$version.tgz")
dest="$here/static/govuk"
rm -rf "$dest" && mkdir -p "$dest/assets"
cp "$tmp/package/dist/govuk/govuk-frontend.min.js" "$dest/"
cp -r "$tmp/package/dist/govuk/assets/images" "$dest/assets/"
cp "$tmp/package/dist/govuk/assets/manifest.json" "$dest/assets/" 2>/dev/null || true
sed -e 's#url(/assets/#url(assets/#g' \
    -e 's#font-family:GDS Transport,arial,sans-serif#font-family:arial,sans-serif#g' \
    -e 's#font-family:GDS Transport#font-family:arial#g' \
    -e 's#@font-face{[^}]*}##g' \
    "$tmp/package/dist/govuk/govuk-frontend.min.css" > "$dest/govuk-frontend.min.css"
cp "$tmp/package/LICENSE.txt" "$dest/LICENSE.txt" 2>/dev/null || true
echo "$version" > "$dest/VERSION"
echo "GOV.UK Frontend $version vendored into static/govuk/"
