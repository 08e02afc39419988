"""Hatchling build hook: fetch the Swagger UI and ReDoc assets for the offline docs pages.

`/docs` and `/redoc` load their JavaScript and CSS from the app itself, never from
a CDN. Those files belong to other projects and are not kept in this repository:
at wheel build time (standard and editable) this hook runs `npm pack` for the
pinned, exact versions below, using npm's own configured registry, checks each
tarball against the pinned sha512 integrity, and extracts only the files the
pages need (and their licence files) into `src/transom/openapi/static/`, which
is git-ignored. A standard wheel ships them; an editable install reads them from
the source tree. Either way nothing is downloaded after installation.

Files already present with the pinned sha256 are kept and npm is not run. If npm
is missing or fails, the build still succeeds with a warning, and the docs pages
explain that the assets are not installed. The `TRANSOM_DOCS_ASSETS` environment
variable changes that: `require` makes a failure fatal (for release builds),
`skip` leaves the assets alone without running npm.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any, TypedDict

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Where the assets go, relative to the project root (git-ignored).
STATIC_DIR = "src/transom/openapi/static"
#: Seconds one `npm pack` may take.
NPM_TIMEOUT = 180


class Package(TypedDict):
    """One npm package: its tarball's integrity and the files taken from it."""

    integrity: str
    #: Name in the static directory -> (member path in the tarball, sha256 hex).
    files: dict[str, tuple[str, str]]


#: Exact versions only; `npm view <name>@<version> dist.integrity` gives the integrity.
PACKAGES: dict[str, Package] = {
    "swagger-ui-dist@5.35.0": {
        "integrity": (
            "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
        ),
        "files": {
            "swagger-ui-bundle.js": (
                "package/swagger-ui-bundle.js",
                "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
            ),
            "swagger-ui.css": (
                "package/swagger-ui.css",
                "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
            ),
            # The script of the OAuth2 redirect page (swagger-ui-dist's
            # oauth2-redirect.html is only a shell that loads it).
            "oauth2-redirect.js": (
                "package/oauth2-redirect.js",
                "a5c8a34e09e49737382cc5019446eec7c3db3461963fc5bfe448361d3c5549e9",
            ),
            "swagger-ui-bundle.js.LICENSE.txt": (
                "package/swagger-ui-bundle.js.LICENSE.txt",
                "37eb6e7e59aed57b2c1acf076574b818ea07b74265717e0bd67b59e0baf9abbb",
            ),
            "LICENSE-swagger-ui": (
                "package/LICENSE",
                "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30",
            ),
            "NOTICE-swagger-ui": (
                "package/NOTICE",
                "0d20d1adef18aee3f40dd258172155521ce702ac445cb5f7b7d60ed32dad2fb2",
            ),
        },
    },
    # Redoc 2, not 3: 3.0.1 always loads a logo image from its vendor's CDN and
    # reports telemetry unless told not to.
    "redoc@2.5.4": {
        "integrity": (
            "sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ=="
        ),
        "files": {
            "redoc.standalone.js": (
                "package/bundles/redoc.standalone.js",
                "dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b",
            ),
            "redoc.standalone.js.LICENSE.txt": (
                "package/bundles/redoc.standalone.js.LICENSE.txt",
                "eed602ec32e00b2b9df1984fbcc26a687b1b3193ec01961389c4b8439e6edf73",
            ),
            "LICENSE-redoc": (
                "package/LICENSE",
                "d3026d549cf68ab7355bcfa85877bf8f845b3334a7efbfdc63936432fb34ff0e",
            ),
        },
    },
}


class AssetError(Exception):
    """An asset package could not be fetched or did not match its pins."""


def sha256_of(path: Path) -> str | None:
    """The sha256 hex digest of a regular file, or `None` if there is none."""
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def is_installed(static: Path, package: Package) -> bool:
    """Whether every file of `package` is in `static` with its pinned hash."""
    return all(sha256_of(static / name) == digest for name, (_, digest) in package["files"].items())


def installed_files(static: Path) -> list[str]:
    """The names of the asset files in `static` that match their pins."""
    return [
        name
        for package in PACKAGES.values()
        for name, (_, digest) in package["files"].items()
        if sha256_of(static / name) == digest
    ]


