"""Vendor thebe's browser bundle into tools/sphinx/thebe/ (by hand, when upgrading it).

    .venv/bin/python -m tools.sphinx.vendor_thebe

The student site's Live Code (tools/sphinx/live_code.py) serves thebe from the site itself, as
MathJax is, never from a CDN. `npm pack` fetches the pinned packages from the npm registry;
their integrity must be the one pinned below. We keep what a browser may load: the bundle, its
lazily loaded chunks (webpack loads them from the bundle's own folder), the stylesheet and the
licence notices; not the source maps (12 MB), the TypeScript sources or the type declarations.

One change to the bundle: thebe-core fetches require.js from cdnjs before it shows any Jupyter
widget (chapter 3's live explorer); it fetches this folder's copy instead (requirejs, below).
"""

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "thebe"
# name: (version, npm's integrity of its tarball)
PACKAGES = {
    "thebe": (
        "0.9.3",
        "sha512-Rb/7kVhtlffXra3kIe7OuIGE7awsm2/fGWxw21DiNfnWLnUQiDl9AWqYdshPwZPG/5DzLpsJRPix2xtCPtJmQQ==",
    ),
    "requirejs": (
        "2.3.6",
        "sha512-ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg==",
    ),
}
REQUIREJS_CDN = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js"
# webpack's public path: the folder index.js was loaded from (the bundle's own runtime sets it)
REQUIREJS_LOCAL = '__webpack_require__.p+"require.js"'
SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S+\s*$")


def integrity(tarball: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()


def fetch(name: str, version: str, expected: str, into: Path) -> Path:
    """The package's tarball unpacked into `into`/package; its integrity checked."""
    packed = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    tarball = into / json.loads(packed.stdout)[0]["filename"]
    if (found := integrity(tarball)) != expected:
        sys.exit(f"vendor_thebe: {name}@{version} has integrity {found}, not the pinned {expected}")
    folder = into / name
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def vendor(target: Path = TARGET) -> list[Path]:
    with tempfile.TemporaryDirectory() as scratch:
        thebe = fetch("thebe", *PACKAGES["thebe"], Path(scratch))
        requirejs = fetch("requirejs", *PACKAGES["requirejs"], Path(scratch))
        kept = [p for p in (thebe / "lib").iterdir() if p.suffix in (".js", ".css", ".txt")]
        for old in target.glob("*"):
            if old.suffix in (".js", ".css", ".txt"):
                old.unlink()
        target.mkdir(exist_ok=True)
        for path in kept:
            text = SOURCE_MAP.sub("", path.read_text())  # the maps stay out
            if path.name == "index.js":
                if text.count(REQUIREJS_CDN) != 1:
                    sys.exit(f"vendor_thebe: {REQUIREJS_CDN} is not in index.js once")
                text = text.replace(f'"{REQUIREJS_CDN}"', REQUIREJS_LOCAL)
            (target / path.name).write_text(text)
        shutil.copy(requirejs / "require.js", target / "require.js")
    return sorted(target.glob("*"))


if __name__ == "__main__":
    files = vendor()
    size = sum(p.stat().st_size for p in files)
    print(f"vendor_thebe: {len(files)} files, {size / 1e6:.1f} MB in {TARGET}")
