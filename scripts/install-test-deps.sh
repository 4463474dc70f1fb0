#!/usr/bin/env bash
# Install the system packages the test suite needs (Debian/Ubuntu): the real
# peers (openssl, curl, tinyproxy, squid, mitmproxy), the oracle (tshark,
# dumpcap, capinfos, editcap), libpcap headers for `cap`, tcpreplay, and the
# Chromium that drives the end-to-end tests. Safe to run again.
set -euo pipefail
pkgs=(tshark libpcap-dev tinyproxy squid mitmproxy tcpreplay chromium curl openssl python3 libcap2-bin time iproute2 ca-certificates fonts-wqy-microhei)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies: all installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "test dependencies: installing ${missing[*]}"
# dumpcap: keep it non-setuid (tests run as root; the capture helper has its own permission model)
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
