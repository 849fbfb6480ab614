"""What the `espcrm` command prints: key → (中文, English)."""

from __future__ import annotations

CLI: dict[str, tuple[str, str]] = {}
