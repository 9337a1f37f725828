"""The built wheel carries its data files and works installed, away from the checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the checkout's program files: the wheel must carry each of them, whatever they are
PROGRAM_IDS = sorted(p.stem for p in (ROOT / "catalogs" / "programs").glob("*.toml"))

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    """The environment without anything that could point Python back at the checkout."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SKILLPOLICY_", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build --wheel --no-isolation` of the checkout, into a temporary folder."""
    for module in ("build", "hatchling"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install build hatchling)")
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, ROOT], out)
    wheels = sorted(out.glob("skillpolicy-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the wheel installed whose dependencies come from the environment running
    the tests, not from the base interpreter: on a fresh machine the system Python has none.

    The venv is made without the system site-packages; after the wheel is installed, a
    ``.pth`` file appends this environment's site-packages to its path (a path line only: the
    ``.pth`` files in that folder, the checkout's editable install among them, are not run),
    so the wheel in the venv is found first and typer, openpyxl and the rest after it.
    """
    folder = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", folder], folder)
    python = folder / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], folder)
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], folder
    ).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (Path(purelib) / "skillpolicy-test-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )
    return folder


def test_wheel_contains_programs_and_catalog(wheel: Path) -> None:
    """The wheel carries every program file of the checkout and the guangxi-2012-shortage catalog."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    programs = {
        n for n in names if n.startswith("skillpolicy/catalogs/programs/") and n.endswith(".toml")
    }
    assert programs == {f"skillpolicy/catalogs/programs/{p}.toml" for p in PROGRAM_IDS}
    assert "skillpolicy/catalogs/occupations/guangxi-2012-shortage.toml" in names
    assert "skillpolicy/py.typed" in names
    assert "skillpolicy/cli/__init__.py" in names


def test_installed_package_is_the_wheel_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    """Inside the venv, `import skillpolicy` and its shipped data resolve into the venv."""
    code = (
        "import skillpolicy; from skillpolicy.resources import shipped_dir; "
        "print(skillpolicy.__file__); print(shipped_dir('catalogs'))"
    )
    result = _run([venv / "bin" / "python", "-c", code], tmp_path)
    module_file, catalogs = result.stdout.splitlines()
    assert Path(module_file).resolve().is_relative_to(venv.resolve()), module_file
    assert Path(catalogs).resolve().is_relative_to(venv.resolve()), catalogs


def test_installed_cli_lists_programs_from_another_directory(venv: Path, tmp_path: Path) -> None:
    """`<venv>/bin/skillpolicy programs` run outside the checkout exits 0 and names every id."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _run([venv / "bin" / "skillpolicy", "programs"], elsewhere)
    for program_id in PROGRAM_IDS:
        assert program_id in result.stdout
    assert result.stderr == ""


def test_installed_cli_runs_the_bundled_examples(venv: Path, tmp_path: Path) -> None:
    """`<venv>/bin/skillpolicy demo --brief` finds the examples the wheel ships and exits 0."""
    result = _run([venv / "bin" / "skillpolicy", "demo", "--brief"], tmp_path)
    assert "示例核对汇总" in result.stdout
