"""Print the third-party requirements of the projects whose folders are given.

The image's shared dependency layer installs these (pinned by constraints.txt) from nothing but
the pyproject.toml files, before any source is copied; the repository's own packages (rapport,
rapport-<service>) are left out, as they are installed from source later.
"""

import re
import sys
import tomllib
from pathlib import Path


def project_name(requirement: str) -> str:
    """``pyjwt[crypto]`` -> ``pyjwt``, ``pydantic>=2.12`` -> ``pydantic``."""
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]


def requirements(folders: list[str]) -> list[str]:
    own = set()
    wanted = set()
    for folder in folders:
        project = tomllib.loads((Path(folder) / "pyproject.toml").read_text())["project"]
        own.add(project["name"])
        wanted.update(project.get("dependencies", []))
    return sorted(r for r in wanted if project_name(r) not in own)


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
