"""The newsroom page as a desk editor uses it: Debian's chromium, driven by Playwright.

Pastes the real Guiyang Daily sample page, analyses it from the keyboard, and checks the five
articles in page order, their desks and their highlighted leads against AnalysePage; writes
screenshots under build/. Without chromium or Playwright it skips with the reason; under CI=true
(where .ci/run installs both) that is a failure.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import grpc
import pytest

from service._proto.newsdesk.v1 import newsdesk_pb2 as pb
from service._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from service.rpc import create_server
from tests.conftest import IN_CI, ROOT
from tests.servers import config, serving_http

CHROMIUM = "/usr/bin/chromium"
# No sandbox: CI runs as root in a container; the rest keeps the browser off the network.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SHOTS = ROOT / "build"


def _need_browser():
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is not installed (pip install -e '.[dev]')"
    if reason is None and not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        reason = f"no browser at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    if reason:
        if IN_CI:
            pytest.fail(reason + "; under CI=true .ci/run installs it, so this is a failure")
        pytest.skip(reason)
    return sync_playwright


@pytest.fixture(scope="module")
def site(model_dir: Path):
    with serving_http(model_dir) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM,
                                     args=FLAGS)  # fmt: skip
        yield chromium
        chromium.close()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


CUT = "review.threshold."


def _why(classification, cuts: dict[str, float]) -> list[str]:
    """What the review flag should give as its reasons (the answer's review_reasons)."""
    top, why = classification.scores[0], []
    if "low_score" in classification.review_reasons:
        assert top.score < cuts[top.label]
        why.append(f'is under the "{top.label}" desk\'s review threshold of')
    if "thin_text" in classification.review_reasons:
        why.append("too short or too foreign")
    assert why, "a flagged result carries its reasons"
    return why


def test_the_page_shows_the_sample_pages_articles_desks_and_leads(site, browser, sample_page):
    with grpc.insecure_channel(f"127.0.0.1:{site.port}") as channel:
        expected = pb_grpc.NewsDeskStub(channel).AnalysePage(
            pb.AnalysePageRequest(text=sample_page, explain=5, keywords=5)
        )
        metrics = pb_grpc.NewsDeskStub(channel).GetModel(pb.GetModelRequest()).metrics
    cuts = {m.name.removeprefix(CUT): m.value for m in metrics if m.name.startswith(CUT)}
    origin = f"http://127.0.0.1:{site.http_port}"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(origin + "/")
    # keyboard only: focus the text box, paste, Ctrl+Enter
    page.focus("#page")
    page.fill("#page", sample_page)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".story")
    stories = page.locator(".story")
    assert stories.count() == 5 == len(expected.articles)
    assert page.locator(".story .title").all_inner_texts() == [a.title for a in expected.articles]
    labels = [t.lower() for t in page.locator(".story .desk-label").all_inner_texts()]
    assert labels == ["leadership", "leadership", "commentary", "industry", "education"]
    assert labels == [a.classification.label for a in expected.articles]
    for i, article in enumerate(expected.articles):
        story = stories.nth(i)
        lead = "".join(sample_page[s.start : s.end] for s in article.summary.spans)
        assert lead and _squash("".join(story.locator("mark.lead").all_inner_texts())) == _squash(
            lead
        )
        # and whole, for a screen reader, ahead of the body's highlighted pieces
        heard = story.locator("header .sr-only").inner_text()
        assert heard.startswith("Lead: ") and _squash(heard[6:]) == _squash(lead)
        review = story.locator(".review").inner_text()
        assert ("needs" in review) == article.classification.review
        if article.classification.review:  # the flag says why, in the model's own thresholds
            assert all(why in review for why in _why(article.classification, cuts)), review
        percent = round(article.classification.scores[0].score * 100)
        assert f"{percent}% confidence" in story.locator(".confidence").inner_text()
        if article.kicker:
            assert story.locator(".kicker").inner_text() == article.kicker
    assert page.locator(".story .ev").count() > 0 and page.locator(".story .kw").count() > 0
    assert "今日导读" in page.locator("#furniture").inner_text()  # furniture shown apart
    assert "今日导读" not in stories.all_inner_texts()[0]
    assert all(url.startswith(origin) or url.startswith("data:") for url in requested), requested
    assert not errors
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "newsroom.png"))
    # a phone's width: nothing runs off the side
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    page.screenshot(path=str(SHOTS / "newsroom-phone.png"))
    page.close()


