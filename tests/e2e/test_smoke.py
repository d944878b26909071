"""Browser smoke test against the real server: sign in, see the workbench, switch language.

Runs ``tongban migrate``, ``tongban demo`` and ``tongban serve`` (gunicorn) in a temporary
TONGBAN_HOME, then drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
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
        [*TONGBAN, "demo", "--password", PASSWORD, "--json", "--documents", "40"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    logins = json.loads(out)
    global _last_step
    _last_step = int(time.time() // 30)  # the demo's batch seal used this step's code
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


# Reports every Content-Security-Policy violation of the page to the console, where the watcher
# below collects it (Chromium also logs each refusal there itself).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
});
"""


class WatchedBrowser:
    """The browser, whose every page reports Content-Security-Policy violations to
    ``violations`` (checked after each test by ``no_csp_violations``)."""

    def __init__(self, browser: object) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def new_page(self, **kwargs: object) -> object:
        page = self._browser.new_page(**kwargs)  # type: ignore[attr-defined]
        page.add_init_script(REPORT_VIOLATIONS)

        def collect(message: object) -> None:
            text = message.text  # type: ignore[attr-defined]
            if "Content Security Policy" in text:
                self.violations.append(f"{page.url}: {text}")

        page.on("console", collect)
        return page

    def __getattr__(self, name: str) -> object:
        return getattr(self._browser, name)


@pytest.fixture(scope="module")
def browser() -> Iterator[WatchedBrowser]:
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
        yield WatchedBrowser(b)
        b.close()


