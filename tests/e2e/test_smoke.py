"""Browser smoke test against the real server: sign in, see the workbench, switch language.

Runs ``tongban migrate``, ``tongban demo`` and ``tongban serve`` (gunicorn) in a temporary
TONGBAN_HOME, then drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "E2e-Demo-Pass-2026"
TONGBAN = [sys.executable, "-m", "tongban"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    home = tmp_path_factory.mktemp("home")
    env = {
        **os.environ,
        "TONGBAN_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "tongban.settings.base",
    }
    env.pop("TONGBAN_DATABASE_URL", None)
    subprocess.run([*TONGBAN, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    out = subprocess.run(
        [*TONGBAN, "demo", "--password", PASSWORD, "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    logins = json.loads(out)
    port = free_port()
    log = open(Path(home) / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [*TONGBAN, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        server.terminate()
        pytest.fail("the server did not answer /healthz: " + (Path(home) / "serve.log").read_text())
    yield {"base": base, "logins": logins}
    server.terminate()
    server.wait(10)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is required at /usr/bin/chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def test_healthz(served):
    with urllib.request.urlopen(served["base"] + "/healthz") as response:  # noqa: S310
        assert response.status == 200
        assert json.loads(response.read())["status"] == "ok"


def test_sign_in_workbench_and_language_switch(served, browser):
    page = browser.new_page(locale="zh-CN")
    page.goto(served["base"] + "/sign-in/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "登录" in page.content()
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url("**/workbench/")
    assert "张晓明" in page.content()
    assert "工作台" in page.content()
    page.select_option("select[name=language]", "en")
    page.click("form.language-switch button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Workbench" in page.content()
    page.close()


def test_administrator_signs_in_with_second_factor(served, browser):
    admin = next(x for x in served["logins"] if x["username"] == "admin")
    page = browser.new_page()
    page.goto(served["base"] + "/sign-in/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp]", pyotp.TOTP(admin["totp_secret"]).now())
    page.click("#main button[type=submit]")
    page.wait_for_url("**/workbench/")
    page.goto(served["base"] + "/org/staff/")
    assert "张晓明" in page.content()
    page.close()


def _sign_in(browser, base: str, username: str, otp: str = ""):
    page = browser.new_page()
    page.goto(base + "/sign-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if otp:
        page.fill("input[name=otp]", otp)
    page.click("#main button[type=submit]")
    page.wait_for_url("**/workbench/")
    return page


def _handle(browser, base: str, username: str, title: str, opinion: str) -> None:
    """Open the document from the inbox, claim it if it is shared, and complete it."""
    page = _sign_in(browser, base, username)
    page.goto(base + "/inbox/")
    page.click(f"text={title}")
    page.wait_for_load_state()
    claim = page.locator("button:has-text('领取此待办')")
    if claim.count():
        claim.click()
        page.wait_for_load_state()
    page.fill("textarea[name=opinion]", opinion)
    page.click("#main form button.btn-primary")
    page.wait_for_url("**/inbox/")
    page.close()


def _start(browser, base: str, title: str) -> str:
    """``clerk`` starts an outgoing document countersigned by 财政局; the instance page's URL."""
    page = _sign_in(browser, base, "clerk")
    page.goto(base + "/workflow/start/")
    page.fill("input[name=title]", title)
    page.check("input[value=SFS-CZJ]")
    page.click("#main button[type=submit]")
    page.wait_for_url("**/workflow/instances/*/")
    url = page.url
    page.close()
    return url


def test_outgoing_document_through_the_ui(served, browser):
    title = "关于做好冬季安全生产工作的通知"
    czj_head = next(
        x["username"]
        for x in served["logins"]
        if x["department"] == "SFS-CZJ" and "bureau_head" in x["roles"]
    )
    instance_url = _start(browser, served["base"], title)
    steps = [
        ("clerk", "请核稿"),
        ("chief", "同意"),
        (czj_head, "会签同意"),
        ("director", "签发"),
        ("clerk", "已编号"),
        ("clerk", "已用印"),
        ("clerk", "已分发"),
    ]
    for username, opinion in steps:
        _handle(browser, served["base"], username, title, opinion)
    page = _sign_in(browser, served["base"], "clerk")
    page.goto(instance_url)
    content = page.content()
    assert "已办结" in content and "签发" in content and "会签同意" in content
    assert page.locator("svg .done").count() >= 7
    page.close()


def test_urging_reaches_the_reviewer_as_a_notification(served, browser):
    title = "关于报送年度工作总结的通知"
    instance_url = _start(browser, served["base"], title)
    _handle(browser, served["base"], "clerk", title, "请核稿")

    page = _sign_in(browser, served["base"], "clerk")
    page.goto(instance_url)
    page.click("dl.facts a:has-text('核稿')")  # 当前环节 → the review task
    page.wait_for_load_state()
    page.fill("input[name=message]", "请今天下班前核稿")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_load_state()
    assert "上次催办" in page.content()
    page.close()

    page = _sign_in(browser, served["base"], "chief")
    badge = page.locator("a.topbar-count[href='/notifications/'] .badge")
    assert badge.inner_text() == "1"
    page.click("a.topbar-count[href='/notifications/']")
    page.wait_for_url("**/notifications/")
    assert "请今天下班前核稿" in page.content()
    page.click(f"button.link-button:has-text('{title}')")
    page.wait_for_url("**/workflow/tasks/*/")
    assert "核稿" in page.content()
    assert page.locator("a.topbar-count[href='/notifications/'] .badge").inner_text() == "0"
    page.close()


def test_a_seal_keeper_seals_a_pdf_and_the_public_checks_it(served, browser, tmp_path):
    from tongban.seals import pdf

    keeper = next(x for x in served["logins"] if x["username"] == "sealkeeper")
    source = tmp_path / "notice.pdf"
    source.write_bytes(pdf.text_document(2, "Notice 2026-7"))
    page = _sign_in(browser, served["base"], "sealkeeper", pyotp.TOTP(keeper["totp_secret"]).now())
    page.goto(served["base"] + "/seals/sign/")
    page.set_input_files("input[name=file]", str(source))
    # the sign-in used this period's code, and a code is good once: wait for the next one
    time.sleep(30 - time.time() % 30 + 1)
    page.fill("input[name=otp]", pyotp.TOTP(keeper["totp_secret"]).now())
    with page.expect_download() as download:
        page.click("#main button[type=submit]")
    sealed = tmp_path / "sealed.pdf"
    download.value.save_as(sealed)
    page.close()

    public = browser.new_page(locale="zh-CN")
    public.goto(served["base"] + "/verify/")
    public.set_input_files("input[name=file]", str(sealed))
    public.click("#main button[type=submit]")
    public.wait_for_load_state()
    content = public.content()
    assert "所有签章均有效" in content and "示范市人民政府办公厅" in content, content[-3000:]
    public.close()
