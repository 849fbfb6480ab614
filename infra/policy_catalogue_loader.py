"""Reads the policy catalogue (人社政策服务包) from its JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from domain.policy_catalogue import PolicyCatalogue, catalogue_from_data
from domain.shared import InvalidInput

DEFAULT_CATALOGUE_PATH = Path(__file__).parent / "data" / "policy_catalogue.json"


class PolicyCatalogueError(ValueError):
    """The catalogue file is missing or malformed; the message names the file and the fault."""


def load_policy_catalogue(path: Path | None = None) -> PolicyCatalogue:
    """The catalogue in `path` (default: the shipped file), or PolicyCatalogueError."""
    path = path or DEFAULT_CATALOGUE_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyCatalogueError(f"cannot read policy catalogue {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise PolicyCatalogueError(
            f"policy catalogue {path} is not valid JSON: {exc.msg} "
            f"at line {exc.lineno}, column {exc.colno}"
        ) from exc
    try:
        return catalogue_from_data(data)
    except InvalidInput as exc:
        raise PolicyCatalogueError(f"policy catalogue {path}: {exc.message}") from exc
