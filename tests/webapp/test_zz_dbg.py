import time, re
from tests.webapp.test_browser import Watched, _open_chat, _ask, ARTIFACTS, DESKTOP
def test_dbg(browser, live_xss_app):
    w = Watched(browser, DESKTOP); page = w.page
    _open_chat(page, live_xss_app.url)
    _ask(page, "Đại hội Đảng bộ phường Quang Trung đề ra bao nhiêu chỉ tiêu chủ yếu?")
    t = page.locator("#hd-chat .thought-group .title").first
    print("before", t.get_attribute("class"))
    t.click()
    print("after", t.get_attribute("class"))
    page.screenshot(path=str(ARTIFACTS/"dbg1.png"))
    time.sleep(1.5)
    print("later", t.get_attribute("class"), page.locator("#hd-chat .thought-group mark").first.is_visible())
    page.screenshot(path=str(ARTIFACTS/"dbg2.png"))
