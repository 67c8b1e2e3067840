#!/usr/bin/env bash
# Recompile the hash-locked requirements after an edit of requirements*.txt (or to take new
# releases: deploy/lock.sh --upgrade). Needs pip-tools (pip install pip-tools) and must run on the
# platform the locks cover, Linux x86_64 with CPython 3.11 (the Dockerfile's python:3.11-slim, CI):
#   requirements.lock       requirements.txt                          the image (Dockerfile)
#   requirements-gpu.lock   requirements.txt + tensorflow[and-cuda]   the GPU image (GPU=1)
#   requirements-dev.lock   requirements.txt + requirements-dev.txt   make test, CI
# Existing pins are kept unless --upgrade; tests/deploy/test_lock.py checks the result.
set -euo pipefail
cd "$(dirname "$0")/.."
python_tag=$(python3 -c 'import platform, sys; print(f"{platform.system()}-{platform.machine()}-{sys.implementation.name}{sys.version_info[0]}.{sys.version_info[1]}")')
if [ "$python_tag" != "Linux-x86_64-cpython3.11" ]; then
    echo "deploy/lock.sh: the locks cover Linux x86_64 with CPython 3.11, this is $python_tag" >&2
    exit 1
fi

NOTE='# Covers Linux x86_64 (manylinux wheels) with CPython 3.11 only: the Dockerfile'"'"'s python:3.11-slim
# and CI. Every file carries its sha256: pip install --require-hashes -r <this file>.
# Elsewhere `make run` installs requirements.txt (unlocked), or run deploy/lock.sh there.
# The GPU image (Dockerfile, GPU=1) installs requirements-gpu.lock instead: the same pins plus
# tensorflow[and-cuda]'"'"'s NVIDIA CUDA libraries (Linux x86_64 wheels only).
#'

compile() {
    local out=$1
    shift
    CUSTOM_COMPILE_COMMAND="deploy/lock.sh" pip-compile --quiet --generate-hashes --allow-unsafe \
        --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
        --output-file "$out" "$@"
    # The note goes right after pip-compile's own header (which pip-compile rewrites every time).
    python3 - "$out" "$NOTE" <<'PY'
import sys
path, note = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
end = next(i for i, line in enumerate(lines) if not line.startswith("#"))
open(path, "w", encoding="utf-8").write("".join(lines[:end]) + note + "\n" + "".join(lines[end:]))
PY
}

compile requirements.lock "$@" requirements.txt
# The other two start from requirements.lock's pins, so the three agree on every shared package.
for lock in requirements-gpu.lock requirements-dev.lock; do
    [ -f "$lock" ] || cp requirements.lock "$lock"
done
compile requirements-gpu.lock "$@" requirements-gpu.in
compile requirements-dev.lock "$@" requirements.txt requirements-dev.txt
