"""Point the book at other repositories; everything that links to them follows.

    .venv/bin/python -m tools.student.set_repository --student https://github.com/ORG/REPO \
        [--tag TAG]
    .venv/bin/python -m tools.student.set_repository --source https://github.com/ORG/REPO

--student and --tag set where students go: the student site's launch buttons, each published
notebook's Colab and Binder badges, its install cell, the student README and CITATION.cff are
all written from these two settings by tools/student/publish.py. --source is this repository
(the instructor edition's repository button). Only _config.yml changes: ruamel.yaml rewrites
the values and keeps every comment, the order and the quoting of everything else.
"""

import argparse
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

from tools import settings
from tools.settings import GITHUB

ROOT = settings.ROOT
# option: (block, key) in _config.yml
KEYS = {
    "student": ("course", "student_repository"),
    "tag": ("course", "student_tag"),
    "source": ("repository", "url"),
}


def set_repository(student=None, tag=None, source=None, root: Path = ROOT) -> Path:
    config = root / "_config.yml"
    yaml = YAML()  # round trip: comments and layout survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)  # as _config.yml is written
    document = yaml.load(config.read_text())
    for option, value in (("student", student), ("tag", tag), ("source", source)):
        if value is None:
            continue
        if option != "tag" and not GITHUB.fullmatch(value):
            sys.exit(f"set_repository: --{option} {value!r} is not https://github.com/ORG/REPO")
        if option == "tag" and not re.fullmatch(r"[\w.-]+", value):
            sys.exit(f"set_repository: --tag {value!r} is not a valid git tag name")
        block, key = KEYS[option]
        if key not in (document.get(block) or {}):
            sys.exit(f"set_repository: no `{block}.{key}` setting in {config}")
        document[block][key] = value
    with config.open("w") as out:
        yaml.dump(document, out)
    return config


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", help="the public student repository")
    parser.add_argument("--tag", help="this semester's tag in it, e.g. spring-2027")
    parser.add_argument("--source", help="this source repository")
    args = parser.parse_args()
    if not (args.student or args.tag or args.source):
        parser.error("give --student, --tag or --source")
    set_repository(args.student, args.tag, args.source)
    print("updated _config.yml; `make publish` writes the links from it")
