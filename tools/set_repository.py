"""Point the book at another repository: _config.yml and every chapter's Colab setup cell.

    python tools/set_repository.py https://github.com/ORG/REPO [BRANCH]

The launch buttons read _config.yml; Colab runs a notebook without it, so each chapter's first
cell names the repository to install dlbook from. Both must agree (tests/test_pairing.py checks).
"""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def set_repository(url: str, branch: str, root: Path = ROOT) -> list[Path]:
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        sys.exit(f"set_repository: {url!r} is not https://github.com/ORG/REPO")
    config = root / "_config.yml"
    text = config.read_text()
    old = yaml.safe_load(text)["repository"]
    text = re.sub(r"(?m)^(  url: ).*$", rf"\g<1>{url}", text, count=1)
    text = re.sub(r"(?m)^(  branch: ).*$", rf"\g<1>{branch}", text, count=1)
    config.write_text(text)
    changed = [config]
    pattern = re.escape(f"git+{old['url']}@{old['branch']}")
    for chapter in sorted((root / "book").glob("[0-9]*.*")):
        if chapter.suffix in (".md", ".ipynb"):
            source = chapter.read_text()
            updated = re.sub(pattern, f"git+{url}@{branch}", source)
            if updated != source:
                chapter.write_text(updated)
                changed.append(chapter)
    return changed


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    for path in set_repository(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "main"):
        print("updated", path.relative_to(ROOT))
