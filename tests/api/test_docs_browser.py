"""The documentation page in a real Chromium: it renders under the app's strict Content-Security-Policy
(no violation reported), and "Try it out" calls the API with the token from "Authorize"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_docs_page_works_with_a_token(chromium, live_server, session, clinic, token_for):
    token = token_for(clinic.staff["frontdesk"])
    session.close()  # SQLite: the server needs the write lock
    context = chromium.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(live_server + "/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        assert page.locator(".opblock").count() >= 25
        assert "Pain clinic API" in page.locator(".info .title").inner_text()

        page.click("button.authorize")
        page.fill(".modal-ux input", token)
        page.click(".modal-ux button.authorize")
        page.click(".modal-ux button.close-modal")
        page.locator("#operations-catalogue-list_procedure_types .opblock-summary").click()
        page.click("#operations-catalogue-list_procedure_types button.try-out__btn")
        page.click("#operations-catalogue-list_procedure_types button.execute")
        status = page.locator(
            "#operations-catalogue-list_procedure_types .live-responses-table tbody .response-col_status"
        )
        status.first.wait_for(timeout=10_000)
        assert status.first.inner_text().strip() == "200"
        # The schemas render and open too (OpenAPI 3.1: JSON Schema 2020-12 views).
        page.locator("#operations-catalogue-list_procedure_types button.tablinks", has_text="Schema").first.click()
        page.locator("section.models .json-schema-2020-12-accordion").first.click()
        page.wait_for_selector("section.models .json-schema-2020-12-accordion[aria-expanded=true]", timeout=10_000)
    finally:
        context.close()
    assert problems == []
