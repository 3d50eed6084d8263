"""The real chat in headless Chromium with the new formats: upload a PDF and a Word file,
see refused files in the status with their reasons, ask about the PDF, scope a question.

Its own app (the chat_app fixture, one per test module, on copies of data/ and of the seed index), so its uploads change nobody
else's counts. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import pytest

from test_app_browser import ANSWER_TIMEOUT, LAPTOP, ask, browser, chat_app, shot  # noqa: F401 (fixtures)
from test_formats import make_cjk_pdf, make_docx, make_scanned_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LONG_DOCX = "滨江新区老旧小区改造进度报告_2023年第三季度_住房和城乡建设局_最终修订版.docx"


def test_upload_a_pdf_and_a_docx_then_ask_and_scope(browser, chat_app, tmp_path):  # noqa: F811
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_cjk_pdf(inbox / "flood.pdf")
    make_docx(inbox / LONG_DOCX)
    make_scanned_pdf(inbox / "scan.pdf")
    (inbox / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    names = ["flood.pdf", LONG_DOCX, "scan.pdf", "notes.doc"]

    page = browser.new_page(viewport=LAPTOP)
    page.goto(chat_app.url)
    page.wait_for_selector("#qa-input textarea")
    page.wait_for_selector("#qa-upload input[type=file]", state="attached")
    page.locator("#qa-upload input[type=file]").set_input_files([str(inbox / n) for n in names])
    # every chosen file is listed (a .doc too: the server, not the browser, says what it takes)
    page.wait_for_function(
        """names => { const t = document.querySelector('#qa-upload').innerText.replace(/\\s+/g, '');
                      return !t.includes('Uploading') && names.every(n => t.includes(n.replace(/\\s+/g, ''))); }""",
        arg=names, timeout=180_000)
    shown = page.locator("#qa-upload").inner_text().replace("\n", "").replace(" ", "")
    assert all(n.replace(" ", "") in shown for n in names), shown
    # ... by their whole name: no name is cut short with an ellipsis
    cut = page.evaluate("""() => [...document.querySelectorAll('#qa-upload .filename .stem')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)""")
    assert cut == []
    shot(page, "laptop_upload_formats_chosen", full_page=True)

    page.locator("#qa-update").click()
    page.wait_for_function("document.querySelector('#qa-status').innerText.includes('Index updated')",
                           timeout=300_000)
    status = page.locator("#qa-status").inner_text()
    assert "Added uploads/flood.pdf" in status and f"Added uploads/{LONG_DOCX}" in status
    assert "scan.pdf: not added" in status and "scanned PDF" in status and "no text layer" in status
    assert "notes.doc" in status and "can be added" in status
    shot(page, "laptop_upload_formats_status", full_page=True)

    reply = ask(page, "谁带领突击队员连夜加固堤坝?", 1)
    card = reply.locator(":scope > .qa-card").first
    assert card.locator(".qa-section").inner_text() == "林晓峰 应急管理局副局长"
    assert "uploads/flood.pdf" in card.inner_text()
    assert "政府网" not in reply.inner_text() and "binjiang" not in reply.inner_text()

    # Scope: only articles from July 2023 on; the seed article (2022) is out of it.
    page.locator("#qa-scope").get_by_text("Scope").first.click()
    page.locator("#qa-since input, #qa-since textarea").first.fill("2030")
    reply = ask(page, "谁去了南通镇?", 2)
    assert "Nothing to search in the scope you set" in reply.inner_text()
    assert "since 2030" in reply.inner_text()
    page.locator("#qa-since input, #qa-since textarea").first.fill("2023-07")
    reply = ask(page, "谁去了南通镇?", 3)
    assert "Searched only articles since 2023-07" in reply.inner_text()
    sources = reply.locator(".qa-card").all_inner_texts()
    assert sources and all("000_e7b07c6adf354492.txt" not in s for s in sources)
    shot(page, "laptop_scoped_answer", full_page=True)
    page.close()
