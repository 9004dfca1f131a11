#!/usr/bin/env bash
# Build the Pulumi CLI (`pulumi`) and the Node.js language host
# (`pulumi-language-nodejs`) from Go sources, at the release that matches the
# npm package @pulumi/pulumi@3.248.0, and put them, together with the
# `pulumi-resource-pulumi-nodejs` dynamic-provider shim shipped in
# node_modules/@pulumi/pulumi, into one bin folder.
#
# The official installer fetches prebuilt binaries from a download site that
# this project's machines cannot reach; the Go module proxy is reachable.
# `go install pkg@version` does not work for these modules because their
# go.mod files carry replace directives, so a small wrapper module is
# generated in the cache folder that requires them and repeats those replaces.
#
# Usage:   bin_dir="$(scripts/install-pulumi.sh | tail -n 1)"; export PATH="$bin_dir:$PATH"
# Output:  the bin folder path on the last line of stdout (progress goes to stderr).
# Env:
#   PULUMI_BUILD_CACHE   cache folder (default: $HOME/.cache/epost-hybrid/pulumi-v3.248.0)
#   PULUMI_NODE_SDK_DIR  the @pulumi/pulumi package root (default: <repo>/node_modules/@pulumi/pulumi)
#   PULUMI_LANGHOST_SRC  folder with the Go sources of pulumi-language-nodejs at v3.248.0
#                        (default: <repo>/third_party/pulumi-language-nodejs); used instead of
#                        the Go module proxy when it holds main.go (see below)
#   PULUMI_FORCE_REBUILD=1  rebuild even when the cached binaries are current
set -euo pipefail

readonly PULUMI_VERSION="3.248.0"
readonly PULUMI_GO_VERSION="v${PULUMI_VERSION}"
# pulumi-language-nodejs/v3 has no tags of its own: pseudo-version of the commit
# tagged v3.248.0 (a88168d865b7..., 2026-06-24 12:07:34 UTC). Its Go sources are
# identical at the pkg/v3.248.0 commit (dc7edd58bc13, only go.mod/go.sum differ).
readonly LANGHOST_MODULE="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
readonly LANGHOST_PSEUDO="v3.0.0-20260624120734-a88168d865b7"
# Replace lines of pkg/v3@v3.248.0 and of the language host's go.mod that point
# at other modules (their `=> ../sdk`-style local replaces are dropped: the
# wrapper requires sdk/v3 and pkg/v3 at the release instead).
readonly CLIPBOARD_REPLACE="github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
cache_dir="${PULUMI_BUILD_CACHE:-${HOME}/.cache/epost-hybrid/pulumi-v${PULUMI_VERSION}}"
bin_dir="${cache_dir}/bin"
mod_dir="${cache_dir}/module"
node_sdk_dir="${PULUMI_NODE_SDK_DIR:-${repo_root}/node_modules/@pulumi/pulumi}"
langhost_src="${PULUMI_LANGHOST_SRC:-${repo_root}/third_party/pulumi-language-nodejs}"

log() { printf '[install-pulumi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.25.11 is needed)"

is_current() {
  [[ -x "${bin_dir}/pulumi" && -x "${bin_dir}/pulumi-language-nodejs" ]] || return 1
  [[ "$("${bin_dir}/pulumi" version 2>/dev/null || true)" == "${PULUMI_GO_VERSION}" ]] || return 1
  [[ "$("${bin_dir}/pulumi-language-nodejs" -version 2>/dev/null || true)" == "${PULUMI_GO_VERSION}" ]] || return 1
}

write_go_mod() { # $1 = "proxy" or "source"
  {
    printf 'module epost-hybrid/pulumi-build\n\ngo 1.25.11\n\n'
    printf 'require (\n'
    printf '\tgithub.com/pulumi/pulumi/pkg/v3 %s\n' "${PULUMI_GO_VERSION}"
    printf '\tgithub.com/pulumi/pulumi/sdk/v3 %s\n' "${PULUMI_GO_VERSION}"
    if [[ "$1" == proxy ]]; then
      printf '\t%s %s\n' "${LANGHOST_MODULE}" "${LANGHOST_PSEUDO}"
    fi
    printf ')\n\n'
    printf 'replace %s\n' "${CLIPBOARD_REPLACE}"
  } > "${mod_dir}/go.mod"
}

build() {
  local mode langhost_pkg
  rm -rf "${mod_dir}"
  mkdir -p "${mod_dir}" "${bin_dir}"
  if [[ -f "${langhost_src}/main.go" ]]; then
    # The language host module is not served by every Go module proxy; a copy of
    # its sources (Apache-2.0) at the release is built inside the wrapper module.
    mode=source
    mkdir -p "${mod_dir}/cmd/pulumi-language-nodejs"
    find "${langhost_src}" -maxdepth 1 -name '*.go' ! -name '*_test.go' \
      -exec cp {} "${mod_dir}/cmd/pulumi-language-nodejs/" \;
    langhost_pkg="./cmd/pulumi-language-nodejs"
  else
    mode=proxy
    langhost_pkg="${LANGHOST_MODULE}"
  fi
  write_go_mod "${mode}"
  log "wrapper module: ${mod_dir} (language host from ${mode})"

  (
    cd "${mod_dir}"
    # -mod=mod: let `go build` fill in go.sum (and any missing requirement) for
    # just the packages it builds; `go mod tidy` would also fetch test deps.
    export GOFLAGS="${GOFLAGS:-} -mod=mod"
    if [[ "${mode}" == proxy ]] && ! go mod download "${LANGHOST_MODULE}" >&2; then
      die "the Go module proxy does not serve ${LANGHOST_MODULE}@${LANGHOST_PSEUDO};" \
        "put its Go sources (tag v${PULUMI_VERSION}: sdk/nodejs/cmd/pulumi-language-nodejs/*.go)" \
        "in ${langhost_src} or point PULUMI_LANGHOST_SRC at them"
    fi
    local ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_GO_VERSION}"
    log "go build pulumi (several minutes on a cold cache)"
    go build -trimpath -ldflags "${ldflags}" -o "${bin_dir}/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
    log "go build pulumi-language-nodejs"
    go build -trimpath -ldflags "${ldflags}" -o "${bin_dir}/pulumi-language-nodejs.tmp" "${langhost_pkg}" >&2
  )
  mv -f "${bin_dir}/pulumi-language-nodejs.tmp" "${bin_dir}/pulumi-language-nodejs"
  mv -f "${bin_dir}/pulumi.tmp" "${bin_dir}/pulumi"
}

mkdir -p "${cache_dir}"
if command -v flock >/dev/null 2>&1; then
  # Serialise concurrent runs sharing one cache folder.
  exec 9>"${cache_dir}/.lock"
  flock 9
fi

if [[ "${PULUMI_FORCE_REBUILD:-0}" != 1 ]] && is_current; then
  log "cached ${PULUMI_GO_VERSION} binaries found in ${bin_dir}"
else
  build
  is_current || die "built binaries do not report ${PULUMI_GO_VERSION}"
fi

# Dynamic providers (pulumi.dynamic.Resource) run through the
# pulumi-resource-pulumi-nodejs shim that ships executable in the npm package.
shim="${node_sdk_dir}/pulumi-resource-pulumi-nodejs"
if [[ -f "${shim}" ]]; then
  ln -sfn "$(cd "$(dirname "${shim}")" && pwd)/pulumi-resource-pulumi-nodejs" "${bin_dir}/pulumi-resource-pulumi-nodejs"
else
  log "warning: ${shim} not found (run npm ci first); dynamic providers will not work until it is linked"
fi

printf '%s\n' "${bin_dir}"
