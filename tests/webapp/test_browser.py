"""The web chat in a real Chromium (Debian's /usr/bin/chromium driven by Playwright).

One app on a free loopback port serves the seed articles plus an article carrying script
payloads. Screenshots go to tests/artifacts/ (git-ignored) at desktop and phone width.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from settings import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

QUANG_TRUNG = "Đại hội Đảng bộ phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?"
FOLLOW_UP = "Còn thu nhập bình quân thì sao?"
XSS_QUESTION = ('<img src=x onerror="window.__pwned=11;alert(11)"> <script>window.__pwned=12</script> '
                "Hội nghị an toàn thông tin ở phường An Toàn có bao nhiêu đại biểu tham dự?")
HIGHLIGHT_RGB = "rgb(254, 240, 138)"  # #fef08a, the :target paragraph on the article page


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("cần Chromium của Debian: apt-get install -y chromium fonts-noto-color-emoji")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


class Watched:
    """A page that records dialogs and page errors; anything firing is an XSS failure."""

    def __init__(self, browser, viewport, **kw):
        self.context = browser.new_context(viewport=viewport, locale="vi-VN", **kw)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def close(self) -> None:
        self.context.close()

    def pwned(self):
        return self.page.evaluate("() => window.__pwned")


def _open_chat(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#hd-question textarea")
    page.wait_for_selector("#hd-chat button.example", timeout=30_000)


def _bot_texts(page) -> list[str]:
    return page.eval_on_selector_all("#hd-chat [data-testid=bot]", "els => els.map(e => e.innerText)")


def _watch_stream(page) -> None:
    """Record every distinct text of the newest reply bubble while it grows."""
    page.evaluate("""() => {
        window.__states = new Set();
        const chat = document.querySelector('#hd-chat');
        new MutationObserver(() => {
            const bots = chat.querySelectorAll('[data-testid=bot] .message-content');
            const last = [...bots].filter(b => !b.closest('.thought-group')).pop();
            if (last) window.__states.add(last.innerText);
        }).observe(chat, {subtree: true, childList: true, characterData: true});
    }""")


def _wait_reply(page, n_bots_before: int, timeout: float = 60) -> str:
    """Wait until a new reply appeared and stopped changing; return the chat's text."""
    deadline = time.monotonic() + timeout
    last, stable_since = None, time.monotonic()
    while time.monotonic() < deadline:
        texts = _bot_texts(page)
        now = page.inner_text("#hd-chat")
        if len(texts) > n_bots_before and now == last:
            if time.monotonic() - stable_since > 0.8:
                return now
        else:
            last, stable_since = now, time.monotonic()
        time.sleep(0.1)
    raise AssertionError("no reply within the time limit")


def _expand(page, title) -> None:
    """Open a source and let its slide-open transition finish (for the screenshots)."""
    title.click()
    page.wait_for_function(
        """el => el.classList.contains('expanded')""", arg=title.element_handle())
    page.wait_for_timeout(700)


def _ask(page, question: str) -> str:
    before = len(_bot_texts(page))
    page.fill("#hd-question textarea", question)
    page.click("#hd-send")
    return _wait_reply(page, before)


def test_chat_desktop_sources_follow_up_and_feedback(browser, live_xss_app):
    w = Watched(browser, DESKTOP)
    page = w.page
    try:
        _open_chat(page, live_xss_app.url)
        examples = page.eval_on_selector_all("#hd-chat button.example", "els => els.map(e => e.innerText.trim())")
        assert QUANG_TRUNG in examples
        page.screenshot(path=str(ARTIFACTS / "chat_desktop_empty.png"))

        # ask by clicking the example; the reply streams in
        _watch_stream(page)
        page.get_by_role("button", name=re.compile("Select example 1")).click()
        chat = _wait_reply(page, 0)
        assert QUANG_TRUNG in chat
        assert "28" in chat and "[1]" in chat
        assert page.evaluate("() => window.__states.size") >= 3, "the reply should appear in pieces"

        # the source: numbered, titled, dated, paragraph number; expands to the highlighted sentence
        title = page.locator("#hd-chat .thought-group .title").first
        label = title.inner_text()
        assert re.search(r"\[1\] Xây dựng chương trình hành động .* · 17/11/2025 · đoạn \d+", label), label
        _expand(page, title)
        mark = page.locator("#hd-chat .thought-group mark").first
        mark.wait_for(state="visible")
        assert "28 chỉ tiêu" in mark.inner_text()
        link = page.locator("#hd-chat .thought-group a", has_text="Xem toàn bài").first
        href = link.get_attribute("href")
        assert re.fullmatch(r"/articles/000_979beda71dc56cf9#p\d+", href), href
        page.screenshot(path=str(ARTIFACTS / "chat_desktop_answer.png"))

        # 👍 is stored with the question, reply and citations
        page.locator("#hd-chat button[aria-label='Like']").first.click()
        deadline = time.monotonic() + 10
        rows = []
        while time.monotonic() < deadline and not rows:
            rows = [r for r in live_xss_app.app.state.feedback.rows() if r.question == QUANG_TRUNG]
            time.sleep(0.1)
        assert rows and rows[0].liked is True
        assert "28" in rows[0].reply and rows[0].citations[0]["article_id"] == "000_979beda71dc56cf9"

        # a follow-up uses the conversation: Quang Trung's 90 million, not Đông Sơn's 95 million
        chat = _ask(page, FOLLOW_UP)
        follow = chat.split(FOLLOW_UP, 1)[1]
        assert "90 triệu" in follow and "95 triệu" not in follow, follow
        page.screenshot(path=str(ARTIFACTS / "chat_desktop_follow_up.png"), full_page=True)

        # the citation link opens the article with that paragraph highlighted
        page.goto(live_xss_app.url + href)
        anchor = href.split("#", 1)[1]
        target = page.locator(f"#{anchor}")
        target.wait_for()
        bg = target.evaluate("el => getComputedStyle(el).backgroundColor")
        assert bg == HIGHLIGHT_RGB
        other = page.locator("#p2" if anchor != "p2" else "#p3")
        assert other.evaluate("el => getComputedStyle(el).backgroundColor") != HIGHLIGHT_RGB
        page.screenshot(path=str(ARTIFACTS / "article_page_desktop.png"))
        assert not w.dialogs and not w.errors
    finally:
        w.close()


