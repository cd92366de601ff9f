#!/usr/bin/env bash
# Debian packages the lab tests and discovery scripts use: real lldpd, sshd, Nagios plugins, OCF
# agents, iproute2, and Netmiko (the network engineers' SSH client, driven against the device emulator). Daemons are started by the tests themselves, so package installs must not
# start services: a policy-rc.d that answers 101 ("action forbidden") holds them back.
set -euo pipefail

PACKAGES=(iproute2 lldpd openssh-server openssh-client monitoring-plugins-basic resource-agents procps iputils-ping python3-netmiko sshpass python3-textfsm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
policy=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy" ] && had_policy=1
if [ $had_policy -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
fi
trap '[ $had_policy -eq 0 ] && $SUDO rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "system packages: installed ${missing[*]}"
