"""The web chat driven in headless Chromium (Debian's /usr/bin/chromium through Playwright;
no browser downloads): ask, follow up, upload, on a laptop and a phone screen.

Screenshots are saved to tests/artifacts/ for people to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA
from running_app import RunningApp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("QABOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAPTOP = {"width": 1366, "height": 850}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT = 60_000    # ms

NEW_ARTICLE = """连江防汛纪实

日期:2023-07-30 来源:市城乡建设局

李雷 宣传处处长

李雷同志前往连江县琯头镇开展防汛工作，连续奋战十天，帮助群众转移安置。
"""
SCRIPT_ARTICLE = """网页安全提示

王芳 信息中心主任

王芳同志提醒大家，文章里出现的 <script>alert('xss')</script> 和 <img src=x onerror=alert(1)> 只是文字。她前往长乐区漳港街道开展网络安全调研。
"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"the browser tests need Debian's Chromium at {CHROMIUM}: install it with "
                    f"`apt-get install chromium` (scripts/test does), or set QABOT_CHROMIUM", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def chat_app(seed_index, tmp_path_factory):
    """The app on copies of data/ and of an index already built from it (a quick start)."""
    tmp = tmp_path_factory.mktemp("browser-app")
    shutil.copytree(DATA, tmp / "data")
    shutil.copytree(seed_index, tmp / "index")
    running = RunningApp(tmp / "data", tmp / "index", tmp / "app.log")
    assert "is up to date" in running.log
    yield running
    running.stop()


@pytest.fixture
def open_page(browser, chat_app):
    pages = []

    def open_(viewport):
        page = browser.new_page(viewport=viewport)
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(chat_app.url)
        page.wait_for_selector("#qa-input textarea")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def shot(page, name, full_page=False):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def wait_reply(page, n):
    """The n-th reply of the bot (1-based), once it is there."""
    page.wait_for_function(f"document.querySelectorAll('#qa-chat .qa-reply').length >= {n}",
                           timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(300)       # let the chat scroll settle before a screenshot
    return page.locator("#qa-chat .qa-reply").nth(n - 1)


def ask(page, question, n):
    page.locator("#qa-input textarea").fill(question)
    page.locator("#qa-input textarea").press("Enter")
    return wait_reply(page, n)


def answer_sections(reply):
    """Sections of the cards shown as answers (not the folded low-confidence ones)."""
    return reply.locator(":scope > .qa-card .qa-section").all_inner_texts()


def test_chinese_question_follow_up_and_full_passage(open_page):
    page = open_page(LAPTOP)
    examples = page.locator("#qa-examples")
    assert examples.get_by_text("Who went to Nantong town?", exact=True).count() == 1
    examples.get_by_text("谁去了南通镇?", exact=True).click()
    reply = wait_reply(page, 1)
    found = answer_sections(reply)
    assert any(s.startswith("苏健") for s in found) and any(s.startswith("蔡敏") for s in found), found
    card = reply.locator(":scope > .qa-card").first
    assert card.locator(".qa-answer mark.qa-ans").count() == 1
    # jieba reads 南通镇 as 南通 + 镇; the place name is the term worth marking.
    assert "南通" in reply.locator(".qa-term").all_inner_texts()
    for part in ("响应号召 逆行有我", "2022-11-16", "000_e7b07c6adf354492.txt", "confidence"):
        assert part in card.inner_text()
    shot(page, "laptop_zh_answer")

    reply = ask(page, "她后来去了哪里?", 2)
    assert "Follow-up" in reply.locator(".qa-note").inner_text()
    assert "谁去了南通镇?" in reply.locator(".qa-note").inner_text()
    # Answered in the context of the first question: the same people, and where they went next.
    # (Shown as cards, or folded if the engine is not confident about any of them.)
    every = reply.locator(".qa-card .qa-section").all_text_contents()
    assert every and every[0].startswith(("苏健", "蔡敏")), every
    assert "新店镇" in reply.text_content()
    assert reply.locator(":scope > .qa-card").count() >= 1      # shown, even when unsure
    shot(page, "laptop_zh_followup")

    details = page.locator("#qa-chat .qa-reply > .qa-card details.qa-full").first
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert details.locator("mark.qa-ans").count() == 1
    details.evaluate("el => el.closest('.qa-card').scrollIntoView({block: 'start'})")
    shot(page, "laptop_zh_full_passage")

    stats = page.locator("#qa-stats").inner_text()
    assert "Articles" in stats and "multilingual-e5-small" in stats
    assert page.dialogs == []


def test_english_question_on_laptop_and_phone(open_page):
    page = open_page(LAPTOP)
    reply = ask(page, "Who went to Nantong town?", 1)
    found = answer_sections(reply)
    assert any(s.startswith(("苏健", "蔡敏")) for s in found), found
    shot(page, "laptop_en_answer")

    phone = open_page(PHONE)
    reply = ask(phone, "谁去了南通镇?", 1)
    assert any(s.startswith("苏健") for s in answer_sections(reply))
    shot(phone, "phone_zh_answer")
    reply = ask(phone, "where did she go after that?", 2)
    # An English follow-up to a Chinese question: read with it, across scripts.
    assert "谁去了南通镇?" in reply.locator(".qa-note").inner_text()
    shot(phone, "phone_en_followup")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "phone_full_page", full_page=True)


