# Sourced by scripts/run-demo and scripts/test: a virtual environment with the
# locked dependencies in .venv, made with uv (installed into .tools by pip).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
UV_VERSION=0.13.9
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  "$PYTHON" -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
.tools/bin/uv sync --frozen --quiet --python "$PYTHON"
export PATH="$PWD/.venv/bin:$PATH"
