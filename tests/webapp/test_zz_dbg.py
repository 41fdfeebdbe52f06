import time, re
from tests.webapp.test_browser import browser, Watched, _open_chat, _ask, _wait_reply, ARTIFACTS, DESKTOP
def test_dbg(browser, live_xss_app):
    w = Watched(browser, DESKTOP); page = w.page
    _open_chat(page, live_xss_app.url)
    page.get_by_role("button", name=re.compile("Select example 1")).click()
    _wait_reply(page, 0)
    t = page.locator("#hd-chat .thought-group .title").first
    print("before", t.get_attribute("class"))
    t.click()
    for i in range(6):
        print(i, t.get_attribute("class"), page.locator("#hd-chat .thought-group mark").count()); time.sleep(0.3)
    page.screenshot(path=str(ARTIFACTS/"dbg2.png"))