@pytest.fixture(autouse=True)
def no_csp_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every page a test visits keeps to the Content-Security-Policy."""
    yield
    if "browser" in request.fixturenames:
        watched = request.getfixturevalue("browser")
        found, watched.violations[:] = list(watched.violations), []
        assert found == [], found


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


_last_step = 0


def fresh_code(secret: str) -> str:
    """A one-time code of a step not used yet in this run (a code is good once; the demo's
    batch seal and every sign-in use one): wait for the next 30-second step if needed."""
    global _last_step
    while int(time.time() // 30) <= _last_step:
        time.sleep(30 - time.time() % 30 + 0.5)
    _last_step = int(time.time() // 30)
    return pyotp.TOTP(secret).now()


def _handle(
    browser, base: str, username: str, title: str, opinion: str, decision: str = "", **fields: str
) -> None:
    """Open the document from the inbox (its step opens on the document's page), take the step
    if it is shared, fill it in and complete it."""
    page = _sign_in(browser, base, username)
    page.goto(base + "/inbox/?q=" + urllib.parse.quote(title))
    page.click(f"text={title}")
    page.wait_for_url("**/documents/*/**")
    claim = page.locator("section.step-panel form:has(input[value=claim]) button")
    if claim.count():
        claim.first.click()
        page.wait_for_load_state()
    panel = page.locator("section.step-panel").first
    if decision:  # nothing is chosen in advance: one click never approves
        panel.locator(f"input[name$=-approved][value={decision}]").check()
    for name, value in fields.items():
        panel.locator(f"[name$=-{name}]").fill(value)
    panel.locator("textarea[name$=-opinion]").fill(opinion)
    with page.expect_navigation():
        panel.locator("button.btn-primary").click()
    assert "message-success" in page.content(), page.content()[-3000:]
    page.close()


def _draft(browser, base: str, title: str) -> str:
    """``clerk`` drafts an outgoing notice to 财政局 and 教育局, countersigned by 财政局; the
    document page's URL."""
    page = _sign_in(browser, base, "clerk")
    page.goto(base + "/inbox/")
    page.click("text=新建发文")
    page.wait_for_url("**/documents/new/")
    page.fill("input[name=title]", title)
    page.check("input[name=main_recipients][value=SFS-CZJ]")
    page.check("input[name=main_recipients][value=SFS-JYJ]")
    page.fill("textarea[name=body]", "各有关单位：\n一、提高认识\n请认真贯彻落实。")
    page.check("input[name=countersign_departments][value=SFS-CZJ]")
    page.click("#main form button[type=submit]")
    page.wait_for_url("**/documents/*/")
    url = page.url
    page.close()
    return url


def _head_of(served: dict, code: str) -> str:
    return next(
        x["username"]
        for x in served["logins"]
        if x["department"] == code and "bureau_head" in x["roles"]
    )


def test_outgoing_document_through_the_ui(served, browser, tmp_path):
    base = served["base"]
    title = "关于做好冬季道路交通安全工作的通知"
    document_url = _draft(browser, base, title)
    _handle(browser, base, "clerk", title, "请核稿")
    _handle(browser, base, "chief", title, "同意", decision="yes")
    _handle(browser, base, _head_of(served, "SFS-CZJ"), title, "会签同意")
    _handle(browser, base, "director", title, "同意印发")
    _handle(browser, base, "clerk", title, "已编号", copies="8")

    keeper = next(x for x in served["logins"] if x["username"] == "sealkeeper")
    page = _sign_in(browser, base, "sealkeeper", fresh_code(keeper["totp_secret"]))
    page.goto(base + "/documents/seal/")
    assert title in page.content()
    page.check(f"label:has-text('{title}') input[name=documents]")  # checked, then chosen
    page.fill("input[name=otp]", fresh_code(keeper["totp_secret"]))
    page.click("#main form button.btn-primary")
    page.wait_for_load_state()
    assert "message-success" in page.content(), page.content()[-3000:]
    page.close()

    _handle(browser, base, "clerk", title, "已分发")
    page = _sign_in(browser, base, "clerk")
    page.goto(document_url)
    content = page.content()
    assert "已发" in content and "示政办发〔" in content and "会签同意" in content
    number = page.locator("dl.facts dd").nth(1).inner_text()
    with page.expect_download() as download:
        page.click("text=发文稿纸")  # the processing slip
    assert download.value.suggested_filename.endswith(".pdf")
    response = page.request.get(document_url + "pdf")
    sealed = tmp_path / "issued.pdf"
    sealed.write_bytes(response.body())
    page.close()

    # The public verification page accepts the seal.
    public = browser.new_page(locale="zh-CN")
    public.goto(base + "/verify/")
    public.set_input_files("input[name=file]", str(sealed))
    public.click("#main button[type=submit]")
    public.wait_for_load_state()
    assert "所有签章均有效" in public.content()
    public.close()

    # 财政局's clerk finds it in the incoming register at once and signs for it.
    receiver = next(
        x["username"]
        for x in served["logins"]
        if x["department"] == "SFS-CZJ" and x["roles"] == ["clerk"]
    )
    page = _sign_in(browser, base, receiver)
    page.goto(base + "/documents/incoming/")
    page.click(f"text={title}")
    page.wait_for_url("**/documents/incoming/*/")
    page.click("form:has(input[value=receive]) button")
    page.wait_for_load_state()
    assert "收〔" not in page.locator("dl.facts").inner_text()  # registered at the next step
    panel = page.locator("section.step-panel").first
    panel.locator("button.btn-primary").click()
    page.wait_for_load_state()
    assert "收〔" in page.locator("dl.facts").inner_text() and number in page.content()
    page.close()


def test_search_finds_a_document_by_two_words_for_those_who_may_see_it(served, browser):
    base = served["base"]
    title = "关于开展营商环境满意度测评考核的通知"
    _draft(browser, base, title)
    page = _sign_in(browser, base, "clerk")
    page.goto(base + "/documents/?q=营商环境+考核")
    assert page.locator("ol.results mark").count() >= 1
    assert title in page.locator("ol.results h2").all_inner_texts()
    page.close()
    outsider = _sign_in(browser, base, "dongcheng")
    outsider.goto(base + "/documents/?q=营商环境+考核")
    assert title not in outsider.locator("#main").inner_text()
    outsider.close()


def test_urging_reaches_the_reviewer_as_a_notification(served, browser):
    base = served["base"]
    title = "关于报送2026年度工作总结的通知"
    document_url = _draft(browser, base, title)
    _handle(browser, base, "clerk", title, "请核稿")

    page = _sign_in(browser, base, "clerk")
    page.goto(document_url)
    page.fill("input[name=message]", "请今天下班前核稿")
    page.click("form.inline-form:has(input[value=urge]) button[type=submit]")
    page.wait_for_load_state()
    assert "上次催办" in page.content()
    page.close()

    page = _sign_in(browser, base, "chief")
    badge = page.locator("a.topbar-count[href='/notifications/'] .badge")
    assert int(badge.inner_text()) >= 1
    page.click("a.topbar-count[href='/notifications/']")
    page.wait_for_url("**/notifications/")
    assert "请今天下班前核稿" in page.content()
    page.click("button.link-button:has-text('催办')")
    page.wait_for_url("**/documents/*/**")
    assert "核稿" in page.content()
    page.close()


def test_a_seal_keeper_seals_a_pdf_and_the_public_checks_it(served, browser, tmp_path):
    from tongban.seals import pdf

    keeper = next(x for x in served["logins"] if x["username"] == "sealkeeper")
    source = tmp_path / "notice.pdf"
    source.write_bytes(pdf.text_document(2, "Notice 2026-7"))
    page = _sign_in(browser, served["base"], "sealkeeper", fresh_code(keeper["totp_secret"]))
    page.goto(served["base"] + "/seals/sign/")
    page.set_input_files("input[name=file]", str(source))
    page.fill("input[name=otp]", fresh_code(keeper["totp_secret"]))
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


def test_a_leave_request_is_started_from_its_form_and_approved(served, browser):
    base = served["base"]
    clerk = _sign_in(browser, base, "clerk")
    clerk.goto(base + "/inbox/")
    clerk.click("text=发起流程")
    clerk.click("a.btn:has-text('发起')")
    clerk.click("main button[type=submit]")  # the browser stops an empty required field
    assert "/workflow/start/leave_request/" in clerk.url
    clerk.fill("input[name=title]", "浏览器里的年休假")
    clerk.fill("input[name=f_days]", "2")
    clerk.fill("input[name=f_first_day]", "2026-12-21")
    clerk.select_option("select[name=f_kind]", "annual")
    clerk.click("main button[type=submit]")
    clerk.wait_for_url("**/workflow/instances/*/")
    assert "处室负责人审批" in clerk.content()
    clerk.close()

    chief = _sign_in(browser, base, "chief")
    chief.goto(base + "/inbox/?q=" + urllib.parse.quote("浏览器里的年休假"))
    chief.click("text=浏览器里的年休假")
    chief.wait_for_url("**/workflow/tasks/*/")
    page = chief.content()
    assert "请假天数" in page and "年休假" in page  # what was asked for
    if chief.locator("button:has-text('领取')").count():
        chief.click("button:has-text('领取')")
    chief.check("input[name=f_approved]")
    chief.fill("textarea[name=opinion]", "同意")
    chief.click("form:has(input[value=complete]) button[type=submit]")
    chief.wait_for_url("**/inbox/")
    chief.goto(base + "/inbox/?scope=done&q=" + urllib.parse.quote("浏览器里的年休假"))
    assert "浏览器里的年休假" in chief.content()
    chief.close()


def test_the_modeler_opens_a_process_without_script_errors(served, browser):
    admin = next(x for x in served["logins"] if x["username"] == "admin")
    page = _sign_in(browser, served["base"], "admin", fresh_code(admin["totp_secret"]))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served["base"] + "/workflow/definitions/leave_request/model/")
    page.wait_for_selector(".djs-element.djs-shape")
    assert page.locator(".djs-element.djs-shape").count() >= 8
    # The editor speaks the page's language.
    assert page.locator('.djs-palette [aria-label="创建任务"]').count() == 1

    # Nothing changed yet: nothing to save as a new version.
    assert page.locator("#modeler-form button[type=submit]").is_disabled()
    # The step panel: who does the approval, its deadline; a flow's condition.
    page.locator('.djs-element[data-element-id="approve"]').first.click()
    assert page.locator("[data-field=type]").inner_text() == "用户任务"
    assert page.input_value("#prop-groups") == "division_head"
    assert page.input_value("#prop-due") == "1" and page.is_checked("#prop-exclude")
    page.fill("#prop-due", "2")
    page.fill("#prop-users", "chief")
    page.locator("#prop-users").press("Tab")
    page.locator('.djs-element[data-element-id="longer_label"]').first.click()  # its name
    assert page.input_value("#prop-condition") == "${approved && days > 3}"
    page.fill("#prop-condition", "${approved && days > 5}")
    page.locator("#prop-condition").press("Tab")
    assert page.locator("#modeler-form button[type=submit]").is_enabled()
    assert page.locator("#modeler-unchanged").is_hidden()
    page.click("text=保存为新版本")
    page.wait_for_url("**/workflow/definitions/")
    assert "已保存为第 2 版" in page.content()
    page.goto(served["base"] + "/workflow/definitions/leave_request/model/")
    page.wait_for_selector(".djs-element.djs-shape")
    saved = json.loads(page.locator("#bpmn-source").text_content() or '""')
    assert 'tongban:dueWorkingDays="2"' in saved and 'camunda:candidateUsers="chief"' in saved
    assert (
        "${approved &amp;&amp; days &gt; 5}" in saved
        and 'xmlns:tongban="https://tongban.org/schema/bpmn"' in saved
    )
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
    page.close()


