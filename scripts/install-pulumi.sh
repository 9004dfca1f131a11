#!/usr/bin/env bash
# Builds the Pulumi CLI and its Node.js language host from the Go module proxy, for machines
# where the official installer cannot download them, and puts them in one bin folder together
# with the dynamic-provider plugin that ships in the @pulumi/pulumi npm package.
#
#   bin_dir="$(scripts/install-pulumi.sh | tail -n 1)"; export PATH="$bin_dir:$PATH"
#
# The last line of stdout is the bin folder; progress goes to stderr. Nothing is rebuilt when the
# cached binaries already report the right versions.
#
# Why it is built this way:
# - `go install pkg@version` refuses github.com/pulumi/pulumi/pkg/v3 because its go.mod has
#   replace directives, so a small wrapper module requires pkg/v3 and sdk/v3 at the same release
#   and repeats the replace that points at another module (the clipboard fork).
# - The language host's own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by
#   the Go module proxy at any version. Up to sdk/v3 v3.68.0 the same program lived inside the
#   sdk/v3 module, which the proxy does serve, so that release is built in a second wrapper. It
#   only starts `node @pulumi/pulumi/cmd/run`; the program, the SDK and the dynamic-provider host
#   are those of the project's @pulumi/pulumi.
# - That old host lacks the RunPlugin call through which this engine starts a Node.js policy pack
#   (`pulumi preview --policy-pack policy`). So it is installed as pulumi-language-nodejs-v3.68,
#   and pulumi-language-nodejs is a small shim (scripts/langhost-shim) that starts it, passes
#   every call through to it and answers RunPlugin itself with the pack's own
#   @pulumi/pulumi/cmd/run-policy-pack.
#
# Environment:
#   PULUMI_BUILD_CACHE    cache folder (default $HOME/.cache/epost-hybrid/pulumi-v<version>)
#   PULUMI_NODE_SDK_DIR   the @pulumi/pulumi package root (default <repo>/node_modules/@pulumi/pulumi)
#   PULUMI_FORCE_REBUILD  1 to rebuild even when the cached binaries are current
set -euo pipefail

readonly CLI_VERSION="v3.248.0"
readonly LANGHOST_SDK_VERSION="v3.68.0"
readonly CLIPBOARD_REPLACE="github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
readonly VERSION_VAR="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
readonly LANGHOST_BIN="pulumi-language-nodejs-v3.68"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${PULUMI_BUILD_CACHE:-${HOME}/.cache/epost-hybrid/pulumi-${CLI_VERSION}}"
bin_dir="${cache_dir}/bin"
node_sdk_dir="${PULUMI_NODE_SDK_DIR:-${repo_root}/node_modules/@pulumi/pulumi}"
shim_src="${repo_root}/scripts/langhost-shim"
shim_gomod="module epost-hybrid/pulumi-langhost-shim

go 1.25

require github.com/pulumi/pulumi/sdk/v3 ${CLI_VERSION}

replace ${CLIPBOARD_REPLACE}"

