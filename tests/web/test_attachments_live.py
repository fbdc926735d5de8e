"""An operator attaches files in the composer: uploaded at once, sent with the reply, shown in the thread."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.attachments.test_attachments import PDF, png_bytes
from tests.web.builders import push_message, sign_in_browser
from zabota.attachments.models import Attachment
from zabota.conversations.models import Message


def test_operator_sends_an_image_and_a_pdf_and_a_refused_file_says_why(
    browser, server_url, db, make_user, api_inbox, tmp_path
):
    operator = make_user("operator", name="Анна Смирнова")
    inbox, headers = api_inbox()
    conversation_id = push_message(server_url, inbox, headers, "att-1", "Пришлите, пожалуйста, инструкцию", "Ольга")
    page = sign_in_browser(browser, server_url, operator, "ru")
    page.goto(f"{server_url}/inbox/c/{conversation_id}")

    image, pdf, script = tmp_path / "схема.png", tmp_path / "инструкция.pdf", tmp_path / "page.html"
    image.write_bytes(png_bytes())
    pdf.write_bytes(PDF)
    script.write_text("<html><script>alert(1)</script></html>")

    page.set_input_files("#composer-file", [str(script)])
    expect(page.locator("#toast")).to_contain_text("page.html")  # refused, and the toast says which file
    page.set_input_files("#composer-file", [str(image), str(pdf)])
    expect(page.locator("#composer-files .file-chip:not(.uploading)")).to_have_count(2)
    page.click("#composer-send")  # no text needed when files are attached

    thread = page.locator("#thread")
    expect(thread.locator("a.attachment.image img")).to_have_count(1)
    expect(thread.locator("a.attachment", has_text="инструкция.pdf")).to_be_visible()
    expect(page.locator("#composer-files .file-chip")).to_have_count(0)
    # The thumbnail is really served to the signed-in browser.
    page.wait_for_function(
        "() => { const img = document.querySelector('#thread a.attachment.image img');"
        " return img && img.complete && img.naturalWidth === 1; }"
    )

    with db.transaction() as session:
        message = session.query(Message).filter_by(conversation_id=conversation_id, direction="out").one()
        names = [a["filename"] for a in message.attachments]
        assert names == ["схема.png", "инструкция.pdf"]
        stored = session.query(Attachment).filter_by(conversation_id=conversation_id).all()
        assert sorted(a.filename for a in stored) == ["инструкция.pdf", "схема.png"]
        assert all(a.message_id == message.id for a in stored)
        pdf_id = next(a.id for a in stored if a.filename == "инструкция.pdf")
    # Without a session the file is not served.
    assert httpx.get(f"{server_url}/api/v1/attachments/{pdf_id}").status_code == 401
    page.context.close()
