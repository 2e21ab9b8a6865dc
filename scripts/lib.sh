# shellcheck shell=bash
# Install steps shared by scripts/run and scripts/test; sourced by them (after `cd` to the repository root),
# not run on its own. Debian/Ubuntu: missing system packages come from apt (as root, else through sudo);
# Python packages go into .venv, pinned by constraints.txt so every machine and CI get the same versions.

VENV=.venv
CONSTRAINTS=constraints.txt

# venv_packages: prints python3-venv when python3 cannot create a venv (Debian ships venv support separately).
venv_packages() {
    python3 -c "import ensurepip" 2>/dev/null || echo python3-venv
}

# apt_install [PACKAGE...]: install Debian packages with apt; nothing to do without arguments.
apt_install() {
    [ "$#" -gt 0 ] || return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

# setup_venv [EXTRAS]: create .venv if needed and install the project (editable) with EXTRAS (e.g. "test"),
# every version pinned by constraints.txt.
setup_venv() {
    local target="."
    [ -z "${1:-}" ] || target=".[$1]"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" -e "$target"
}
