#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need, when missing:
# real prometheus / promtool, node-exporter, alertmanager / amtool, chromium, openssl (test
# certificates), Go with sprig and sigs.k8s.io/yaml (the Helm chart renderer in test/helm-render),
# util-linux and mount (unshare, setpriv, findmnt, mount: the packaging test's read-only root),
# libjemalloc2 (the allocator the image preloads), and python3 with numpy, pandas and statsmodels
# for the shared benchmark scorers.
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/Masterminds/sprig ] || need+=(golang-github-masterminds-sprig-dev)
[ -d /usr/share/gocode/src/sigs.k8s.io/yaml ] || need+=(golang-k8s-sigs-yaml-dev)
for bin in unshare setpriv findmnt; do command -v "$bin" >/dev/null 2>&1 || need+=(util-linux); done
command -v mount >/dev/null 2>&1 || need+=(mount)
# the allocator the image preloads; test/churn-soak.test.ts runs the exporter with it
[ -n "$(find /usr/lib -name libjemalloc.so.2 -print -quit 2>/dev/null)" ] || need+=(libjemalloc2)
if [ "${WITH_BENCH_DEPS:-0}" = 1 ]; then
  /usr/bin/python3 -c 'import numpy, pandas, statsmodels' 2>/dev/null || need+=(python3-numpy python3-pandas python3-statsmodels)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# the Debian packages start services on install; the tests start their own on free ports
for svc in prometheus prometheus-node-exporter prometheus-alertmanager; do
  $SUDO systemctl stop "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
