#!/usr/bin/env bash
# Bench-only system packages: the PyTorch anchor and an optimized BLAS. Run by bench/run.ts before
# measuring, never by `pnpm install`. Without OpenBLAS, Debian's numpy and torch link the reference
# BLAS (~2.7 GFLOPS here instead of ~60), which would make the anchor meaningless.
set -u
want=()
/usr/bin/python3 -c "import numpy" 2>/dev/null || want+=(python3-numpy)
/usr/bin/python3 -c "import torch" 2>/dev/null || want+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || want+=(libopenblas0-pthread)
if [ ${#want[@]} -eq 0 ]; then
  echo "setup: python3-torch, python3-numpy and OpenBLAS present"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "setup: missing ${want[*]} and not root: install them with apt-get, or the PyTorch rows are skipped"
  exit 0
fi
echo "setup: apt-get install ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${want[@]}" >/tmp/stepwise-bench-apt.log 2>&1 \
  || { apt-get update >>/tmp/stepwise-bench-apt.log 2>&1 && apt-get install -y --no-install-recommends "${want[@]}" >>/tmp/stepwise-bench-apt.log 2>&1; } \
  || echo "setup: apt-get failed (see /tmp/stepwise-bench-apt.log); the PyTorch rows will be skipped"
exit 0