def test_the_inbox_reads_as_cards_on_a_phone(served, browser):
    page = _sign_in(browser, served["base"], "chief")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(served["base"] + "/inbox/")
    first = page.locator("table.table-stack tbody tr").first
    title = first.locator("td.stack-title")
    # The title takes the card's whole width instead of a column two characters wide …
    assert title.bounding_box()["width"] > 300
    # … each fact says what it is, and nothing scrolls sideways.
    assert "：" in page.evaluate(
        "getComputedStyle(document.querySelector('table.table-stack td[data-label]'), '::before').content"
    )
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    page.close()


PHONE = {"width": 390, "height": 844}

# Each card of a register on the page: its height, the title's width, and every labelled fact as
# the phone shows it ("文号：示政办发〔2026〕3号"), the label drawn by the stylesheet.
CARDS = """() => Array.from(document.querySelectorAll('table.table-stack tbody tr')).map(row => ({
  height: row.getBoundingClientRect().height,
  titleWidth: row.querySelector('td.stack-title').getBoundingClientRect().width,
  titleTop: row.querySelector('td.stack-title').getBoundingClientRect().top
    <= Math.min(...Array.from(row.children).map(c => c.getBoundingClientRect().top)),
  facts: Array.from(row.querySelectorAll('td[data-label]')).map(td =>
    getComputedStyle(td, '::before').content.replace(/^"|"$/g, '') + td.innerText.trim()),
}))"""
NO_SIDEWAYS_SCROLL = """() => document.documentElement.scrollWidth <= window.innerWidth
  && Array.from(document.querySelectorAll('.table-wrap')).every(w => w.scrollWidth <= w.clientWidth)"""


