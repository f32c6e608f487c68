"""The Dockerfile keeps its layers in the order that makes them shared and cheap to rebuild.

Read as text, so these run without a container tool (`make test-containers` runs the images).
"""

import re
import sys

from tests.contract.test_deploy_manifests import ROOT, SERVICES, dockerfile_instructions

DOCKER = ROOT / "deploy" / "docker"
sys.path.insert(0, str(DOCKER))

from runtime_requirements import project_name, requirements  # noqa: E402

STAGES: list[list[tuple[str, str]]] = []
for op, args in dockerfile_instructions(DOCKER / "Dockerfile"):
    if op == "FROM":
        STAGES.append([])
    if STAGES:
        STAGES[-1].append((op, args))


def test_every_stage_starts_from_the_base_image_argument() -> None:
    prelude = dockerfile_instructions(DOCKER / "Dockerfile")
    assert prelude[0][0] == "ARG"
    assert prelude[0][1].startswith("BASE_IMAGE=")
    bases = [stage[0][1].split()[0] for stage in STAGES]
    assert bases[0] == bases[-1] == "${BASE_IMAGE}"


def test_dependencies_are_installed_before_any_source_and_for_every_service_alike() -> None:
    deps = STAGES[0]
    copied = [args for op, args in deps if op == "COPY"]
    assert all("libs/rapport " not in c and "/src" not in c for c in copied), copied
    projects = [c for c in copied if "pyproject.toml" in c]
    assert len(projects) == 1 + len(SERVICES), "libs/rapport's and each service's pyproject"
    assert not [args for op, args in deps if op == "ARG" and args.startswith("SERVICE")]
    assert any(op == "RUN" and "-c constraints.txt" in args for op, args in deps)


def test_the_runtime_stage_installs_nothing_and_copies_the_shared_layer_first() -> None:
    runtime = STAGES[-1]
    assert not [args for op, args in runtime if op == "RUN" and "pip install" in args]
    copies = [args for op, args in runtime if op == "COPY"]
    assert copies == ["--from=deps /opt/venv /opt/venv", "--from=app /opt/app /opt/app"]
    service_arg = runtime.index(("ARG", "SERVICE"))
    assert service_arg > max(i for i, (op, _) in enumerate(runtime) if op == "COPY")


def test_every_dependency_of_the_images_is_pinned_by_the_lock() -> None:
    folders = [str(ROOT / "libs" / "rapport"), *(str(ROOT / "services" / s) for s in SERVICES)]
    wanted = requirements(folders)
    assert "aiokafka" in wanted
    assert not [r for r in wanted if r.startswith("rapport")], "the repo's own are built later"
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    names = {project_name(r).lower().replace("_", "-") for r in wanted}
    assert names <= pinned, sorted(names - pinned)


def test_build_tools_are_pinned() -> None:
    lines = [
        line
        for line in (DOCKER / "build-requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", line) for line in lines), lines
