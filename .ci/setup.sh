#!/usr/bin/env bash
# The system packages the tests need, from Debian. One list, used three ways:
#   bash .ci/setup.sh          install what is missing (npm run setup; .ci/run calls it too)
#   bash .ci/setup.sh --check  the preflight of `npm test`: say what is missing and the exact
#                              command that installs it, exit 1; silent and exit 0 when all is there
# What each is for:
#   socat       joins two pseudo-terminals for the serial Modbus RTU test
#   openssl     makes the throwaway certificates of the MQTTS tests
#   chromium    the dashboard's browser tests (driven by playwright-core, which downloads no browser)
#   postgresql  cluster mode's store; tests run initdb + postgres themselves in temp dirs, never the
#               cluster the package may create and start on port 5432
#   mosquitto   cluster mode's external MQTT 5 broker (with its dynamic-security plugin and
#               mosquitto_ctrl); tests start their own on random ports, never the packaged service
#   systemd     systemd-analyze verifies the agent's and the collector's service units
#   dpkg        dpkg-deb builds the agent's .deb
#   adduser     the .deb's maintainer scripts (run by a test in a private mount namespace) call it
#   strace      counts the agent outbox's fsync calls (tests/integration/outbox-durability.test.ts)
#   fonts-wqy-microhei  a CJK font so the Chinese UI renders in review screenshots (not checked by
#               the preflight: the tests read text, not pixels)
set -euo pipefail

have_postgres() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && return 0
  done
  [ -n "${FAULTLINE_PG_BIN:-}" ] && [ -x "$FAULTLINE_PG_BIN/postgres" ]
}

have_dynsec() {
  compgen -G '/usr/lib/*/mosquitto_dynamic_security.so' >/dev/null || [ -e /usr/lib/mosquitto_dynamic_security.so ]
}

missing=()
command -v socat >/dev/null || missing+=(socat)
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
have_postgres || missing+=(postgresql)
{ [ -x /usr/sbin/mosquitto ] && command -v mosquitto_ctrl >/dev/null && have_dynsec; } || missing+=(mosquitto)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v dpkg-deb >/dev/null || missing+=(dpkg)
command -v adduser >/dev/null || missing+=(adduser)
command -v strace >/dev/null || missing+=(strace)

if [ "${1:-}" = "--check" ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "npm test needs system packages that are missing: ${missing[*]}" >&2
    echo "Install them with:  npm run setup" >&2
    as_root=""; [ "$(id -u)" -ne 0 ] && as_root="sudo "
    echo "              or:  ${as_root}apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  exit 0
fi

fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "installing ${missing[*]} needs root: run as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