def npm_pack(npm: str, spec: str, workdir: Path) -> bytes:
    """Run `npm pack spec` into `workdir` and return the tarball's bytes."""
    env = {
        **os.environ,
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }
    command = [npm, "pack", spec, "--pack-destination", str(workdir), "--ignore-scripts"]
    # npm's cache may serve the pinned tarball; without a network, fail in seconds
    # rather than after npm's default minute of retries.
    command += ["--prefer-offline", "--loglevel=error", "--fetch-retries=1"]
    command += ["--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=5000"]
    try:
        result = subprocess.run(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AssetError(f"`npm pack {spec}` could not run: {error}") from error
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = [line for line in lines if line.strip() and " at " not in line][:4]
        raise AssetError(
            f"`npm pack {spec}` failed (exit {result.returncode}): " + " | ".join(detail)
        )
    tarballs = list(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise AssetError(f"`npm pack {spec}` left {len(tarballs)} tarballs, expected one.")
    return tarballs[0].read_bytes()


def check_integrity(spec: str, tarball: bytes, integrity: str) -> None:
    """Raise unless `tarball` matches the pinned Subresource-Integrity style sha512."""
    actual = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if actual != integrity:
        raise AssetError(f"{spec}: tarball integrity {actual} does not match the pin {integrity}.")


def extract(spec: str, tarball: bytes, package: Package, static: Path) -> None:
    """Write the pinned files of `package` from `tarball` into `static`.

    Only the listed members are read, by exact name, and each must be a regular
    file with its pinned sha256; nothing else in the tarball touches the disk.
    """
    contents: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name, (member_name, digest) in package["files"].items():
            try:
                member = archive.getmember(member_name)
            except KeyError:
                raise AssetError(f"{spec}: the tarball has no {member_name}.") from None
            reader = archive.extractfile(member) if member.isfile() else None
            if reader is None:
                raise AssetError(f"{spec}: {member_name} is not a regular file.")
            data = reader.read()
            if hashlib.sha256(data).hexdigest() != digest:
                raise AssetError(f"{spec}: {member_name} does not match its pinned sha256.")
            contents[name] = data
    static.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        partial = static / f".{name}.partial"
        partial.write_bytes(data)
        os.replace(partial, static / name)


def remove_unverified(static: Path) -> list[str]:
    """Delete asset files whose hash is not the pinned one; return their names."""
    removed = []
    for package in PACKAGES.values():
        for name, (_, digest) in package["files"].items():
            path = static / name
            if path.is_file() and sha256_of(path) != digest:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(name)
    return removed


def ensure_assets(static: Path, npm: str | None) -> list[str]:
    """Make `static` hold every pinned asset; return the specs that were fetched.

    Raises `AssetError` (after trying every package) if any could not be fetched;
    files that do not match their pins are then removed, never served.
    """
    wanted = [spec for spec, package in PACKAGES.items() if not is_installed(static, package)]
    if not wanted:
        return []
    errors: list[str] = []
    if npm is None:
        errors.append("npm was not found on PATH (it comes with Node.js).")
    else:
        for spec in wanted:
            package = PACKAGES[spec]
            try:
                with tempfile.TemporaryDirectory(prefix="transom-npm-") as workdir:
                    tarball = npm_pack(npm, spec, Path(workdir))
            except AssetError as error:
                # npm itself failed (offline, registry down): the next one would too.
                errors.append(str(error))
                errors += [f"{other}: not tried." for other in wanted[wanted.index(spec) + 1 :]]
                break
            try:
                check_integrity(spec, tarball, package["integrity"])
                extract(spec, tarball, package, static)
            except (AssetError, OSError, tarfile.TarError) as error:
                errors.append(str(error))
    if errors:
        removed = remove_unverified(static)
        if removed:
            errors.append("Removed files that did not match their pins: " + ", ".join(removed))
        raise AssetError("\n".join(errors))
    return wanted


class CustomBuildHook(BuildHookInterface[BuilderConfig]):
    """Fetch the docs assets for wheel builds and ship them in standard wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        static = Path(self.root, STATIC_DIR)
        mode = os.environ.get("TRANSOM_DOCS_ASSETS", "auto").strip().lower() or "auto"
        if mode not in ("auto", "require", "skip"):
            raise ValueError(f"TRANSOM_DOCS_ASSETS must be auto, require or skip, not {mode!r}.")
        if mode != "skip":
            try:
                fetched = ensure_assets(static, shutil.which("npm"))
            except AssetError as error:
                message = (
                    "Transom: the Swagger UI / ReDoc assets for /docs and /redoc could not be "
                    f"installed:\n{error}\n"
                )
                if mode == "require":
                    raise RuntimeError(message + "TRANSOM_DOCS_ASSETS=require: failing.") from error
                self.app.display_warning(
                    message + "The build continues without them; the docs pages will say so. "
                    "Install Node.js (npm) and build again to include them."
                )
            else:
                if fetched:
                    self.app.display_info("Transom: fetched docs assets " + ", ".join(fetched))
        if version == "standard":
            # The directory is git-ignored, so name each verified file as an artifact.
            build_data["artifacts"].extend(
                f"/{STATIC_DIR}/{name}" for name in installed_files(static)
            )

    def clean(self, versions: list[str]) -> None:
        static = Path(self.root, STATIC_DIR)
        for package in PACKAGES.values():
            for name in package["files"]:
                (static / name).unlink(missing_ok=True)
