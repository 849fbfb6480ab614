"""Real headless Chromium (Debian's chromium + chromedriver) driven by Selenium, against the API
serving the built console, with every host but 127.0.0.1 unresolvable: what the bureau's
intranet leaves a browser. Checks read the screen as a person does: visible Chinese text."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from api.auth import TokenVerifier
from api.console import DEFAULT_CONSOLE_DIR
from api.context import Services
from infra.bootstrap import Container
from infra.http_server import server_config

CHROMIUM = Path(os.environ.get("ESPCRM_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ESPCRM_CHROMEDRIVER", "/usr/bin/chromedriver"))
# Generous: CI shares two cores with the rest of the suite.
WAIT = float(os.environ.get("ESPCRM_BROWSER_WAIT", "30"))


class WallClock:
    """Real time: the browser counts deadlines down from its own clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def require_browser_and_console() -> None:
    """A missing chromium or console build fails, saying what to install: a skipped browser
    test would prove nothing (make install builds the console, and installs chromium in CI)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not (DEFAULT_CONSOLE_DIR / "index.html").is_file():
        missing.append(f"{DEFAULT_CONSOLE_DIR}/index.html (make install builds the console)")
    if not missing:
        return
    pytest.fail("needs " + ", ".join(missing) + " (apt-get install chromium chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_console(container: Container) -> Iterator[str]:
    """The API with the console and the development login, on a free port; yields its origin."""
    settings = container.settings
    verifier = TokenVerifier(hs256_secret=settings.resolved_jwt_secret())
    app = create_app(
        Services(container.app, container.views, calendar=container.catalogue.calendar),
        verifier,
        dev_login_enabled=True,
    )
    port = _free_port()
    config = server_config(app, replace(settings, host="127.0.0.1", port=port), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@dataclass
class Browser:
    """A person at the screen: find by visible text, type, click, look."""

    driver: Any
    origin: str
    shots: Path

    # ------------------------------------------------------------------ looking

    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def until(self, what: str, check: Callable[[], Any], timeout: float = WAIT) -> Any:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                found = check()
                if found:
                    return found
            except Exception as error:  # stale elements while React re-renders
                last = error
            time.sleep(0.1)
        raise AssertionError(
            f"not on screen after {timeout:.0f} s: {what}\n{self._screen()}"
        ) from last

    def see(self, *texts: str, timeout: float = WAIT) -> None:
        for text in texts:
            self.until(repr(text), lambda t=text: t in self.text(), timeout)  # type: ignore[misc]

    def not_see(self, text: str) -> None:
        assert text not in self.text(), f"{text!r} is on screen\n{self._screen()}"

    def _screen(self) -> str:
        try:
            return "--- screen ---\n" + self.text()[:3000]
        except Exception:
            return ""

    # ------------------------------------------------------------------ doing

    def go(self, path: str) -> None:
        self.driver.get(self.origin + path)

    def _xpath(self, xpath: str) -> Any:
        from selenium.webdriver.common.by import By

        def visible() -> Any:
            for element in self.driver.find_elements(By.XPATH, xpath):
                if element.is_displayed() and element.is_enabled():
                    return element
            return None

        return self.until(xpath, visible)

    def click(self, xpath: str) -> None:
        element = self._xpath(xpath)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        self.until(f"click {xpath}", lambda: element.click() is None)

    def button(self, label: str) -> None:
        self.click(f"//button[normalize-space(.)='{label}']")

    def menu(self, label: str) -> None:
        """A menu entry; on a phone the menu is behind the ☰ button."""
        xpath = f"//li[contains(@class,'ant-menu-item')][normalize-space(.)='{label}']"
        from selenium.webdriver.common.by import By

        if not any(e.is_displayed() for e in self.driver.find_elements(By.XPATH, xpath)):
            self.click("//button[@aria-label='菜单']")
        self.click(xpath)

    def link(self, label: str) -> None:
        self.click(f"//a[normalize-space(.)='{label}']")

    def fill(self, field_id: str, value: str) -> None:
        from selenium.webdriver.common.keys import Keys

        element = self._xpath(f"//*[@id='{field_id}']")
        element.click()
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.DELETE)
        element.send_keys(value)

    def choose(self, field_id: str, label: str) -> None:
        """An antd Select: open it, type to narrow it where it searches, pick the option."""
        self.click(f"//*[@id='{field_id}']/ancestor::div[contains(@class,'ant-select')][1]")
        field = self._xpath(f"//*[@id='{field_id}']")
        if field.get_attribute("readonly") is None:
            field.send_keys(label)
        self.click(
            "//div[contains(@class,'ant-select-item-option') and not(contains(@class,'disabled'))]"
            f"[@title='{label}' or normalize-space(.)='{label}']"
        )

    def choose_period(self, label: str) -> None:
        """The 统计期间 picker: type the period's name, pick it."""
        from selenium.webdriver.common.keys import Keys

        self.click("//*[@aria-label='统计期间']/ancestor::div[contains(@class,'ant-select')][1]")
        field = self._xpath("//input[@aria-label='统计期间']")
        field.send_keys(label)
        field.send_keys(Keys.ENTER)

    def tag(self, field_id: str, value: str) -> None:
        """A tags Select: type a value and press Enter."""
        from selenium.webdriver.common.keys import Keys

        element = self._xpath(f"//*[@id='{field_id}']")
        element.click()
        element.send_keys(value)
        element.send_keys(Keys.ENTER)
        element.send_keys(Keys.ESCAPE)

    def radio(self, label: str) -> None:
        self.click(f"//label[contains(@class,'ant-radio')][normalize-space(.)='{label}']")

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        time.sleep(0.3)  # let antd's enter animations finish
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    # ------------------------------------------------------------------ the window

    def phone(self) -> None:
        """390 px wide, as a phone in the commissioner's hand."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )

    def desk(self) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )

    def page_width(self) -> int:
        return int(self.driver.execute_script("return document.documentElement.scrollWidth"))

    # ------------------------------------------------------------------ the network

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for since the last call (Chrome's performance log)."""
        import json

        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(str(message["params"]["request"]["url"]))
        return urls

    def outside_requests(self) -> list[str]:
        """Network requests (http, https, ws) to anywhere but this server; the browser's own
        chrome:// pages are not the network."""
        network = ("http:", "https:", "ws:", "wss:", "ftp:")
        return [
            u
            for u in self.requested_urls()
            if u.startswith(network) and not u.startswith(self.origin + "/")
        ]

    # ------------------------------------------------------------------ signing in

    def sign_in(self, role_label: str, sub: str, name: str) -> None:
        """登录 as a chosen role and person through the development login."""
        if "开发环境登录" not in self.text():  # after 退出 the page is already there
            self.go("/login")
        self.see("开发环境登录")
        self.radio(role_label)
        self.fill("sub", sub)
        self.fill("name", name)
        self.button("登录")
        self.see(name, "退出")

    def sign_out(self) -> None:
        self.button("退出")
        self.see("企业服务包管理平台", "登录")


@contextmanager
def chromium(origin: str, shots: Path, profile: Path) -> Iterator[Browser]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--lang=zh-CN",
        "--window-size=1366,900",
        f"--user-data-dir={profile}",
        # The intranet: no name but 127.0.0.1 resolves, so nothing outside can load.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield Browser(driver, origin, shots)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
