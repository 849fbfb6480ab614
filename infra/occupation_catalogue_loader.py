"""Reads the occupation catalogue (职业/工种) from its JSON file, and the bureau's extension.

The shipped file is the product's; a bureau adds occupations without a release by naming a
file of the same shape in ESPCRM_OCCUPATIONS_EXTRA (codes are forever: one already listed is
refused, never renamed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from domain.labour import OccupationCatalogue, occupations_from_data
from domain.shared import InvalidInput

DEFAULT_OCCUPATIONS_PATH = Path(__file__).parent / "data" / "occupation_catalogue.json"
EXTRA_ENV = "ESPCRM_OCCUPATIONS_EXTRA"


class OccupationCatalogueError(ValueError):
    """A catalogue file is missing or malformed; the message names the file and the fault."""


def load_occupations(path: Path | None = None, extra: Path | None = None) -> OccupationCatalogue:
    """The shipped catalogue (or `path`), extended by `extra` (default: ESPCRM_OCCUPATIONS_EXTRA)."""
    catalogue = _read(path or DEFAULT_OCCUPATIONS_PATH)
    extra = extra or (Path(os.environ[EXTRA_ENV]) if os.environ.get(EXTRA_ENV) else None)
    if extra is None:
        return catalogue
    try:
        return catalogue.extended_by(_read(extra))
    except InvalidInput as exc:
        raise OccupationCatalogueError(f"occupation catalogue {extra}: {exc.message}") from exc


def _read(path: Path) -> OccupationCatalogue:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OccupationCatalogueError(f"cannot read occupation catalogue {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise OccupationCatalogueError(
            f"occupation catalogue {path} is not valid JSON: {exc.msg} at line {exc.lineno}"
        ) from exc
    try:
        return occupations_from_data(data)
    except InvalidInput as exc:
        raise OccupationCatalogueError(f"occupation catalogue {path}: {exc.message}") from exc