def test_unrelated_question_says_so(open_page):
    page = open_page(LAPTOP)
    reply = ask(page, "How do I bake sourdough bread at home?", 1)
    assert "Nothing in the articles answers this" in reply.inner_text()
    assert reply.locator(":scope > .qa-card").count() == 0
    shot(page, "laptop_en_nothing_relevant")


def test_upload_rebuild_and_find_the_new_article(open_page, chat_app, tmp_path):
    page = open_page(LAPTOP)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "lianjiang.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (inbox / "safety.txt").write_text(SCRIPT_ARTICLE, encoding="utf-8")
    (inbox / "broken.txt").write_bytes(b"\x00\x01binary\x00" * 64)
    page.wait_for_selector("#qa-upload input[type=file]", state="attached")
    page.locator("#qa-upload input[type=file]").set_input_files(
        [str(inbox / n) for n in ("lianjiang.txt", "safety.txt", "broken.txt")])
    # The upload goes to the server before the names show; on a busy 2-core machine that
    # has taken over a minute. Gradio 6.3x shows a name's stem and extension in separate
    # elements ("broken\n.txt"), so compare without whitespace.
    page.wait_for_function(
        "document.querySelector('#qa-upload').innerText.replace(/\\s+/g, '').includes('broken.txt')",
        timeout=180_000)
    page.locator("#qa-update").click()
    page.wait_for_function("document.querySelector('#qa-status').innerText.includes('Index updated')",
                           timeout=180_000)
    status = page.locator("#qa-status").inner_text()
    assert "Added uploads/lianjiang.txt" in status and "Added uploads/safety.txt" in status
    assert "broken.txt: not added" in status and "binary" in status
    assert "Files\n3" in page.locator("#qa-stats").inner_text().replace("\t", "\n")
    shot(page, "laptop_upload_status", full_page=True)
    # The update was started from the page; its progress shows in the terminal too.
    log = chat_app.log
    assert "qabot: updating the index (started from the page)" in log
    assert re.search(r"qabot: built .*: 3 files", log), log[-2000:]

    reply = ask(page, "谁去了琯头镇?", 1)
    card = reply.locator(":scope > .qa-card").first
    assert card.locator(".qa-section").inner_text() == "李雷 宣传处处长"
    assert "uploads/lianjiang.txt" in card.inner_text()

    reply = ask(page, "王芳提醒大家什么?", 2)
    card = reply.locator(":scope > .qa-card").first
    assert "<script>alert('xss')</script>" in reply.inner_text()     # shown as text ...
    assert reply.locator("script, img").count() == 0                  # ... never as markup
    page.wait_for_timeout(500)
    assert page.dialogs == []
    shot(page, "laptop_upload_answer")
