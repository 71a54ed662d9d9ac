"""What a proposed definitions file changes, as rules both teams read, not as a text diff.

Both files are validated first (the same validator as every run), then compared by
meaning: a list of records is matched by its records' identity (`code`, an opportunity
stage's `name`, a transition's from/to/path, a form rule's matcher), not by position, so a
reordered file shows only what really changed; where order is itself a rule (the first
matching form rule or lost-reason category wins, stages are in funnel order) a new order
shows as a move; a list of plain values (patterns, holidays, fit industries) shows what
was added and removed; formatting, comments and the changelog never show. Each change
names its place with the record's label from the file:
`touch_types 資料請求 (document_request).weight: 30 → 40`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestration.common_language.load import LoadedDefinitions

# top-level keys that describe the file itself, not a rule
NOT_RULES = ("version", "changelog")
# a record in a list is identified by the first of these keys it has
IDENTITY_KEYS = ("code", "name")
# records with no single identity key: identified by these keys together
COMPOSITE_IDENTITY = {
    "transitions": ("from", "to", "path"),
    "touch_sources.forms": ("name_contains", "form_id", "form_type"),
}
LABEL_KEYS = ("label_ja", "label_en", "label")
# lists whose order is a rule (the first matching form rule or lost-reason category wins;
# stages are in funnel order); any other list is a set
ORDERED = ("stages", "touch_sources.forms", "lost_reasons.categories")


@dataclass(frozen=True)
class RuleChange:
    """One changed rule: where (`path`, dotted, records by identity), what kind
    (`changed`, `added`, `removed`, `moved`), the values before and after, in words."""

    path: str
    kind: str
    before: Any
    after: Any
    text: str


def _document(loaded: LoadedDefinitions) -> dict[str, Any]:
    dumped = loaded.definitions.model_dump(mode="json", by_alias=True)
    return {k: v for k, v in dumped.items() if k not in NOT_RULES}


def _value(value: Any) -> str:
    if isinstance(value, str):
        return f"「{value}」" if any(ord(c) > 0x2E7F for c in value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return (
        "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    )


def _identity(path: str, record: Mapping[str, Any]) -> str:
    if path in COMPOSITE_IDENTITY:
        parts = [f"{k}={record.get(k)}" for k in COMPOSITE_IDENTITY[path] if record.get(k)]
        return ", ".join(parts)
    for key in IDENTITY_KEYS:
        if key in record:
            return str(record[key])
    return _value(record)


def _named(path: str, record: Mapping[str, Any]) -> str:
    """A record as people call it: its label, then its identity."""
    identity = _identity(path, record)
    label = next((record[k] for k in LABEL_KEYS if record.get(k)), None)
    return f"{label} ({identity})" if label and label != identity else identity


def _is_records(items: Sequence[Any]) -> bool:
    return bool(items) and all(isinstance(item, Mapping) for item in items)


class _Differ:
    def __init__(self) -> None:
        self.changes: list[RuleChange] = []

    def add(self, path: str, kind: str, before: Any, after: Any, text: str) -> None:
        self.changes.append(RuleChange(path, kind, before, after, text))

    def compare(self, path: str, where: str, before: Any, after: Any) -> None:
        if before == after:
            return
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            self._mapping(path, where, before, after)
        elif isinstance(before, list) and isinstance(after, list):
            if _is_records(before) or _is_records(after):
                self._records(path, where, before, after)
            else:
                self._values(path, where, before, after)
        else:
            self.add(path, "changed", before, after, f"{where}: {_value(before)} → {_value(after)}")

    def _mapping(
        self, path: str, where: str, before: Mapping[str, Any], after: Mapping[str, Any]
    ) -> None:
        for key in [*before, *(k for k in after if k not in before)]:
            child, place = f"{path}.{key}" if path else key, f"{where}.{key}" if where else key
            if key not in after:
                self.add(child, "removed", before[key], None, f"{place} removed")
            elif key not in before:
                self.add(child, "added", None, after[key], f"{place} = {_value(after[key])} added")
            else:
                self.compare(child, place, before[key], after[key])

    def _values(self, path: str, where: str, before: list[Any], after: list[Any]) -> None:
        added = [v for v in after if v not in before]
        removed = [v for v in before if v not in after]
        for value in added:
            self.add(path, "added", None, value, f"{where}: {_value(value)} added")
        for value in removed:
            self.add(path, "removed", value, None, f"{where}: {_value(value)} removed")

    def _records(self, path: str, where: str, before: list[Any], after: list[Any]) -> None:
        old = {_identity(path, r): r for r in before}
        new = {_identity(path, r): r for r in after}
        for identity, record in new.items():
            place = f"{where} {_named(path, record)}"
            if identity not in old:
                self.add(f"{path}[{identity}]", "added", None, record, f"{place} added")
            else:
                self.compare(f"{path}[{identity}]", place, old[identity], record)
        for identity, record in old.items():
            if identity not in new:
                self.add(
                    f"{path}[{identity}]",
                    "removed",
                    record,
                    None,
                    f"{where} {_named(path, record)} removed",
                )
        kept_old = [i for i in old if i in new]
        kept_new = [i for i in new if i in old]
        if path in ORDERED and kept_old != kept_new:
            self.add(path, "moved", kept_old, kept_new, f"{where}: order {', '.join(kept_new)}")


def rule_changes(base: LoadedDefinitions, proposed: LoadedDefinitions) -> list[RuleChange]:
    """Every rule the proposal changes, in the file's order."""
    differ = _Differ()
    differ.compare("", "", _document(base), _document(proposed))
    return differ.changes