def test_a_bad_request_shows_the_status_message(site, browser) -> None:
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{site.http_port}/")
    page.fill("#page", "   ")
    page.click("#go")
    assert "Paste a page" in page.locator("#status").inner_text()
    # the server's own refusal, where the page could not read its limits (below: it can)
    page.route("**/v1/openapi.json", lambda route: route.abort())
    page.reload()
    page.fill("#page", "贵阳市召开会议。" * 10_000)  # over the test server's --max-page-chars
    page.click("#go")
    page.wait_for_selector("#status.error >> text=400")
    assert "(field: text)" in page.locator("#status").inner_text()
    assert page.evaluate("document.activeElement.id") == "page"  # taken to what to change
    # an error interrupts a screen reader; a result waits its turn
    assert page.get_attribute("#status", "role") == "alert"
    assert page.get_attribute("#status", "aria-live") == "assertive"
    page.unroute("**/v1/openapi.json")
    page.fill("#page", "## 全市教育会议召开\n\n" + "全市教育工作会议召开,部署明年的重点任务。" * 3)
    page.click("#go")
    page.wait_for_selector(".story")
    assert page.get_attribute("#status", "role") == "status"
    assert page.get_attribute("#status", "aria-live") == "polite"
    page.close()


def test_a_running_page_can_be_stopped_and_the_page_still_works(site, browser, sample_page):
    page = _open(site.http_port, browser)
    held: list = []  # the request is held in the browser, so it is still running when stopped
    page.route("**/v1/analyse-page", lambda route: held.append(route))
    assert page.locator("#stop").is_hidden()
    page.fill("#page", sample_page)
    page.click("#go")
    page.wait_for_selector("#stop:visible")
    assert page.locator("#go").is_disabled()
    page.keyboard.press("Escape")
    page.wait_for_selector("#status >> text=Stopped")
    assert "not analysed" in page.locator("#status").inner_text()
    assert page.locator("#stop").is_hidden() and page.locator("#go").is_enabled()
    assert page.locator(".story").count() == 0
    assert page.evaluate("document.activeElement.id") == "page"
    page.unroute("**/v1/analyse-page")
    page.click("#go")  # the button stops it too, and a new run after a stop is drawn
    page.wait_for_selector(".story")
    assert page.locator(".story").count() == 5
    page.route("**/v1/analyse-page", lambda route: held.append(route))
    page.click("#go")
    page.click("#stop")
    page.wait_for_selector("#status >> text=Stopped")
    assert "from the analysis before" in page.locator("#status").inner_text()
    assert page.locator(".story").count() == 5  # the earlier answer stays, said to be earlier
    assert len(held) == 2
    page.close()


def _open(port: int, browser, **options):
    page = browser.new_page(**options)
    page.goto(f"http://127.0.0.1:{port}/")
    return page


