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

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${PULUMI_BUILD_CACHE:-${HOME}/.cache/epost-hybrid/pulumi-${CLI_VERSION}}"
bin_dir="${cache_dir}/bin"
node_sdk_dir="${PULUMI_NODE_SDK_DIR:-${repo_root}/node_modules/@pulumi/pulumi}"

log() { printf '[install-pulumi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go 1.25 or later is needed)"

is_current() {
  [[ -x "${bin_dir}/pulumi" && -x "${bin_dir}/pulumi-language-nodejs" ]] || return 1
  [[ "$("${bin_dir}/pulumi" version 2>/dev/null || true)" == "${CLI_VERSION}" ]] || return 1
  # This release of the language host has no -version flag; a stamp written after its build says.
  [[ "$(cat "${bin_dir}/.pulumi-language-nodejs.version" 2>/dev/null || true)" == "${LANGHOST_SDK_VERSION}" ]]
}

# build <module dir> <go.mod body> <package> <version> <output name>
build() {
  local dir="$1" gomod="$2" pkg="$3" version="$4" out="$5"
  rm -rf "${dir}"
  mkdir -p "${dir}" "${bin_dir}"
  printf '%s\n' "${gomod}" > "${dir}/go.mod"
  log "go build ${pkg}@${version}"
  # -mod=mod fills in go.sum for just the packages built; `go mod tidy` would also fetch the
  # dependencies of every test in these modules.
  (cd "${dir}" && GOFLAGS="${GOFLAGS:-} -mod=mod" go build -trimpath \
    -ldflags "-X ${VERSION_VAR}=${version}" -o "${bin_dir}/${out}.tmp" "${pkg}" >&2)
  mv -f "${bin_dir}/${out}.tmp" "${bin_dir}/${out}"
}

mkdir -p "${cache_dir}"
if command -v flock >/dev/null 2>&1; then
  exec 9>"${cache_dir}/.lock"
  flock 9
fi

if [[ "${PULUMI_FORCE_REBUILD:-0}" != 1 ]] && is_current; then
  log "cached binaries in ${bin_dir} are current"
else
  log "building; a cold build takes several minutes and about 3 GB of Go caches"
  build "${cache_dir}/cli" "module epost-hybrid/pulumi-cli

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 ${CLI_VERSION}
	github.com/pulumi/pulumi/sdk/v3 ${CLI_VERSION}
)

replace ${CLIPBOARD_REPLACE}" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "${CLI_VERSION}" pulumi
  build "${cache_dir}/langhost" "module epost-hybrid/pulumi-langhost

go 1.21

require github.com/pulumi/pulumi/sdk/v3 ${LANGHOST_SDK_VERSION}" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "${LANGHOST_SDK_VERSION}" pulumi-language-nodejs
  printf '%s\n' "${LANGHOST_SDK_VERSION}" > "${bin_dir}/.pulumi-language-nodejs.version"
  is_current || die "the built binaries do not report ${CLI_VERSION} / ${LANGHOST_SDK_VERSION}"
fi

# Dynamic providers run through this small shell script, which starts the dynamic-provider host
# of the project's own @pulumi/pulumi.
plugin="${node_sdk_dir}/pulumi-resource-pulumi-nodejs"
[[ -f "${plugin}" ]] || die "${plugin} is missing; run npm ci first"
ln -sfn "$(cd "$(dirname "${plugin}")" && pwd)/pulumi-resource-pulumi-nodejs" "${bin_dir}/pulumi-resource-pulumi-nodejs"

printf '%s\n' "${bin_dir}"
