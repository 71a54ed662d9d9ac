"""Timestamps written the way each system writes them.

The generator writes tens of millions of timestamps at a million persons, most of them
many times over (a newsletter's send time, once per recipient): each format keeps the
texts it made (an instant is formatted once per few hundred thousand), and formats with
`isoformat`, about twice as fast as `strftime`. Every function gives exactly what the
`strftime` pattern in its docstring gives (whole seconds: fractions are cut, not rounded).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from orchestration.sample.world import JST

KEPT_TEXTS = 200_000  # per format; the memory stays bounded at any scale


def _kept(format_: Callable[[datetime], str]) -> Callable[[datetime], str]:
    """`format_`, remembering its texts by instant (equal instants, equal texts: every
    format here depends on the instant only, not on the time zone it is given in)."""
    texts: dict[datetime, str] = {}

    def formatted(at: datetime) -> str:
        text = texts.get(at)
        if text is None:
            if len(texts) >= KEPT_TEXTS:
                texts.clear()
            text = texts[at] = format_(at)
        return text

    return formatted


_utc_millis = _kept(lambda at: at.astimezone(UTC).isoformat()[:19] + ".000Z")
_utc_seconds = _kept(lambda at: at.astimezone(UTC).isoformat()[:19] + "Z")
_jst_seconds = _kept(lambda at: at.astimezone(JST).isoformat(" ")[:19])
_jst_day = _kept(lambda at: at.astimezone(JST).isoformat()[:10])


def utc_millis(at: datetime | None) -> str | None:
    """Salesforce: `%Y-%m-%dT%H:%M:%S.000Z` in UTC."""
    return None if at is None else _utc_millis(at)


def utc_seconds(at: datetime | None) -> str:
    """The ground truth: `%Y-%m-%dT%H:%M:%SZ` in UTC; empty for no time."""
    return "" if at is None else _utc_seconds(at)


def jst_seconds(at: datetime | None) -> str | None:
    """HubSpot's exports: `%Y-%m-%d %H:%M:%S` in JST."""
    return None if at is None else _jst_seconds(at)


def jst_day(at: datetime | None) -> str | None:
    """A date in JST: `%Y-%m-%d`."""
    return None if at is None else _jst_day(at)


def jst_day_slashed(at: datetime | None) -> str | None:
    """The event tools' dates: `%Y/%m/%d` in JST."""
    return None if at is None else _jst_day(at).replace("-", "/")


def jst_minutes_slashed(at: datetime | None) -> str | None:
    """The event tools' times: `%Y/%m/%d %H:%M` in JST."""
    return None if at is None else _jst_seconds(at)[:16].replace("-", "/")
