"""The `schoolot` command: operational failures are one clear line, never a traceback."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCHOOLOT = [sys.executable, "-m", "schoolot.cli"]


def run(args, *, tmp_path, timeout=120, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(SCHOOLOT_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [*SCHOOLOT, *args], capture_output=True, text=True, env=environment, timeout=timeout
    )


def one_clear_line(result):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_bad_database_url(tmp_path):
    line = one_clear_line(run(["check"], tmp_path=tmp_path, DATABASE_URL="nosuchdb://x/y"))
    assert "DATABASE_URL" in line


def test_unreachable_database(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once closed
    url = f"postgres://postgres@127.0.0.1:{port}/nothing"
    line = one_clear_line(run(["migrate"], tmp_path=tmp_path, DATABASE_URL=url))
    assert "database" in line.lower()
    line = one_clear_line(run(["demo", "--no-serve"], tmp_path=tmp_path, DATABASE_URL=url))
    assert "cannot reach the database" in line


def test_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_clear_line(run(["demo", "--port", str(port)], tmp_path=tmp_path))
    assert f"port {port}" in line and "in use" in line


def test_demo_sets_up_seeds_once_and_prints_every_login(tmp_path):
    first = run(["demo", "--no-serve"], tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Seeding" in first.stdout
    for login in ["admin", "supervisor", "therapist", "cota", "teacher", "parent"]:
        assert f"  {login} " in first.stdout
    assert "http://127.0.0.1:8000/" in first.stdout
    assert (tmp_path / "data" / "schoolot.sqlite3").exists()
    assert (tmp_path / "data" / "secret_key").exists()
    again = run(["demo", "--no-serve"], tmp_path=tmp_path)
    assert again.returncode == 0 and "Seeding" not in again.stdout


def test_seed_refuses_a_second_demo_district_clearly(tmp_path):
    assert run(["seed", "--size", "small", "--seed", "3"], tmp_path=tmp_path).returncode == 0
    line = one_clear_line(run(["seed", "--size", "small"], tmp_path=tmp_path))
    assert "already has a seeded district" in line


def test_django_commands_pass_through(tmp_path):
    result = run(["check"], tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        tmp_path=tmp_path,
        DEBUG="0",
        ALLOWED_HOSTS="ot.example.org",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-9f8e7d6c5b4a",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_generated_once_into_the_data_dir(tmp_path):
    run(["check"], tmp_path=tmp_path)
    key = (tmp_path / "data" / "secret_key").read_text()
    run(["check"], tmp_path=tmp_path)
    assert (tmp_path / "data" / "secret_key").read_text() == key
    assert len(key) >= 50
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize("readme", [Path(__file__).parents[1] / "README.md"])
def test_readme_quick_start_is_two_commands(readme):
    text = readme.read_text()
    block = text.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["./run demo", "./run test"]


def test_serve_with_a_bad_bind(tmp_path):
    line = one_clear_line(run(["serve", "--bind", "nonsense"], tmp_path=tmp_path))
    assert "--bind must be HOST:PORT" in line
