"""The demo in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from demo.app import EXAMPLES, STANCE_COLOURS
from model.labels import LABELS

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium: run `apt-get install -y chromium` (scripts/setup.sh does)"
)

# Debian's Chromium, offline: nothing may resolve except this machine.
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser_session(running_demo):
    """One page on the demo, with every non-local request blocked and recorded, and console errors kept."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []

    def guard(route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="ru-RU")
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        # The route sees what Playwright intercepts; the listener also sees anything else the page asks for.
        page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).scheme in ("http", "https")
                and urlparse(r.url).hostname not in LOCAL_HOSTS else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(running_demo.url)
        yield page, outside, errors
        context.close()
        browser.close()


def test_statement_label_and_explanation(browser_session, artifacts_dir):
    from playwright.sync_api import expect

    page, outside, errors = browser_session
    text = EXAMPLES[3]
    page.locator("#input-text textarea").fill(text)
    page.locator("#classify-btn").click()

    top = page.locator('#output-label [data-testid="label-output-value"]')
    expect(top).to_have_text(re.compile("|".join(map(re.escape, LABELS))))
    expect(page.locator("#output-label dl.label")).to_have_count(3)
    percentages = page.locator("#output-label dd.confidence").all_inner_texts()
    assert len(percentages) == 3 and all(re.fullmatch(r"\d+(\.\d+)?%", p.strip()) for p in percentages)
    assert {t.strip() for t in page.locator("#output-label dl.label dt").all_inner_texts()} == set(LABELS)

    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("Каспий")
    expect(explanation).to_contain_text("финансирования")
    expect(page.locator("#explanation-summary")).to_contain_text("pushed toward it")
    # At least one word is tinted (the strongest has weight ±1, so an opaque colour).
    styles = page.locator("#explanation .token").evaluate_all("els => els.map(e => e.style.backgroundColor)")
    assert any(re.search(r"rgba?\([^)]*\)", s) and not s.endswith(", 0)") for s in styles), styles
    page.screenshot(path=str(artifacts_dir / "demo.png"), full_page=True)

    assert not outside, f"requests left the machine: {outside}"
    assert not errors, f"console errors: {errors}"


def test_batch_of_three_lines(browser_session, artifacts_dir, tmp_path):
    from playwright.sync_api import expect

    page, outside, errors = browser_session
    page.get_by_role("tab", name="Batch").click()
    page.locator("#batch-text textarea").fill("\n".join(EXAMPLES[:3]))
    page.locator("#batch-btn").click()

    grid = page.locator('#batch-table [role="grid"]')
    expect(grid).to_have_attribute("aria-rowcount", "4")  # header + 3 rows
    expect(page.locator('#batch-table [role="row"][aria-rowindex]:not([aria-rowindex="1"])')).to_have_count(3)
    expect(page.locator("#batch-status")).to_contain_text("3 statements classified")
    for name in ("label", *LABELS):  # long statements must not push the results off screen
        expect(page.locator(f'#batch-table th[title="{name}"]')).to_be_in_viewport()
    link = page.locator('#batch-download a[href*="c5-stance-predictions.csv"]')
    expect(link).to_have_count(1)
    csv_text = page.request.get(link.get_attribute("href")).body().decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ",".join(["text", "label", *LABELS])
    assert len(csv_text.splitlines()) == 4
    page.screenshot(path=str(artifacts_dir / "demo-batch.png"), full_page=True)

    # The same tab with a CSV upload: its rows replace the text box, in order.
    upload = tmp_path / "statements.csv"
    upload.write_text("id,text\n1,Нейтралитет и баланс.\n2,Инвестиции в уран.\n", encoding="utf-8")
    page.locator('#batch-file input[type="file"]').set_input_files(str(upload))
    expect(page.locator("#batch-file")).to_contain_text("statements.csv")
    page.locator("#batch-btn").click()
    expect(grid).to_have_attribute("aria-rowcount", "3")
    expect(page.locator("#batch-status")).to_contain_text("text box was ignored")

    assert not outside, f"requests left the machine: {outside}"
    assert not errors, f"console errors: {errors}"


def test_empty_statement_shows_a_message(browser_session):
    from playwright.sync_api import expect

    page, outside, _ = browser_session
    page.get_by_role("tab", name="Statement").click()
    page.locator("#input-text textarea").fill("   ")
    page.locator("#classify-btn").click()
    expect(page.get_by_text("Enter a statement to classify").first).to_be_visible()
    assert not outside


