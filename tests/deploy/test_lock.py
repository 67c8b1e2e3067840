"""The hash-locked requirements (requirements.lock, requirements-gpu.lock, requirements-dev.lock).

deploy/lock.sh compiles them with pip-tools (``pip-compile --generate-hashes``) from requirements.txt
(what ``make run`` installs), requirements-gpu.in and requirements-dev.txt. These tests read the files
only (no network): every package pinned with ``==`` and at least one sha256, every requirement of
the source files satisfied by its pin, the three locks agreeing on every shared package, the header
naming the platform they cover, and no pin below the release that fixed a published vulnerability
(``KNOWN_FIXES``). The Dockerfile and ``make test`` install from the locks with ``--require-hashes``.

A lock that passes here is not "audited": the fixes below are the advisories known when the floors
were set; a new advisory means a new floor here, then ``deploy/lock.sh --upgrade-package NAME``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
GPU_LOCK = ROOT / "requirements-gpu.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
LOCKS = (LOCK, GPU_LOCK, DEV_LOCK)
#: The source files of each lock (deploy/lock.sh).
SOURCES = {
    LOCK: ("requirements.txt",),
    GPU_LOCK: ("requirements.txt", "requirements-gpu.in"),
    DEV_LOCK: ("requirements.txt", "requirements-dev.txt"),
}

#: The first release that fixes the published vulnerabilities of a package (the newest fix of each
#: advisory listed), for the packages these locks hold. Packages marked ``required`` must be in the
#: runtime lock; the others are checked wherever a lock holds them (some only did in earlier locks).
KNOWN_FIXES = {
    # Safe-mode bypasses and arbitrary code or file access when loading a model (Lambda layers,
    # get_file, HDF5 external links); the app loads uploaded .keras files.
    "keras": (
        "3.12.0",
        ["CVE-2025-1550", "CVE-2025-8747", "CVE-2025-9905", "CVE-2025-9906", "CVE-2025-12060"],
        True,
    ),
    # Image decoding: DDS writer buffer overflow, ImageMath.eval code execution, a BDF/ImageFont
    # overflow; the app decodes uploaded photos and canvas drawings.
    "pillow": ("11.3.0", ["CVE-2025-48379", "CVE-2024-28219", "CVE-2023-50447"], True),
    # HTTP clients used by Keras' and TensorFlow's downloads (make data).
    "requests": ("2.32.4", ["CVE-2024-47081", "CVE-2024-35195"], True),
    "urllib3": ("2.6.0", ["CVE-2025-66418", "CVE-2025-66471", "CVE-2025-50181", "CVE-2025-50182"], True),
    "idna": ("3.7", ["CVE-2024-3651"], True),
    "certifi": ("2024.7.4", ["CVE-2024-39689"], True),
    "jinja2": ("3.1.6", ["CVE-2025-27516", "CVE-2024-56201", "CVE-2024-56326"], True),
    "protobuf": ("6.31.1", ["CVE-2025-4565"], True),
    "setuptools": ("78.1.1", ["CVE-2025-47273", "CVE-2024-6345"], False),
    "pyarrow": ("14.0.1", ["CVE-2023-47248"], False),
    "scikit-learn": ("1.5.0", ["CVE-2024-5206"], True),
    "tornado": ("6.5.0", ["CVE-2025-47287", "CVE-2024-52804"], False),
    "werkzeug": ("3.0.6", ["CVE-2024-49766", "CVE-2024-49767", "CVE-2024-34069"], False),
    "gitpython": ("3.1.41", ["CVE-2024-22190"], False),
    "h11": ("0.16.0", ["CVE-2025-43859"], False),
    "zipp": ("3.19.1", ["CVE-2024-5569"], False),
}

HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})$")


def read_lock(path: Path) -> dict[str, tuple[Version, list[str]]]:
    """{canonical name: (pinned version, sha256 hashes)} of a pip-compile lock.

    Raises AssertionError naming the line for anything that is not ``name==version`` followed by
    ``--hash=sha256:...`` options (an unpinned, URL or editable requirement).
    """
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    pins = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *options = line.split()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^;\s]*)", spec)
        assert match, f"{path.name}:{number}: not pinned with ==: {spec}"
        hashes = [HASH.match(option) for option in options]
        assert hashes and all(hashes), f"{path.name}:{number}: {spec} without sha256 hashes: {options}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"{path.name}: {name} pinned twice"
        pins[name] = (Version(match.group(2)), [h.group(1) for h in hashes])
    return pins


def source_requirements(name: str) -> list[Requirement]:
    """The requirements of a requirements file (``-r`` includes followed, comments dropped)."""
    out = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            out += source_requirements(line[3:].strip())
        elif line:
            out.append(Requirement(line))
    return out


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_every_package_is_pinned_with_sha256_hashes(path):
    pins = read_lock(path)
    assert len(pins) > 40, f"{path.name}: {len(pins)} packages; TensorFlow and Streamlit alone need more"
    for name, (_, hashes) in pins.items():
        assert len(set(hashes)) == len(hashes), f"{path.name}: {name} lists a hash twice"


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_every_source_requirement_is_pinned_within_its_range(path):
    pins = read_lock(path)
    for source in SOURCES[path]:
        for req in source_requirements(source):
            name = canonicalize_name(req.name)
            assert name in pins, f"{path.name} lacks {req} ({source})"
            assert req.specifier.contains(pins[name][0], prereleases=True), (
                f"{path.name} pins {name}=={pins[name][0]}, outside {source}'s {req}"
            )


def test_the_three_locks_agree_on_every_shared_package():
    runtime = read_lock(LOCK)
    for path in (GPU_LOCK, DEV_LOCK):
        other = read_lock(path)
        assert runtime.keys() <= other.keys(), f"{path.name} lacks {sorted(runtime.keys() - other.keys())}"
        differ = {n: (str(runtime[n][0]), str(other[n][0])) for n in runtime if runtime[n][0] != other[n][0]}
        assert not differ, f"{path.name} pins other versions than requirements.lock: {differ}"


def test_the_gpu_lock_adds_tensorflows_cuda_libraries():
    runtime, gpu = read_lock(LOCK), read_lock(GPU_LOCK)
    added = sorted(gpu.keys() - runtime.keys())
    assert any(name.startswith("nvidia-") for name in added), added
    assert gpu["tensorflow"][0] == runtime["tensorflow"][0]
    assert "tensorflow[and-cuda]" in (ROOT / "requirements-gpu.in").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_the_header_says_what_the_lock_covers_and_how_it_was_made(path):
    header = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    assert "pip-compile" in header and "deploy/lock.sh" in header
    assert "Linux x86_64" in header and "CPython 3.11" in header
    assert "--require-hashes" in header
    assert "requirements-gpu.lock" in header and "tensorflow[and-cuda]" in header


@pytest.mark.parametrize("name", sorted(KNOWN_FIXES))
def test_no_lock_pins_a_release_with_a_known_fix_missing(name):
    floor, advisories, required = KNOWN_FIXES[name]
    assert advisories
    if required:
        assert name in read_lock(LOCK), f"requirements.lock no longer holds {name}: update KNOWN_FIXES"
    for path in LOCKS:
        pins = read_lock(path)
        if name in pins:
            assert pins[name][0] >= Version(floor), (
                f"{path.name} pins {name}=={pins[name][0]}, below {floor} ({', '.join(advisories)})"
            )


@pytest.mark.parametrize("name", ["keras", "pillow"])
def test_requirements_txt_itself_refuses_the_vulnerable_releases(name):
    """`make run` installs requirements.txt unlocked: its own lower bound must exclude them."""
    floor = Version(KNOWN_FIXES[name][0])
    (req,) = [r for r in source_requirements("requirements.txt") if canonicalize_name(r.name) == name]
    last_vulnerable = (
        Version(f"{floor.major}.{floor.minor - 1}.99") if floor.minor else Version(f"{floor.major - 1}.99")
    )
    assert not req.specifier.contains(last_vulnerable), f"requirements.txt allows {name}=={last_vulnerable}"
    assert req.specifier.contains(floor)


def test_read_lock_refuses_an_unpinned_or_unhashed_line(tmp_path):
    good = "keras==3.12.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r requirements.txt\n"
    (tmp_path / "ok.lock").write_text(good, encoding="utf-8")
    assert read_lock(tmp_path / "ok.lock") == {"keras": (Version("3.12.0"), ["a" * 64])}
    for bad in ("keras>=3.12\n", "keras==3.12.0\n", "keras==3.12.0 --hash=md5:abc\n"):
        (tmp_path / "bad.lock").write_text(bad, encoding="utf-8")
        with pytest.raises(AssertionError):
            read_lock(tmp_path / "bad.lock")


def test_the_image_and_make_test_install_from_the_locks_with_hashes():
    dockerfile = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    installs = [line for line in dockerfile.splitlines() if line.startswith("RUN") and "pip install" in line]
    assert installs and all("--require-hashes" in line for line in installs), installs
    assert any("requirements.lock" in line and "requirements-gpu.lock" in line for line in installs)
    assert not re.search(r"pip install[^&]*-r requirements\.txt", dockerfile)

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dev = re.search(r"^\$\(VENV\)/\.dev:(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert dev and "requirements-dev.lock" in dev.group(1)
    assert re.search(r"pip install .*--require-hashes -r requirements-dev\.lock", dev.group(2))
    runtime = re.search(r"^\$\(VENV\)/\.runtime:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert "-r requirements.txt" in runtime.group(1), "make run still installs requirements.txt"
