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
