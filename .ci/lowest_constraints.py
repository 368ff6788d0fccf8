"""Print a pip constraints file that pins every direct dependency to its lower bound.

``python .ci/lowest_constraints.py course test`` reads pyproject.toml's dependencies and the
named extras; ``numpy>=1.24`` becomes ``numpy==1.24``. An upper bound alone (``<7``) pins
nothing. ``make test-lowest`` installs with it, so the bounds we state are bounds we test.
"""
import pathlib
import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def lowest(requirements):
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)", requirement)
        name, _extras, spec = match.groups()
        if name == "nnkit":
            continue
        bound = re.search(r">=\s*([^,\s]+)", spec)
        if bound:
            yield f"{name}=={bound.group(1)}"


def main(extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    print("\n".join(sorted(set(lowest(requirements)))))


if __name__ == "__main__":
    main(sys.argv[1:])