def test_the_registers_read_as_cards_on_a_phone(served, browser):
    """At 390 px the outgoing register was a squeezed table 213 px a row (11,379 px for 50 rows)
    and the incoming register was cut off on the right (551 px in 356): both are cards now."""
    page = _sign_in(browser, served["base"], "director")  # every numbered document of the office
    page.set_viewport_size(PHONE)
    page.goto(served["base"] + "/documents/register/")
    cards = page.evaluate(CARDS)
    assert len(cards) >= 3
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    for card in cards:
        assert card["titleWidth"] > 300 and card["titleTop"], card
        number, kind, signer, written, copies = card["facts"]
        assert re.fullmatch(r"文号：\S+〔\d{4}〕\d+号", number), card
        assert kind.startswith("文种：") and signer.startswith("签发人：")
        assert re.fullmatch(r"成文日期：\d{4}-\d{2}-\d{2}", written), card
        assert copies.startswith("份数：")
    # Not absurdly tall: a card is a few lines, not a column of one character a line.
    heights = [card["height"] for card in cards]
    assert max(heights) < 170 and sum(heights) / len(heights) < 140, heights
    page.close()

    clerk = next(
        x["username"]
        for x in served["logins"]
        if x["department"] == "SFS-FGW" and x["roles"] == ["clerk"]
    )
    page = _sign_in(browser, served["base"], clerk)
    page.set_viewport_size(PHONE)
    tabs = ("awaiting", "open", "done")
    for tab in tabs:
        page.goto(f"{served['base']}/documents/incoming/?tab={tab}")
        if page.locator("table.table-stack td.empty").count() == 0:
            break
    cards = page.evaluate(CARDS)
    assert cards, "the unit has nothing in its incoming register"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    for card in cards:
        assert card["titleWidth"] > 300 and card["titleTop"], card
        labels = [fact.split("：", 1)[0] for fact in card["facts"]]
        assert labels == ["收文编号", "来文机关", "单位", "到达时间", "办理期限"], card
        assert card["facts"][2] == "单位：示范市发展和改革委员会"
    page.close()


