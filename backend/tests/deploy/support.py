"""Paths and a strict YAML reader shared by the deployment checks."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

BACKEND = Path(__file__).resolve().parents[2]
ROOT = BACKEND.parent
FRONTEND = ROOT / "frontend"
CHART = ROOT / "charts" / "vidvault"
COMPOSE_FILE = ROOT / "docker-compose.yml"
BIN = BACKEND / ".venv" / "bin"


class DuplicateKeyError(yaml.YAMLError):
    pass


class StrictLoader(yaml.SafeLoader):
    """Refuses duplicate mapping keys, which the API server rejects and PyYAML hides."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise DuplicateKeyError(f"duplicate keys {sorted(duplicates)} at {node.start_mark}")
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=StrictLoader)  # a SafeLoader subclass: safe


def load_yaml_documents(text: str) -> list[Any]:
    return [doc for doc in yaml.load_all(text, Loader=StrictLoader) if doc is not None]


def tool(name: str) -> str:
    """A tool from the project's virtualenv (installed by the deploy-checks group)."""
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    assert found, f"{name} is not installed: run `uv sync` in backend/ (deploy-checks group)"
    return found


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
