"""A report file handed to the console as base64 (the public API is GraphQL only)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Which file of the airing report (晾晒通报)")
class ReportKind(Enum):
    XLSX = "xlsx"
    LEAGUE_PNG = "league_png"
    KPI_PNG = "kpi_png"
    MARKDOWN = "md"


@strawberry.type(description="A file to save: its name, media type and content in base64")
class ReportFile:
    filename: str
    media_type: str
    size_bytes: int
    content_base64: str