log() { printf '[install-pulumi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go 1.25 or later is needed)"

command -v sha256sum >/dev/null 2>&1 || die "sha256sum is not on PATH"
# The shim reports this with --shim-stamp, so a change to its source or module rebuilds it, and so
# does a bare language host that an older copy of this script left in the shared cache.
shim_stamp="$(cat "${shim_src}/main.go" - <<<"${shim_gomod}" | sha256sum | cut -c1-16)"

cli_current() {
  [[ -x "${bin_dir}/pulumi" && "$("${bin_dir}/pulumi" version 2>/dev/null || true)" == "${CLI_VERSION}" ]]
}
langhost_current() {
  # This release of the language host has no -version flag; a stamp written after its build says.
  # (The stamp keeps its old name, so older copies of this script find the cache current.)
  [[ -x "${bin_dir}/${LANGHOST_BIN}" ]] &&
    [[ "$(cat "${bin_dir}/.pulumi-language-nodejs.version" 2>/dev/null || true)" == "${LANGHOST_SDK_VERSION}" ]]
}
shim_current() {
  [[ -x "${bin_dir}/pulumi-language-nodejs" ]] &&
    [[ "$("${bin_dir}/pulumi-language-nodejs" --shim-stamp 2>/dev/null || true)" == "${shim_stamp}" ]]
}
is_current() { cli_current && langhost_current && shim_current; }

# build <module dir> <go.mod body> <package> <-ldflags value> <output name> [source dir]
build() {
  local dir="$1" gomod="$2" pkg="$3" ldflags="$4" out="$5" src="${6:-}"
  rm -rf "${dir}"
  mkdir -p "${dir}" "${bin_dir}"
  printf '%s\n' "${gomod}" > "${dir}/go.mod"
  [[ -z "${src}" ]] || cp "${src}"/*.go "${dir}/"
  log "go build ${pkg}"
  # -mod=mod fills in go.sum for just the packages built; `go mod tidy` would also fetch the
  # dependencies of every test in these modules.
  (cd "${dir}" && GOFLAGS="${GOFLAGS:-} -mod=mod" go build -trimpath \
    -ldflags "${ldflags}" -o "${bin_dir}/${out}.tmp" "${pkg}" >&2)
  mv -f "${bin_dir}/${out}.tmp" "${bin_dir}/${out}"
}

mkdir -p "${cache_dir}"
if command -v flock >/dev/null 2>&1; then
  exec 9>"${cache_dir}/.lock"
  flock 9
fi

force="${PULUMI_FORCE_REBUILD:-0}"
if [[ "${force}" != 1 ]] && is_current; then
  log "cached binaries in ${bin_dir} are current"
else
  log "building what is missing; a cold build takes several minutes and about 3 GB of Go caches"
  if [[ "${force}" == 1 ]] || ! cli_current; then
    build "${cache_dir}/cli" "module epost-hybrid/pulumi-cli

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 ${CLI_VERSION}
	github.com/pulumi/pulumi/sdk/v3 ${CLI_VERSION}
)

replace ${CLIPBOARD_REPLACE}" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
      "-X ${VERSION_VAR}=${CLI_VERSION}" pulumi
  fi
  if [[ "${force}" == 1 ]] || ! langhost_current; then
    build "${cache_dir}/langhost" "module epost-hybrid/pulumi-langhost

go 1.21

require github.com/pulumi/pulumi/sdk/v3 ${LANGHOST_SDK_VERSION}" \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
      "-X ${VERSION_VAR}=${LANGHOST_SDK_VERSION}" "${LANGHOST_BIN}"
    printf '%s\n' "${LANGHOST_SDK_VERSION}" > "${bin_dir}/.pulumi-language-nodejs.version"
  fi
  # Built last, so pulumi-language-nodejs never names a shim whose child is missing.
  if [[ "${force}" == 1 ]] || ! shim_current; then
    build "${cache_dir}/langhost-shim" "${shim_gomod}" epost-hybrid/pulumi-langhost-shim \
      "-X main.stamp=${shim_stamp} -X main.realHost=${LANGHOST_BIN}" pulumi-language-nodejs "${shim_src}"
  fi
  is_current || die "the built binaries do not report ${CLI_VERSION} / ${LANGHOST_SDK_VERSION} / shim ${shim_stamp}"
fi

# Dynamic providers run through this small shell script, which starts the dynamic-provider host
# of the project's own @pulumi/pulumi.
plugin="${node_sdk_dir}/pulumi-resource-pulumi-nodejs"
[[ -f "${plugin}" ]] || die "${plugin} is missing; run npm ci first"
ln -sfn "$(cd "$(dirname "${plugin}")" && pwd)/pulumi-resource-pulumi-nodejs" "${bin_dir}/pulumi-resource-pulumi-nodejs"

printf '%s\n' "${bin_dir}"
