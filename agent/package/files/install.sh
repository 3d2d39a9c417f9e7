#!/bin/sh
# Installs (or upgrades to) this faultline-agent package from its tarball, as the .deb would:
#   tar -xzf faultline-agent-VERSION-linux-ARCH.tar.gz && sudo faultline-agent/share/install.sh
# The program goes to /usr/lib/faultline-agent (swapped in whole, so an upgrade leaves no stale
# file), `faultline-agent` to /usr/bin, the unit to /etc/systemd/system, the default config to
# /etc/faultline/agent.yaml unless one is there (yours is never overwritten). The outbox in
# /var/lib/faultline-agent is kept: events queued before an upgrade are sent after it.
# --root DIR installs under DIR instead of / (an image being built, a test): no user is created
# and systemd is not told.
set -eu

root=/
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (only --root DIR)" >&2; exit 2 ;;
  esac
done
root=${root%/}
pkg=$(cd "$(dirname "$0")/.." && pwd)
lib=$root/usr/lib/faultline-agent
systemd=false
if [ -z "$root" ] && [ -d /run/systemd/system ]; then systemd=true; fi

was_active=false
if $systemd && systemctl is-active --quiet faultline-agent.service; then
  was_active=true
  echo "stopping faultline-agent (its outbox stays on disk)"
  systemctl stop faultline-agent.service
fi

mkdir -p "$root/usr/lib" "$root/usr/bin" "$root/etc/faultline" "$root/etc/systemd/system"
rm -rf "$lib.new" "$lib.old"
mkdir "$lib.new"
(cd "$pkg" && tar -cf - bin lib node_modules package.json README.md share) | (cd "$lib.new" && tar -xf -)
if [ -d "$lib" ]; then mv "$lib" "$lib.old"; fi
mv "$lib.new" "$lib"
rm -rf "$lib.old"
ln -sf ../lib/faultline-agent/bin/faultline-agent "$root/usr/bin/faultline-agent"
cp "$pkg/share/faultline-agent.service" "$root/etc/systemd/system/faultline-agent.service"
if [ ! -e "$root/etc/faultline/agent.yaml" ]; then
  cp "$pkg/share/agent.yaml" "$root/etc/faultline/agent.yaml"
  echo "installed the default config $root/etc/faultline/agent.yaml: edit it"
fi

if [ -z "$root" ]; then
  if ! getent passwd faultline-agent >/dev/null; then
    if command -v adduser >/dev/null && adduser --help 2>&1 | grep -q -- --system; then
      addgroup --system --quiet faultline-agent 2>/dev/null || true
      adduser --system --quiet --ingroup faultline-agent --home /var/lib/faultline-agent --no-create-home --shell /usr/sbin/nologin faultline-agent
    else
      useradd --system --user-group --home-dir /var/lib/faultline-agent --no-create-home --shell /usr/sbin/nologin faultline-agent
    fi
  fi
  if getent group dialout >/dev/null; then usermod -a -G dialout faultline-agent; fi
  install -d -o faultline-agent -g faultline-agent -m 0750 /var/lib/faultline-agent
  chown root:faultline-agent /etc/faultline/agent.yaml
  chmod 0640 /etc/faultline/agent.yaml
else
  mkdir -p "$root/var/lib/faultline-agent"
fi

version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$lib/package.json")
echo "faultline-agent $version installed in $lib"
if $systemd; then
  systemctl daemon-reload
  if $was_active; then
    systemctl start faultline-agent.service
    echo "faultline-agent restarted"
  else
    echo "check the config: faultline-agent check --config /etc/faultline/agent.yaml"
    echo "then: systemctl enable --now faultline-agent"
  fi
fi
