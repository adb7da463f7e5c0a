# Shell helpers the Tools/ scripts share (sourced, not run).

say() { printf '==> %s\n' "$*" >&2; }

# Installs Debian packages, updating the package lists once per script; waits for a lock another
# apt holds rather than failing.
APT_UPDATED=""
apt_install() {
    if [[ -z "$APT_UPDATED" ]]; then
        apt-get -o DPkg::Lock::Timeout=600 update
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "$@"
}

# The gridbook binary to use, as an absolute path: the one given, else a debug build made now.
# Exits when there is none.
gridbook_binary() {
    local binary="$1"
    if [[ -z "$binary" ]]; then
        say "building gridbook (debug)"
        swift build --product gridbook >&2
        binary="$(swift build --show-bin-path)/gridbook"
    fi
    binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
    [[ -x "$binary" ]] || { say "no gridbook binary at $binary"; exit 1; }
    printf '%s\n' "$binary"
}
