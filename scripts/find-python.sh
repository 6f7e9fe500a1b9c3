#!/usr/bin/env sh
# Prints the path of a Python >= 3.12 (Django 6 needs it): $PYTHON if set, else the first found on
# PATH, else one installed by pyenv. Exits 1 with advice when there is none.
for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
    "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.1[2-9]*/bin/python3; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "Brainqueue needs Python 3.12 or newer (Django 6). Install it (e.g. 'pyenv install 3.12'" >&2
echo "or your system's python3.12 package), or point PYTHON=/path/to/python3.12 at one." >&2
exit 1
