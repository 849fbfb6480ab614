"""The API application as every serving command builds it from a container."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.auth import TokenVerifier
from api.context import Services
from infra.bootstrap import Container
from infra.settings import Settings
from infra.spreadsheets import read_upload
from reports.files import AiringReportFiles


def verifier(settings: Settings) -> TokenVerifier:
    public_key = settings.jwt_public_key_file.read_text() if settings.jwt_public_key_file else None
    jwks = settings.jwks_file.read_text() if settings.jwks_file else None
    return TokenVerifier(
        hs256_secret=settings.resolved_jwt_secret(), rs256_public_key=public_key, jwks=jwks
    )


def api_services(container: Container) -> Services:
    """What the API is handed: the application, the read models, and the ports it cannot
    import itself (report files, uploaded spreadsheets, the notification outbox's records)."""
    return Services(
        container.app,
        container.views,
        calendar=container.catalogue.calendar,
        report_files=AiringReportFiles(container.views),
        uploaded_sheets=read_upload,
        notifications=container.notifications,
        publicity_target=container.settings.publicity_yearly_target,
        read_status=container.read_status if container.read_address else None,
    )


def api_app(container: Container) -> FastAPI:
    settings = container.settings
    return create_app(
        api_services(container),
        verifier(settings),
        dev_login_enabled=settings.development_login,
        lookup_per_minute=settings.lookup_per_minute,
    )
