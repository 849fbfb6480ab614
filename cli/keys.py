"""`espcrm data rotate-key`: re-encrypt the store with the current application key.

Mounted by cli/main.py as the `data` group. The procedure (docs/erasure.md): start every
process with the new key as ESPCRM_CIPHER_KEY and the old one in ESPCRM_CIPHER_OLD_KEYS, run
this, then drop the old key from the settings.
"""

from __future__ import annotations

import typer
from rich.console import Console

from domain.messages import render
from infra.bootstrap import bootstrap
from infra.key_rotation import rotate
from infra.keyring import Keyring
from infra.settings import Settings

data_cli = typer.Typer(help="Keys and stored data", no_args_is_help=True)
console = Console(stderr=True)


@data_cli.command("rotate-key")
def rotate_key(
    batch: int = typer.Option(500, help="Rows per transaction"),
) -> None:
    """Re-encrypt what old keys wrote with the current key, while the system runs."""
    settings = Settings()
    keyring = Keyring.from_settings(settings.resolved_cipher_key(), settings.cipher_old_keys)
    container = bootstrap(settings)
    try:
        datastore = container.app.recorder.datastore  # type: ignore[attr-defined]
        rotation = rotate(datastore, keyring, batch)
    finally:
        container.close()
    for column, rows in rotation.rewritten.items():
        console.print(render("cli.rotate.column", column=column, rows=rows))
    console.print(render("cli.rotate.done", total=rotation.total, current=rotation.current))
