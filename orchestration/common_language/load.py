"""Read the definitions file; any problem becomes one error naming the key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from orchestration.common_language.model import FunnelDefinitions

DEFAULT_PATH = Path(__file__).with_name("funnel_definitions.yml")


class DefinitionsError(ValueError):
    """The definitions file is missing, unreadable or breaks a rule of its own shape."""


@dataclass(frozen=True)
class LoadedDefinitions:
    definitions: FunnelDefinitions
    path: Path
    sha256: str

    @property
    def version(self) -> str:
        return self.definitions.version


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif not str(part).startswith(("function-", "model-")):
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def load_definitions(path: Path | None = None) -> LoadedDefinitions:
    path = path or DEFAULT_PATH
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DefinitionsError(f"{path}: cannot read the definitions file: {error}") from error
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise DefinitionsError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise DefinitionsError(f"{path}: expected a mapping of keys at the top level")
    try:
        definitions = FunnelDefinitions.model_validate(document)
    except ValidationError as error:
        problems = [
            ": ".join(filter(None, [_location(e["loc"]), e["msg"].removeprefix("Value error, ")]))
            for e in error.errors()
        ]
        raise DefinitionsError(f"{path}: " + "; ".join(problems)) from error
    return LoadedDefinitions(definitions, path, hashlib.sha256(raw).hexdigest())