def test_nothing_runs_from_articles_or_questions(browser, live_xss_app):
    w = Watched(browser, DESKTOP)
    page = w.page
    try:
        _open_chat(page, live_xss_app.url)
        chat = _ask(page, XSS_QUESTION)
        # the question is shown as the text typed, markup and all
        assert '<img src=x onerror="window.__pwned=11;alert(11)">' in chat
        assert "<script>window.__pwned=12</script>" in chat
        for title in page.locator("#hd-chat .thought-group .title").all():
            _expand(page, title)
        chat = page.inner_text("#hd-chat")
        page.screenshot(path=str(ARTIFACTS / "xss_chat.png"), full_page=True)
        assert page.locator("#hd-chat img[src='x'], #hd-chat script, #hd-chat b").count() == 0

        # the article tab shows the hostile article as text
        page.get_by_role("tab", name="Bài viết").click()
        page.locator("#hd-article-picker label", has_text="Tin thử").click()
        page.wait_for_selector("#hd-article article")
        article_text = page.inner_text("#hd-article")
        assert "<script>window.__pwned = 1</script>" in article_text
        assert 'onerror="window.__pwned=2;alert(1)"' in article_text
        assert page.locator("#hd-article img, #hd-article script, #hd-article b").count() == 0
        page.screenshot(path=str(ARTIFACTS / "xss_articles_tab.png"), full_page=True)

        # the fact-check tab with a hostile claim
        page.get_by_role("tab", name="Kiểm tra thông tin").click()
        page.fill("#hd-claim textarea", "<img src=x onerror=alert(3)> Hội nghị có 45 đại biểu tham dự.")
        page.click("#hd-check")
        page.wait_for_selector("#hd-check-result .check-table, #hd-check-result .hd-notice", timeout=60_000)
        assert page.locator("#hd-check-result img").count() == 0
        page.screenshot(path=str(ARTIFACTS / "check_tab_desktop.png"), full_page=True)

        # and the article's own page
        page.goto(live_xss_app.url + "/articles/900_xss#p2")
        assert "<script>window.__pwned = 1</script>" in page.inner_text("h1")
        assert page.locator("main img, main script").count() == 0
        page.screenshot(path=str(ARTIFACTS / "xss_article_page.png"))
        time.sleep(0.3)  # give any injected handler the chance to fire
        assert w.pwned() is None
        assert w.dialogs == [] and w.errors == []
    finally:
        w.close()


def test_phone_width(browser, live_xss_app):
    w = Watched(browser, PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = w.page
    try:
        _open_chat(page, live_xss_app.url)
        tabs = page.get_by_role("tab")
        assert [t.inner_text().strip() for t in tabs.all()] == ["Hỏi đáp", "Kiểm tra thông tin", "Bài viết"]
        chat = _ask(page, "Ai là Bí thư Đảng ủy phường Nông Trang?")
        assert "[1]" in chat
        _expand(page, page.locator("#hd-chat .thought-group .title").first)
        page.locator("#hd-chat .thought-group mark").first.wait_for(state="visible")
        no_sideways = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
        assert page.evaluate(no_sideways)
        page.screenshot(path=str(ARTIFACTS / "chat_phone.png"))
        page.get_by_role("tab", name="Bài viết").click()
        page.locator("#hd-article-picker label").first.click()
        page.wait_for_selector("#hd-article article")
        assert page.evaluate(no_sideways)
        page.screenshot(path=str(ARTIFACTS / "articles_tab_phone.png"))
        page.goto(live_xss_app.url + "/articles/001_fedeaab69c93254a#p6")
        assert page.evaluate(no_sideways)
        page.screenshot(path=str(ARTIFACTS / "article_page_phone.png"))
        assert not w.dialogs and not w.errors
    finally:
        w.close()
