"""infra/ensure_fonts.sh: a no-op with a CJK font, an install without, never a failed set-up.

Each case runs the script on a PATH of its own: the few real tools it needs, and fakes of
fc-list and apt-get that say what the case needs and log how they were called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "ensure_fonts.sh"
TOOLS = ("sh", "id", "find", "head", "env")


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    for tool in TOOLS:
        real = shutil.which(tool)
        assert real, tool
        (path / tool).symlink_to(real)
    return path


def fake(bin_dir: Path, name: str, body: str) -> None:
    log = bin_dir.parent / "calls.log"
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\necho "{name} $*" >> {log}\n{body}\n')
    script.chmod(0o755)


def run(bin_dir: Path, font_dirs: Path) -> tuple[int, list[str], list[str]]:
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir.parent), "ESPCRM_FONT_DIRS": str(font_dirs)}
    done = subprocess.run(
        ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )
    log = bin_dir.parent / "calls.log"
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, done.stdout.splitlines(), calls


def test_with_a_cjk_font_installed_it_does_nothing_and_says_nothing(
    bin_dir: Path, tmp_path: Path
) -> None:
    fake(bin_dir, "fc-list", 'echo "Noto Sans CJK SC"')
    fake(bin_dir, "apt-get", "exit 0")
    assert run(bin_dir, tmp_path / "none") == (0, [], ["fc-list :lang=zh family"])


def test_without_fontconfig_a_cjk_font_file_is_enough(bin_dir: Path, tmp_path: Path) -> None:
    fonts = tmp_path / "fonts" / "opentype" / "noto"
    fonts.mkdir(parents=True)
    (fonts / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    fake(bin_dir, "apt-get", "exit 0")
    assert run(bin_dir, tmp_path / "fonts") == (0, [], [])


def test_without_a_font_it_installs_fonts_noto_cjk_as_root(bin_dir: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        fake(bin_dir, "sudo", '[ "$1" = -n ] && shift; "$@"')  # passwordless sudo
    fake(bin_dir, "fc-list", "exit 0")
    fake(bin_dir, "apt-get", "exit 0")
    code, out, calls = run(bin_dir, tmp_path / "none")
    assert code == 0 and out[-1] == "ensure_fonts: fonts-noto-cjk installed."
    apt_calls = [c for c in calls if c.startswith("apt-get")]
    assert apt_calls == ["apt-get update -qq", "apt-get install -y -qq fonts-noto-cjk"]


def test_without_apt_get_it_prints_one_line_and_does_not_fail(
    bin_dir: Path, tmp_path: Path
) -> None:
    fake(bin_dir, "fc-list", "exit 0")
    code, out, _ = run(bin_dir, tmp_path / "none")
    assert code == 0 and len(out) == 1
    assert "no apt-get here" in out[0] and "charts will show boxes" in out[0]


def test_a_failed_apt_install_does_not_fail_the_set_up(bin_dir: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        fake(bin_dir, "sudo", '[ "$1" = -n ] && shift; "$@"')
    fake(bin_dir, "fc-list", "exit 0")
    fake(bin_dir, "apt-get", "exit 100")  # e.g. no network
    code, out, _ = run(bin_dir, tmp_path / "none")
    assert code == 0 and "charts will show boxes" in out[-1]
