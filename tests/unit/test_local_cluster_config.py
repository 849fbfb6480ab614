"""`espcrm cluster up`'s supervisord configuration: every part, its copies, and the shared
servers' addresses handed to each."""

from __future__ import annotations

import configparser
from pathlib import Path

from infra.local_cluster import PROGRAMS, Layout, supervisor_config


def _parsed(tmp_path: Path, env: dict[str, str]) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(supervisor_config(Layout(tmp_path), env, python="/venv/bin/python"))
    return parser


def test_every_part_runs_as_many_copies_as_its_standby_or_group_needs(tmp_path: Path) -> None:
    parser = _parsed(tmp_path, {"ESPCRM_DATABASE_URL": "postgresql://u@h:5/db"})
    copies = {
        s.split(":", 1)[1]: int(parser[s]["numprocs"]) for s in parser if s.startswith("program:")
    }
    assert copies == {"projections": 2, "relay": 2, "warehouse": 2, "watch": 2, "api": 1}
    assert parser["program:api"]["command"] == "/venv/bin/python -m cli.main serve --workers 2"
    assert "--instance-id wh-%(process_num)d" in parser["program:warehouse"]["command"]
    assert all(parser[f"program:{p.name}"]["autorestart"] == "true" for p in PROGRAMS)


def test_the_shared_addresses_reach_every_part_with_percent_signs_escaped(tmp_path: Path) -> None:
    url = "postgresql://postgres@/espcrm?host=%2Ftmp%2Fpg&port=5432"
    parser = _parsed(tmp_path, {"ESPCRM_DATABASE_URL": url, "ESPCRM_KAFKA_BOOTSTRAP": "h:1"})
    for program in PROGRAMS:
        environment = parser[f"program:{program.name}"]["environment"]
        assert (
            'ESPCRM_DATABASE_URL="postgresql://postgres@/espcrm?host=%%2Ftmp%%2Fpg&port=5432"'
            in environment
        )
        assert 'ESPCRM_KAFKA_BOOTSTRAP="h:1"' in environment


def test_the_control_socket_path_stays_short_however_deep_the_data_dir(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 8)
    layout = Layout(deep)
    assert len(str(layout.socket)) < 100
    assert layout.socket != Layout(tmp_path).socket