def _posts(page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    return sent


def test_ctrl_enter_while_a_page_runs_sends_once_and_checks_the_boxes(site, browser, sample_page):
    page = _open(site.http_port, browser)
    sent = _posts(page)
    # The first request is held in the browser until the keys below are pressed, so "still
    # running" does not depend on how fast the server answers; then it goes to the server as is.
    held: list = []
    page.route("**/v1/analyse-page", lambda route: held.append(route))
    page.fill("#page", sample_page * 4)
    page.focus("#page")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Control+Enter")  # again at once, the first still running
    page.fill("#page", sample_page)  # and edited before the answer is back
    page.keyboard.press("Control+Enter")
    page.wait_for_timeout(300)
    assert len(held) == 1, held
    held[0].continue_()
    page.unroute("**/v1/analyse-page")
    page.wait_for_selector("#go:enabled")
    assert len(sent) == 1, sent
    assert page.locator(".story").count() > 5  # the page as sent, and said so
    assert "the box has changed since" in page.locator("#status").inner_text()
    # Ctrl+Enter checks the number boxes as the button does: no request with -1
    page.fill("#explain", "-1")
    page.focus("#page")
    page.keyboard.press("Control+Enter")
    page.wait_for_timeout(300)
    assert len(sent) == 1, sent
    assert not page.evaluate("document.getElementById('explain').validity.valid")
    # and the status says which box, not the last page's message
    status = page.locator("#status")
    assert status.inner_text().startswith("Evidence words"), status.inner_text()
    assert "Nothing was sent" in status.inner_text()
    assert "error" in (status.get_attribute("class") or "")
    page.fill("#keywords", "101")  # two boxes refused: the status names the first, as the popup
    page.locator("#go").click()
    assert status.inner_text().startswith("Evidence words"), status.inner_text()
    page.fill("#explain", "5")
    page.locator("#go").click()
    assert status.inner_text().startswith("Keywords"), status.inner_text()
    assert len(sent) == 1, sent
    page.close()


def test_the_status_counts_in_words_and_says_when_nothing_was_found(site, browser, sample_page):
    start = sample_page.index("## 大山深处")  # the fourth article, alone
    one = sample_page[start : sample_page.index("\n学习贯彻党的二十届", start)]
    page = _open(site.http_port, browser)
    page.fill("#page", one)
    page.click("#go")
    page.wait_for_selector(".story")
    assert page.locator("#status").inner_text().startswith("1 article;")
    page.fill("#page", "今日导读\n\n>2版\n")  # furniture alone
    page.click("#go")
    page.wait_for_selector("#status.error >> text=No articles found")
    page.close()


def test_a_page_of_columns_side_by_side_is_said_in_the_status(site, browser, sample_page):
    from tests.test_side_by_side import side_by_side_page

    page = _open(site.http_port, browser)
    page.fill("#page", side_by_side_page())
    page.click("#go")
    page.wait_for_selector("#status.error >> text=columns side by side")
    assert page.locator(".story").count() >= 1  # read all the same, and said in red
    page.fill("#page", sample_page)
    page.click("#go")
    page.wait_for_selector("#status >> text=5 articles")
    assert "Warning" not in page.locator("#status").inner_text()
    assert "error" not in (page.locator("#status").get_attribute("class") or "")
    page.close()


def test_a_foreign_page_is_flagged_as_too_foreign_to_file(site, browser):
    english = (
        "## Markets rally as trade talks resume\n\n"
        "Stocks rose on Monday after officials said trade talks would resume next week. "
        "Analysts expect the talks to cover tariffs, farm goods and technology.\n"
    )
    page = _open(site.http_port, browser)
    page.fill("#page", english)
    page.click("#go")
    page.wait_for_selector(".story")
    review = page.locator(".story .review").first.inner_text()
    assert "needs" in review and "too short or too foreign" in review, review
    page.close()


def test_a_token_server_says_where_the_token_goes(model_dir, browser, sample_page):
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0", token="s3cret"))
    srv.start()
    try:
        page = _open(srv.http_port, browser)
        page.fill("#page", sample_page)
        page.click("#go")
        page.wait_for_selector("#status.error >> text=401")
        assert "Token box" in page.locator("#status").inner_text()
        assert page.evaluate("document.activeElement.id") == "token"
        page.fill("#token", "s3cret")
        page.click("#go")
        page.wait_for_selector(".story")
        page.close()
    finally:
        srv.stop(0).wait()


def test_a_page_over_the_body_limit_is_told_to_split_the_page(model_dir, browser):
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0",
                                  max_message_bytes=100_000, max_page_chars=1_000_000))  # fmt: skip
    srv.start()
    try:
        page = _open(srv.http_port, browser)
        sent = _posts(page)
        page.fill("#page", "贵阳市召开会议。" * 5_000)  # 120 kB of UTF-8
        page.click("#go")
        page.wait_for_selector("#status.error >> text=--max-message-bytes")
        status = page.locator("#status").inner_text()
        assert "over this server's limit of 100,000" in status, status
        assert "split it and analyse the parts" in status and "Nothing was sent" in status
        assert page.evaluate("document.activeElement.id") == "page"
        assert sent == []  # said before sending: the server's 413 (below) is not needed
        page.route("**/v1/openapi.json", lambda route: route.abort())
        page.reload()
        page.fill("#page", "贵阳市召开会议。" * 5_000)
        page.click("#go")
        page.wait_for_selector("#status.error >> text=413")
        assert "split it and analyse the parts" in page.locator("#status").inner_text()
        page.close()
    finally:
        srv.stop(0).wait()


