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
    assert any(q.endswith("做了什么?") for q in examples.locator("button").all_inner_texts())
    reply = ask(page, "谁去了南通镇?", 1)
    found = answer_sections(reply)
    every = reply.locator(".qa-card .qa-section").all_text_contents()    # folded ones too
    assert any(s.startswith("苏健") for s in found) and any(s.startswith("蔡敏") for s in every), every
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


# ---------------------------------------------------------------- an archive of a few hundred files

DISTRICTS = ["鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "闽侯县", "连江县", "罗源县", "闽清县",
             "永泰县", "平潭县"]
TOPICS = [("防汛", "转移安置群众", "防汛工作"), ("供水", "检修供水管网", "供水保障"),
          ("燃气", "排查燃气隐患", "燃气安全"), ("绿化", "补种行道树", "城市绿化"),
          ("道路", "修补破损路面", "道路养护"), ("物业", "走访老旧小区", "物业管理")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def archive_article(i: int) -> tuple[str, str]:
    """A look-alike municipal news file: (name, text)."""
    district, (short, work, topic) = DISTRICTS[i % len(DISTRICTS)], TOPICS[i % len(TOPICS)]
    person = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
    title = f"{district}{topic}简报 第{i}期"
    # The body repeats across files (12 variants): its sentence vectors come from the
    # embedding cache, so the build embeds little more than one passage per file.
    text = (f"{title}\n\n日期:2023-{1 + i % 12:02d}-{1 + i % 28:02d} 来源:市城乡建设局\n\n"
            f"{person} {short}科科长\n\n"
            f"科室同志带队前往{district}，{work}。当地群众对{topic}工作表示满意。\n")
    return f"news_{i:03d}.txt", text


@pytest.fixture(scope="module")
def archive_app(tmp_path_factory):
    """The app on the seed article and 300 generated ones (its index built at start)."""
    tmp = tmp_path_factory.mktemp("archive-app")
    shutil.copytree(DATA, tmp / "data")
    for i in range(300):
        name, text = archive_article(i)
        (tmp / "data" / name).write_text(text, encoding="utf-8")
    running = RunningApp(tmp / "data", tmp / "index", tmp / "app.log", timeout=1200)
    yield running
    running.stop()


def test_archive_file_list_search_and_folded_cards(browser, archive_app, tmp_path):
    page = browser.new_page(viewport=LAPTOP)
    page.goto(archive_app.url)
    page.wait_for_selector("#qa-input textarea")
    files = page.locator("#qa-files")
    assert "301 files, newest first; the first 50 shown" in files.inner_text()
    assert files.locator("tbody tr").count() == 50

    search = page.locator("#qa-file-search textarea, #qa-file-search input").first
    search.fill("第137期")                                           # by title
    page.wait_for_function("document.querySelector('#qa-files').innerText.includes('1 of 301 files match')")
    assert files.locator("tbody tr").count() == 1
    row = files.locator("tbody tr").first.inner_text()
    assert "news_137.txt" in row and "简报 第137期" in row              # the title beside the name
    search.fill("news_02")                                           # by name
    page.wait_for_function("document.querySelector('#qa-files').innerText.includes('10 of 301 files match')")
    search.fill("")
    shot(page, "archive_file_list")

    # A new upload is the newest file: on top of the list, though its name sorts late.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "zz_lianjiang.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    page.wait_for_selector("#qa-upload input[type=file]", state="attached")
    page.locator("#qa-upload input[type=file]").set_input_files([str(inbox / "zz_lianjiang.txt")])
    page.wait_for_function(
        "document.querySelector('#qa-upload').innerText.replace(/\\s+/g, '').includes('zz_lianjiang.txt')",
        timeout=180_000)
    page.locator("#qa-update").click()
    page.wait_for_function("document.querySelector('#qa-status').innerText.includes('Index updated')",
                           timeout=300_000)
    page.wait_for_function("document.querySelector('#qa-files').innerText.includes('302 files')")
    first = files.locator("tbody tr").first.inner_text()
    assert "uploads/zz_lianjiang.txt" in first and "连江防汛纪实" in first

    # Ten passages: the answers first, most likely first; the rest folded behind one "show N more".
    k = page.locator("#qa-k input[type=number]")
    k.fill("10")
    k.press("Enter")
    reply = ask(page, "谁去了南通镇?", 1)
    shown = reply.locator(":scope > .qa-card")
    n = shown.count()
    assert 1 <= n < 10
    lead = reply.locator(".qa-lead").inner_text()
    assert (f"These {n} passages" in lead) if n > 1 else ("This passage" in lead)
    assert any(s.startswith("苏健") for s in answer_sections(reply))
    more = reply.locator(":scope > details.qa-more")
    assert more.count() == 1
    assert more.locator(":scope > summary").inner_text().startswith(f"Show {10 - n} more passage")
    folded = more.locator(":scope > .qa-card")
    assert folded.count() == 10 - n and not folded.first.is_visible()
    percents = [int(t.rsplit("·", 1)[1].strip().rstrip("%"))
                for t in shown.locator(".qa-conf-text").all_inner_texts()]
    assert len(percents) == n and percents == sorted(percents, reverse=True)
    more.locator(":scope > summary").click()
    assert folded.first.is_visible()
    shot(page, "archive_folded_cards")

    # Examples come from across the archive, not only the seed article; one click asks one.
    asked = page.locator("#qa-examples button").all_inner_texts()
    generated = {SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] for i in range(300)}
    assert len(asked) == 6
    assert sum(q.removesuffix("做了什么?") in generated or "简报" in q for q in asked) >= 3
    page.locator("#qa-examples button").first.click()
    wait_reply(page, 2)
    page.close()
