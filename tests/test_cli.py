"""The `transom` command: what it prints, what it hands to uvicorn, how it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests._servers import free_port, wait_for_port
from transom import __version__
from transom.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's targets are imported afresh and forgotten afterwards."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`transom dev` sets `TRANSOM_ENV`: each test starts without it, and its value is undone."""
    monkeypatch.setenv("TRANSOM_ENV", "")  # recorded, so that the undo removes it
    monkeypatch.delenv("TRANSOM_ENV")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """What `main()` hands to `uvicorn.run`, recorded instead of serving."""
    calls: list[tuple[Any, dict[str, Any]]] = []

    def record(app: Any, **options: Any) -> None:
        calls.append((app, options))

    monkeypatch.setattr(uvicorn, "run", record)
    return calls


def fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `main(argv)`, which must exit; return the status and what went to stderr."""
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    err = capsys.readouterr().err
    code = excinfo.value.code
    assert isinstance(code, int)
    return code, err


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(source, encoding="utf-8")
    return path


# --- the parser ------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["--version"])
    assert excinfo.value.code == 0
    assert capsys.readouterr().out == f"transom {__version__}\n"


def test_bare_transom_prints_the_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = fails([], capsys)
    assert code == 2
    assert err.startswith("usage: transom [-h] [--version] command ...")
    assert "run" in err
    assert "dev" in err
    assert "the following arguments are required" not in err


def test_run_parses_the_options_fastapi_users_expect() -> None:
    args = build_parser().parse_args(
        [
            "run",
            "examples.app:app",
            "--host",
            "0.0.0.0",
            "--port",
            "9001",
            "--workers",
            "2",
            "--root-path",
            "/api",
            "--no-proxy-headers",
            "--forwarded-allow-ips",
            "10.0.0.1",
        ]
    )
    assert (args.target, args.host, args.port, args.reload, args.workers) == (
        "examples.app:app",
        "0.0.0.0",
        9001,
        False,
        2,
    )
    assert (args.root_path, args.proxy_headers, args.forwarded_allow_ips) == (
        "/api",
        False,
        "10.0.0.1",
    )


def test_dev_reloads_on_127_0_0_1_by_default() -> None:
    args = build_parser().parse_args(["dev"])
    assert (args.host, args.port, args.reload, args.proxy_headers) == (
        "127.0.0.1",
        8000,
        True,
        True,
    )
    assert build_parser().parse_args(["dev", "--no-reload"]).reload is False


def test_reload_and_workers_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = fails(["run", "examples.app:app", "--reload", "--workers", "2"], capsys)
    assert code == 2
    assert "--reload and --workers cannot be used together" in err


# --- what is served --------------------------------------------------------------------------


def test_run_prints_where_the_docs_are(
    served: list[tuple[Any, dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["run", "examples.app:app", "--port", "9002"])
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Serving examples.app:app at http://127.0.0.1:9002",
        "Docs: http://127.0.0.1:9002/docs",
    ]
    [(app, options)] = served
    assert app == "examples.app:app"
    assert options["reload"] is False
    assert options["port"] == 9002
    assert options["proxy_headers"] is True


def test_dev_serves_a_file_path_with_reload_on_127_0_0_1(
    served: list[tuple[Any, dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    main(["dev", "examples/app.py"])
    out = capsys.readouterr().out
    assert "Docs: http://127.0.0.1:8000/docs\n" in out
    assert "Development mode" in out
    [(app, options)] = served
    assert app == "examples.app:app"  # examples/ is a package: imported from the checkout
    assert (options["host"], options["reload"], options["app_dir"]) == (
        "127.0.0.1",
        True,
        str(ROOT),
    )
    assert options["reload_dirs"] == [str(ROOT)]


def test_a_wildcard_host_prints_a_docs_url_a_browser_can_open(
    served: list[tuple[Any, dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["run", "examples.app:app", "--host", "0.0.0.0"])
    assert "Docs: http://127.0.0.1:8000/docs" in capsys.readouterr().out
    assert served[0][1]["host"] == "0.0.0.0"


def test_serving_options_reach_uvicorn(served: list[tuple[Any, dict[str, Any]]]) -> None:
    flags = ["--workers", "3", "--root-path", "/api"]
    main(["run", "examples.app:app", *flags, "--no-proxy-headers", "--forwarded-allow-ips", "*"])
    options = served[0][1]
    assert (options["workers"], options["root_path"]) == (3, "/api")
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (False, "*")


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from transom import Transom\napp = Transom()\napi = Transom()\n", "app"),
        ("from transom import Transom\napi = Transom()\nother = Transom()\n", "api"),
        ("from transom import Transom\nnotes_api_v2 = Transom()\n", "notes_api_v2"),
        # `app` may be any ASGI app, such as a Transom app wrapped in middleware.
        (
            "from transom import Transom\nfrom transom.middleware.gzip import GZipMiddleware\n"
            "inner = Transom()\napp = GZipMiddleware(inner)\n",
            "app",
        ),
    ],
)
def test_a_file_target_finds_app_then_api_then_the_only_transom(
    tmp_path: Path,
    served: list[tuple[Any, dict[str, Any]]],
    source: str,
    found: str,
    request: pytest.FixtureRequest,
) -> None:
    name = f"target_{request.node.callspec.id.replace('-', '_')}"
    path = write(tmp_path, f"{name}.py", source)
    main(["run", str(path)])
    assert served[0][0] == f"{name}:{found}"
    assert served[0][1]["app_dir"] == str(tmp_path.resolve())


def test_without_a_target_the_usual_files_are_tried(
    tmp_path: Path, served: list[tuple[Any, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app").mkdir()
    write(tmp_path / "app", "__init__.py", "")
    write(tmp_path / "app", "main.py", "from transom import Transom\napp = Transom()\n")
    monkeypatch.chdir(tmp_path)
    main(["run"])
    assert served[0][0] == "app.main:app"


# --- clear errors ----------------------------------------------------------------------------


def test_a_target_that_is_not_an_asgi_app_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = fails(["run", "examples.app:NOTES"], capsys)
    assert code == 2
    assert "examples.app:NOTES is a dict, not an ASGI app" in err
    assert "Its ASGI apps: app (a Transom)." in err
    assert "Traceback" not in err


def test_a_sync_function_is_not_an_asgi_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "wsgi_like.py", "def app(environ, start_response):\n    return []\n")
    code, err = fails(["run", str(path)], capsys)
    assert code == 2
    assert "No app found in module 'wsgi_like'" in err
    assert "'app' is the function app (a plain def), not an ASGI app." in err


def test_a_missing_module_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = fails(["run", "no_such_module_here:app"], capsys)
    assert code == 2
    assert "Cannot import 'no_such_module_here': there is no module named" in err
    assert "Traceback" not in err


def test_a_missing_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = fails(["run", "no/such/app.py"], capsys)
    assert code == 2
    assert "File 'no/such/app.py' does not exist" in err


def test_a_missing_attribute_lists_the_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = fails(["run", "examples.app:application"], capsys)
    assert code == 2
    assert "Module 'examples.app' has no attribute 'application'." in err
    assert "Its ASGI apps: app (a Transom)." in err


def test_no_app_says_what_was_looked_for_and_lists_the_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "NOTES = {}\nasync def raw(scope, receive, send):\n    pass\n"
    path = write(tmp_path, "no_app_here.py", source)
    code, err = fails(["run", str(path)], capsys)
    assert code == 2
    assert (
        "No app found in module 'no_app_here': looked for an ASGI app named 'app' or 'api', "
        "then for a Transom instance. Its ASGI apps: raw (the async function raw)."
    ) in err
    assert f"Name the app: transom run {path}:name." in err


def test_several_transom_apps_must_be_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "from transom import Transom\npublic = Transom()\nadmin = Transom()\n"
    path = write(tmp_path, "two_apps.py", source)
    code, err = fails(["run", str(path)], capsys)
    assert code == 2
    assert f"several Transom apps (public, admin); name one: transom run {path}:public." in err


def test_an_error_inside_the_module_shows_its_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "import no_such_dependency_here\napp = None\n"
    path = write(tmp_path, "broken_import.py", source)
    code, err = fails(["run", str(path)], capsys)
    assert code == 1
    assert "transom: Importing 'broken_import' failed:\nTraceback" in err
    assert f'File "{path.resolve()}", line 1, in <module>' in err
    assert err.endswith("ModuleNotFoundError: No module named 'no_such_dependency_here'\n")
    assert "importlib" not in err


# --- a real server ---------------------------------------------------------------------------


def test_transom_run_serves_the_docs_of_a_file_target() -> None:
    port = free_port()
    command = [sys.executable, "-m", "transom", "run", "examples/app.py", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        wait_for_port(port, server, "transom run")
        response = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=2)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<title>Transom notes - Swagger UI</title>" in response.text
        notes = httpx.get(f"http://127.0.0.1:{port}/notes?limit=1", timeout=2)
        assert notes.json() == [{"id": 1, "owner": "ada", "text": "Analytical engine notes"}]
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=10)
    assert f"Docs: http://127.0.0.1:{port}/docs\n" in out


def test_dev_sets_transom_env_before_the_app_is_imported(
    served: list[tuple[Any, dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A frontend whose build is missing: in development a warning, not an error.
    write(
        tmp_path,
        "front.py",
        "from transom import Transom\napp = Transom()\napp.frontend('/', directory='dist')\n",
    )
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match="Frontend directory 'dist' does not exist"):
        main(["dev", "front.py"])
    assert os.environ["TRANSOM_ENV"] == "development"
    assert len(served) == 1


def test_dev_keeps_a_transom_env_that_is_set(
    served: list[tuple[Any, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSOM_ENV", "staging")
    monkeypatch.chdir(ROOT)
    main(["dev", "examples/app.py"])
    assert os.environ["TRANSOM_ENV"] == "staging"
