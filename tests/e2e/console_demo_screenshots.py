"""Screenshots of the supervisor's dashboards over the synthetic demo year (2025), for the
README: `make screenshots` runs it after the browser test. Not a test: `python -m
tests.e2e.console_demo_screenshots docs/img`.

The demo year is seeded into a throwaway embedded PostgreSQL, the API serves the built console
on a free port, and Debian's chromium (no outside host resolvable) signs in as a supervisor."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from demo import seed_demo_if_empty
from infra.bootstrap import bootstrap
from infra.settings import Settings
from tests.e2e.console_browser import chromium, require_browser_and_console, serve_console

PERIOD = "2025-Q3"


def main(out: Path) -> None:
    require_browser_and_console()
    with tempfile.TemporaryDirectory(prefix="espcrm-demo-shots-") as tmp:
        settings = Settings(data_dir=Path(tmp), kafka_bootstrap=None)
        container = bootstrap(settings)
        try:
            print("seeding the demo year…", flush=True)
            seed_demo_if_empty(container)
            container.projections.start()
            container.projections.wait_for(container.app.last_position(), timeout=600)
            with (
                serve_console(container) as origin,
                chromium(origin, out, Path(tmp) / "profile") as b,
            ):
                b.desk()
                b.sign_in("督导员", "s-001", "督导员甲")
                b.go(f"/supervisor/league?period={PERIOD}")
                b.see("2025年第三季度", "两江新区", "综合得分")
                b.shot("console-league-demo")
                b.link("两江新区")
                b.see("两江新区 · 2025年第三季度", "办结率", "在办诉求")
                b.shot("console-league-district-demo")
                b.menu("指标看板")
                b.choose_period("2025年第三季度")
                b.see("2025-07-01 至 2025-09-30", "办结率（目标 98%）")
                b.shot("console-kpi-demo")
        finally:
            container.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