def test_the_content_security_policy_is_enforced_and_watched(served, browser):
    """The policy is sent and the browser enforces it: a style injected at run time is refused
    and reported (so the watcher of every other test would see a page that needs more)."""
    page = browser.new_page()
    response = page.goto(served["base"] + "/sign-in/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        "() => { const s = document.createElement('style');"
        " s.textContent = 'body { color: red }'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert any("style-src" in v for v in browser.violations), browser.violations
    browser.violations.clear()
    page.close()


def test_pages_and_htmx_keep_to_the_content_security_policy(served, browser):
    """Pages of every kind, the API's interactive docs, and the htmx interactions (the staff
    search, the colleague suggestions of 转办, the records search): no violation."""
    admin = next(x for x in served["logins"] if x["username"] == "admin")
    page = _sign_in(browser, served["base"], "admin", fresh_code(admin["totp_secret"]))
    for path in ("/org/departments/", "/workflow/definitions/", "/workflow/monitor/"):
        page.goto(served["base"] + path)
        page.wait_for_load_state("networkidle")
    page.goto(served["base"] + "/org/staff/")
    with page.expect_response(lambda r: "/org/staff/?" in r.url):
        page.fill("#q", "张")
    page.wait_for_load_state("networkidle")
    assert "张晓明" in page.locator("#staff-rows").inner_text()
    page.goto(served["base"] + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    page.close()

    chief = _sign_in(browser, served["base"], "chief")
    chief.goto(served["base"] + "/inbox/?process=leave_request")  # the demo's 请假申请 waits
    chief.locator("table a[href*='/workflow/tasks/']").first.click()
    chief.wait_for_load_state("networkidle")
    assert chief.locator(".diagram svg.tb-bpmn").count() == 1  # drawn with workflow/diagram.css
    chief.click("form:has(input[value=claim]) button")  # a shared step: take it first
    chief.wait_for_load_state("networkidle")
    chief.click("details summary")  # 其他操作
    field = chief.locator("input[name=to][hx-get]").first  # 转办: colleagues suggested by htmx
    with chief.expect_response(lambda r: "/org/people/suggest/" in r.url):
        field.fill("张")
    for path in ("/documents/", "/documents/incoming/", "/notifications/", "/account/"):
        chief.goto(served["base"] + path)
        chief.wait_for_load_state("networkidle")
    chief.close()

    archivist = _sign_in(browser, served["base"], "archivist")
    archivist.goto(served["base"] + "/records/")
    with archivist.expect_response(lambda r: "/records/?" in r.url):
        archivist.fill("#q", "通知")
    archivist.wait_for_load_state("networkidle")
    archivist.close()