def test_a_2_mb_paste_is_said_over_the_limit_before_sending_and_the_page_goes_on(site, browser):
    """A 2 MB page over the server's limit was sent whole, to be refused once the server had
    read it all; the page now reads the server's limits from the OpenAPI document it serves
    and says so at once, sending nothing, and then analyses the next page."""
    page = _open(site.http_port, browser)
    sent = _posts(page)
    huge = "贵阳市召开会议,部署明年的重点工作。" * 40_000  # 720,000 characters, 2.1 MB of UTF-8
    page.evaluate("text => { document.getElementById('page').value = text; }", huge)
    started = page.evaluate("performance.now()")
    page.click("#go")
    page.wait_for_selector("#status.error >> text=--max-page-chars")
    took = page.evaluate("performance.now()") - started
    status = page.locator("#status").inner_text()
    limit = f"{site.config.max_page_chars:,}"
    assert f"has 720,000 characters, over this server's limit of {limit}" in status, status
    assert "Nothing was sent" in status and sent == [] and took < 3000, (status, took)
    assert page.locator("#go").is_enabled() and page.evaluate("document.activeElement.id") == "page"
    page.fill("#page", "## 全市教育会议召开\n\n" + "全市教育工作会议召开,部署明年的重点任务。" * 3)
    page.click("#go")
    page.wait_for_selector(".story")
    assert len(sent) == 1
    page.close()


def test_a_gbk_file_is_read_as_gbk(site, browser, sample_page):
    page = _open(site.http_port, browser)
    page.set_input_files(
        "#file",
        files=[{"name": "page.txt", "mimeType": "text/plain",
                "buffer": sample_page.encode("gb18030")}],
    )  # fmt: skip
    page.wait_for_selector("#status >> text=GB18030")
    assert page.input_value("#page") == sample_page
    page.close()


def test_a_long_url_wraps_at_phone_width(site, browser):
    page = _open(site.http_port, browser, viewport={"width": 390, "height": 844})
    url = "https://www.example.com/" + "averylongpath/" * 8  # no hyphen to break at + "index.html"
    text = f"## 贵阳市召开会议\n\n本报讯 见{url}。贵阳市召开会议,部署明年的重点工作。\n"
    page.fill("#page", text)
    page.click("#go")
    page.wait_for_selector(".story")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    page.close()


