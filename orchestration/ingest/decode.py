"""Bring a landed file to UTF-8 so DuckDB's reader can take it.

DuckDB reads UTF-8 (a byte-order mark is skipped) but not CP932, the encoding Japanese
Excel and card scanners write; its own `shift_jis` loses characters such as ㈱ ① 髙
(STACK.md, trap 7). Such files are decoded here with Python's strict `cp932` codec, in
chunks, into a temporary UTF-8 copy. A file that is not valid in its declared encoding
is refused whole, with the byte offset and line of the first bad byte.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK_BYTES = 8 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8


# what a file that is no text in its declared encoding usually is, by its first bytes
_SIGNATURES = (
    (codecs.BOM_UTF16_LE, 'UTF-16 text (Excel\'s "Unicode Text"): save it as CSV UTF-8'),
    (codecs.BOM_UTF16_BE, "UTF-16 text: save it as CSV UTF-8"),
    (b"\x1f\x8b", "a gzip archive: land the decompressed CSV"),
    (b"PK\x03\x04", "a ZIP archive (an Excel workbook?): land the CSV export"),
)


def looks_like(path: Path) -> str | None:
    """What the file's first bytes say it is, when that is a known kind of non-CSV."""
    with path.open("rb") as handle:
        start = handle.read(4)
    return next((kind for magic, kind in _SIGNATURES if start.startswith(magic)), None)


class FileRejected(Exception):
    """A whole file cannot be ingested; the message names the file and the reason."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def is_utf8_family(encoding: str) -> bool:
    return codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}


@dataclass(frozen=True)
class Decoded:
    path: Path  # a UTF-8 file with the landed file's text: itself or a decoded copy
    encoding: str  # what it was read as (the ledger records it)


def to_utf8(path: Path, encoding: str, target: Path, display_name: str) -> Decoded:
    """The landed file as UTF-8: `path` itself or a decoded copy at `target`.

    Read as UTF-8 when the file starts with a UTF-8 byte-order mark (Excel's "CSV UTF-8"
    carries one whatever the vendor's usual encoding is), or when it is not valid in its
    declared encoding but is valid UTF-8 throughout (a card scanner set to UTF-8 without a
    mark): no text is both, so nothing is guessed. Otherwise in its declared encoding."""
    with path.open("rb") as handle:
        has_bom = handle.read(len(UTF8_BOM)) == UTF8_BOM
    if has_bom or is_utf8_family(encoding):
        return Decoded(_utf8(path, target, display_name), "utf-8")
    try:
        with target.open("w", encoding="utf-8", newline="") as sink:
            _decode(path, encoding, sink, display_name)
    except FileRejected as declared:
        try:
            return Decoded(_utf8(path, target, display_name), "utf-8")
        except FileRejected:
            raise declared from declared.__cause__  # the declared encoding's bad byte
    return Decoded(target, encoding)


def _utf8(path: Path, target: Path, display_name: str) -> Path:
    """A UTF-8 file read as it is, once checked: a bad byte fails it naming byte and line,
    whatever the file's size and wherever the byte is."""
    if not _decode(path, "utf-8", None, display_name):
        return path
    # CRLF and bare LF in one file (exports appended by different tools): DuckDB's strict
    # reader refuses the mixture, so lines end in LF in a copy
    with target.open("w", encoding="utf-8", newline="") as sink:
        _decode(path, "utf-8", sink, display_name)
    return target


def _decode(path: Path, encoding: str, sink: IO[str] | None, display_name: str) -> bool:
    """Decode strictly, chunk by chunk, into `sink` with every line ending in LF (or only
    check, without one). Return whether the file mixes CRLF and bare LF line ends."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    consumed, lines, crlf, pending_cr = 0, 1, 0, ""
    with path.open("rb") as source:
        while True:
            chunk = source.read(CHUNK_BYTES)
            crlf += chunk.count(b"\r\n") + (
                1 if consumed and chunk[:1] == b"\n" and pending_cr else 0
            )
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                bad_at = consumed + error.start
                line = lines + chunk[: error.start].count(b"\n")
                kind = looks_like(path)
                raise FileRejected(
                    f"{display_name}: not valid {encoding} at byte {bad_at} (line {line}):"
                    f" {error.reason}" + (f"; the file looks like {kind}" if kind else "")
                ) from error
            if sink is not None:
                text = pending_cr + text
                pending_cr = "\r" if text.endswith("\r") and chunk else ""
                sink.write(text[: len(text) - len(pending_cr)].replace("\r\n", "\n"))
            else:
                pending_cr = "\r" if chunk.endswith(b"\r") else ""
            consumed += len(chunk)
            lines += chunk.count(b"\n")
            if not chunk:
                return 0 < crlf < lines - 1
