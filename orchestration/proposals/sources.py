"""Where the two files of a proposal come from: a proposed file beside the agreed one, or
the working tree's definitions file against its version at a git ref (a pull request's
base), so a pull request can show what it would change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from orchestration.common_language.load import DefinitionsError, LoadedDefinitions, load_definitions


def definitions_at_ref(path: Path, ref: str, workdir: Path) -> LoadedDefinitions:
    """The definitions file `path` as committed at git `ref`, validated; written to
    `workdir` first (errors then name the ref)."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = path.resolve().relative_to(Path(top).resolve()).as_posix()
        shown = subprocess.run(
            ["git", "show", f"{ref}:{relative}"],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, ValueError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        message = detail.decode("utf-8", "replace").strip() if isinstance(detail, bytes) else ""
        raise DefinitionsError(
            f"{path} at git ref {ref!r}: cannot read it ({message or error})"
        ) from error
    safe = "".join(c if c.isalnum() else "_" for c in ref)
    copy = workdir / f"{path.stem}@{safe}{path.suffix}"
    copy.write_bytes(shown)
    return load_definitions(copy)


def proposal_pair(
    agreed: Path, proposed: Path | None, base_ref: str | None, workdir: Path
) -> tuple[LoadedDefinitions, LoadedDefinitions]:
    """(base, proposal), both validated: with `base_ref`, the agreed file at that ref
    against `proposed` (default: the agreed file as it is now); otherwise the agreed file
    against `proposed`."""
    if base_ref:
        return definitions_at_ref(agreed, base_ref, workdir), load_definitions(proposed or agreed)
    if proposed is None:
        raise DefinitionsError("name the proposed definitions file, or a git ref with --base")
    return load_definitions(agreed), load_definitions(proposed)
