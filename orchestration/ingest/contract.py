"""Typed view of the landing contract (`contracts.yaml`), validated when loaded."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACT_PATH = Path(__file__).with_name("contracts.yaml")
COLUMN_TYPES = ("string", "integer", "double", "boolean", "date", "timestamp")
LINEAGE_COLUMNS = ("_source_file", "_source_line", "_file_sha256", "_loaded_at")


class ContractError(ValueError):
    """The landing contract itself is malformed; the message names the key."""


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str = "string"
    required: bool = True
    key: bool = False
    format: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Table:
    system: str
    name: str
    schema: str
    folder: str
    pattern: str
    encoding: str
    description: str
    owner: str
    group: str
    columns: tuple[Column, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    def column_by_header(self) -> dict[str, Column]:
        return {column.header: column for column in self.columns}


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise ContractError(f"{where}: missing key '{key}'")
    return mapping[key]


def _column(raw: dict[str, Any], where: str) -> Column:
    column = Column(
        name=_require(raw, "name", where),
        header=_require(raw, "header", where),
        type=raw.get("type", "string"),
        required=bool(raw.get("required", True)),
        key=bool(raw.get("key", False)),
        format=raw.get("format"),
        timezone=raw.get("timezone"),
    )
    if column.type not in COLUMN_TYPES:
        raise ContractError(f"{where}.type: '{column.type}' is not one of {COLUMN_TYPES}")
    if not column.name.isidentifier() or column.name != column.name.lower():
        raise ContractError(f"{where}.name: '{column.name}' is not a lowercase identifier")
    if column.name.startswith("_"):
        raise ContractError(f"{where}.name: '{column.name}' is reserved for lineage columns")
    return column


def _table(system: str, system_raw: dict[str, Any], name: str, raw: dict[str, Any]) -> Table:
    where = f"systems.{system}.tables.{name}"
    columns = tuple(
        _column(col, f"{where}.columns[{i}]")
        for i, col in enumerate(_require(raw, "columns", where))
    )
    for attribute in ("name", "header"):
        values = [getattr(c, attribute) for c in columns]
        duplicated = sorted({v for v in values if values.count(v) > 1})
        if duplicated:
            raise ContractError(f"{where}.columns: duplicate {attribute} {duplicated}")
    encoding = raw.get("encoding", system_raw.get("encoding", "utf-8"))
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise ContractError(f"{where}.encoding: unknown encoding '{encoding}'") from error
    return Table(
        system=system,
        name=name,
        schema=_require(system_raw, "schema", f"systems.{system}"),
        folder=_require(raw, "folder", where),
        pattern=raw.get("pattern", "*.csv"),
        encoding=encoding,
        description=raw.get("description", ""),
        owner=_require(system_raw, "owner", f"systems.{system}"),
        group=_require(system_raw, "group", f"systems.{system}"),
        columns=columns,
    )


def parse_contract(document: dict[str, Any]) -> tuple[Table, ...]:
    """Turn the YAML document into tables, or raise ContractError naming the bad key."""
    systems = _require(document, "systems", "contract")
    tables = [
        _table(system, system_raw, name, table_raw)
        for system, system_raw in systems.items()
        for name, table_raw in _require(system_raw, "tables", f"systems.{system}").items()
    ]
    names = [t.qualified_name for t in tables]
    if len(set(names)) != len(names):
        raise ContractError(f"contract: duplicate table names in {names}")
    return tuple(tables)


@cache
def load_contract(path: Path = CONTRACT_PATH) -> tuple[Table, ...]:
    with path.open(encoding="utf-8") as handle:
        return parse_contract(yaml.safe_load(handle))
