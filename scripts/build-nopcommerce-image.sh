#!/usr/bin/env bash
# Build rehearse/nopcommerce:VERSION from nopCommerce's official Linux release package.
# usage: scripts/build-nopcommerce-image.sh 4.70.5 path/to/nopCommerce_4.70.5_NoSource_linux_x64.zip
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ] || [ ! -f "$2" ]; then
  echo "usage: $0 VERSION RELEASE_PACKAGE.zip (the NoSource_linux_x64 zip of that version)" >&2
  exit 2
fi
version="$1" package="$2"
runtime="$(.venv/bin/python - "$version" <<'PY'
import sys
from rehearse.catalog import aspnet_image, resolve
from rehearse.errors import RehearseError
try:
    print(aspnet_image(resolve(sys.argv[1])))
except RehearseError as error:
    sys.exit(f"error: {error.message}\nhint: {error.hint}")
PY
)" || exit 2
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp images/nopcommerce/Dockerfile "$context/"
cp "$package" "$context/package.zip"
docker build -t "rehearse/nopcommerce:$version" --build-arg "RUNTIME_IMAGE=$runtime" \
  --build-arg PACKAGE=package.zip "$context"
echo "built rehearse/nopcommerce:$version on $runtime" >&2