def test_a_failed_statement_clears_the_previous_result(browser_session, running_demo):
    """After a success, an empty or over-long statement leaves no stale label or explanation:
    one inline message says what is wrong, and no red error pill appears."""
    from playwright.sync_api import expect

    page, outside, errors = browser_session
    page.get_by_role("tab", name="Statement").click()
    page.locator("#input-text textarea").fill(EXAMPLES[0])
    page.locator("#classify-btn").click()
    expect(page.locator('#output-label [data-testid="label-output-value"]')).to_have_text(
        re.compile("|".join(map(re.escape, LABELS))))
    expect(page.locator("#explanation-summary")).to_contain_text("Predicted")

    for bad, says in (("   ", "Enter a statement to classify"), ("а" * (running_demo.max_chars + 1), "characters")):
        page.locator("#input-text textarea").fill(bad)
        page.locator("#classify-btn").click()
        expect(page.locator("#statement-status")).to_contain_text("Not classified")
        expect(page.locator("#statement-status")).to_contain_text(says)
        expect(page.locator('#output-label [data-testid="label-output-value"]')).to_have_count(0)
        expect(page.locator("#explanation-summary")).not_to_contain_text("Predicted")
        expect(page.locator("#explanation .token")).to_have_count(0)
        expect(page.get_by_text("Error", exact=True)).to_have_count(0)

    page.locator("#input-text textarea").fill(EXAMPLES[1])  # and a success clears the message again
    page.locator("#classify-btn").click()
    expect(page.locator("#explanation-summary")).to_contain_text("Predicted")
    expect(page.locator("#statement-status")).not_to_contain_text("Not classified")
    assert not outside


def test_a_failed_batch_clears_the_table_and_long_rows_are_shortened(browser_session, running_demo):
    from playwright.sync_api import expect

    page, outside, _ = browser_session
    page.goto(running_demo.url)  # a fresh page: no file left from the upload test
    page.get_by_role("tab", name="Batch").click()
    long_row = "Казахстан и Китай " * 40  # over the demo's limit: kept in its row, marked skipped
    page.locator("#batch-text textarea").fill(EXAMPLES[0] + "\n" + long_row)
    page.locator("#batch-btn").click()
    expect(page.locator("#batch-status")).to_contain_text("1 statement classified, 1 skipped")
    cell = page.locator('#batch-table [role="row"][aria-rowindex="3"] [role="gridcell"]').first
    expect(cell).to_contain_text("…")
    assert len(cell.inner_text()) < 320  # shortened in the table (the CSV keeps it whole)
    expect(page.locator("#batch-table")).to_contain_text("%")

    page.locator("#batch-text textarea").fill("")
    page.locator("#batch-btn").click()
    expect(page.locator("#batch-status")).to_contain_text("Not classified")
    expect(page.locator("#batch-status")).not_to_contain_text("statement classified")  # no stale count
    expect(page.locator('#batch-download a[href*="c5-stance-predictions.csv"]')).to_have_count(0)
    expect(page.locator('#batch-table [role="row"][aria-rowindex="2"]')).to_have_count(0)
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    assert not outside


def test_article_tab_highlights_passages_and_lists_speakers(browser_session, artifacts_dir):
    """Paste an article: passages are highlighted in their stance's colour, speakers listed."""
    from playwright.sync_api import expect

    from tests.demo.test_demo_api import ARTICLE

    page, outside, errors = browser_session
    page.get_by_role("tab", name="Article").click()
    page.locator("#article-text textarea").fill(ARTICLE)
    page.locator("#article-btn").click()
    expect(page.locator("#article-status")).to_contain_text("4 passages from 3 speakers")
    highlighted = page.locator("#article-highlight .token.highlighted")
    expect(highlighted).to_have_count(4)
    expect(highlighted.first).to_contain_text("Политолог Бахтияр Ержанов считает")
    colours = highlighted.evaluate_all("els => els.map(e => e.style.backgroundColor)")
    stance_rgb = {f"rgba({int(h[1:3], 16)}, {int(h[3:5], 16)}, {int(h[5:7], 16)}, 0.5)"
                  for h in STANCE_COLOURS.values()}
    assert colours and set(colours) <= stance_rgb, colours  # each passage in its stance's colour
    speakers = page.locator("#article-speakers")
    for name in ("Бахтияр Ержанов", "Дильноза Рахимова", "experts (group)"):
        expect(speakers).to_contain_text(name)
    expect(page.locator("#article-passages")).to_contain_text("Рахимовой")
    page.screenshot(path=str(artifacts_dir / "demo-article.png"), full_page=True)

    page.locator("#article-text textarea").fill("")
    page.locator("#article-btn").click()
    expect(page.locator("#article-status")).to_contain_text("Not read")
    expect(highlighted).to_have_count(0)
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    assert not outside, f"requests left the machine: {outside}"
    assert not errors, f"console errors: {errors}"