def test_after_a_failure_the_articles_shown_are_said_to_be_the_earlier_ones(model_dir, browser):
    srv, _ = create_server(config(model_dir, http_address="127.0.0.1:0"))
    srv.start()
    try:
        page = _open(srv.http_port, browser)
        body = "全市教育工作会议召开,部署明年的重点任务。" * 3
        page.fill("#page", f"## 全市教育会议召开\n\n{body}\n")
        page.click("#go")
        page.wait_for_selector(".story")
        page.fill("#page", "贵阳市召开会议。" * 10_000)  # over --max-page-chars
        page.click("#go")
        page.wait_for_selector("#status.error >> text=--max-page-chars")
        assert "from the analysis before" in page.locator("#status").inner_text()
        page.fill("#page", f"## 全市教育会议召开\n\n{body}\n")
    finally:
        srv.stop(0).wait()
    page.click("#go")  # on the connection kept alive from before: refused
    page.wait_for_selector("#status.error >> text=503")
    assert "from the analysis before" in page.locator("#status").inner_text()
    page.click("#go")  # the server is gone
    page.wait_for_selector("#status.error >> text=did not answer")
    status = page.locator("#status").inner_text()
    assert "is it running?" in status and "from the analysis before" in status, status
    page.close()


def test_a_review_threshold_under_one_never_reads_100_percent(site, browser):
    """The shipped model's leadership threshold is 0.997: the page said "67% is under the
    "leadership" desk's review threshold of 100%", as if no article could pass it."""
    page = _open(site.http_port, browser)
    why = (
        "([score, cut]) => whyReview({label: 'leadership', score}, {leadership: cut}, "
        "['low_score'])"
    )
    assert page.evaluate(why, [0.668, 0.996972]) == (
        '66.8% is under the "leadership" desk\'s review threshold of 99.7%'
    )
    assert page.evaluate(why, [0.668, 0.999522]).endswith("threshold of 99.95%")
    assert page.evaluate(why, [0.61, 0.98]).startswith("61% is under")  # whole points suffice
    assert page.evaluate(why, [0.975, 0.976]).startswith("97.5% is under")  # told apart
    page.close()


def test_the_body_keeps_the_paragraphs_the_server_keeps(site, browser):
    """A section's head and byline over its text (a People's Daily page's "上海中共一大会址——",
    "本报记者  姜泓冰") end with no sentence mark, so the page glued them onto the paragraph
    under them; the answer's text keeps them apart, and so does the page now."""
    page = _open(site.http_port, browser)
    text = (
        "## 礼赞新中国\n\n上海中共一大会址——\n\n重温入党誓词 追忆光辉历史\n\n本报记者  姜泓冰\n\n"
        "一面看上去鲜红依旧的五星红旗，却是70年前开国大典之后，上海市民怀着喜悦心情上街抢购"
        "并珍藏下来的。\n\n兴业路76号这处小小的石库门房子，朴素、安静，却吸引着人们从四面八"
        "方聚拢\n\n而来。\n"  # a column break inside the last sentence stays joined
    )
    page.fill("#page", text)
    page.click("#go")
    page.wait_for_selector(".story")
    shown = [_squash(p) for p in page.locator(".story .body p").all_inner_texts()]
    assert shown == [
        "上海中共一大会址——重温入党誓词追忆光辉历史",
        "本报记者姜泓冰",
        "一面看上去鲜红依旧的五星红旗，却是70年前开国大典之后，上海市民怀着喜悦心情上街抢购并珍藏下来的。",
        "兴业路76号这处小小的石库门房子，朴素、安静，却吸引着人们从四面八方聚拢而来。",
    ], shown
    page.close()


def test_the_body_does_not_repeat_the_dateline_and_bracketed_byline_the_header_shows(
    site, browser, sample_page
):
    """The sample page's first story showed 本报讯 opening its body and its bracketed byline
    （贵阳日报融媒体中心 代晓龙） closing it, though the header's meta line shows both (i169's
    audit): only lines equal to a header part were hidden, and a byline printed in brackets or a
    dateline opening a paragraph is neither."""
    page = _open(site.http_port, browser)
    page.fill("#page", sample_page)
    page.click("#go")
    page.wait_for_selector(".story")
    story = page.locator(".story").first
    meta = story.locator(".meta").inner_text()
    assert "本报讯" in meta and "代晓龙" in meta
    body = _squash(story.locator(".body").inner_text())
    assert not body.startswith("本报讯") and body.startswith("12月17日")
    assert "代晓龙" not in body and body.endswith("有关部门负责人参加。")
    page.close()
