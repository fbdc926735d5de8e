"""Attachments end to end: type by content, size limits, sending with a reply, guarded downloads."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from tests.sla.helpers import department, inbox, push
from zabota.attachments.actions import clean_filename, detect_content_type
from zabota.attachments.models import Attachment
from zabota.conversations.models import Message
from zabota.events.actions import Actor
from zabota.org.actions import update_organization


def png_bytes() -> bytes:
    """A real 1×1 PNG, built here so the test needs no binary fixture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _conversation(db: Any) -> int:
    return push(db, inbox(db), "m-1").conversation.id


def _upload(client: Any, conversation_id: int, headers: dict[str, str], name: str, data: bytes) -> Any:
    return client.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
    )


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("photo.bin", png_bytes(), "image/png"),
        ("receipt.pdf", PDF, "application/pdf"),
        ("order.csv", "номер;сумма\n1;100\n".encode(), "text/csv"),
        ("notes", "просто текст".encode(), "text/plain"),
        ("page.txt", b"<html><script>alert(1)</script></html>", None),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, None),
        ("blob.dat", bytes(range(256)) * 4, None),
    ],
)
def test_type_comes_from_the_bytes_and_active_content_is_refused(filename: str, data: bytes, expected: str | None):
    assert detect_content_type(filename, data) == expected


def test_file_names_are_made_safe():
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename('C:\\Users\\a\\"счёт".pdf') == "_счёт_.pdf"
    assert clean_filename("a\r\nb.txt") == "a_b.txt"
    assert clean_filename("...") == "file"
    assert len(clean_filename("я" * 300 + ".pdf")) <= 255
    assert clean_filename("я" * 300 + ".pdf").endswith(".pdf")


def test_upload_reply_and_download(client, db, make_user, token_for):
    operator = make_user("operator")
    headers = token_for(operator)
    conversation_id = _conversation(db)
    uploaded = _upload(client, conversation_id, headers, "скриншот.png", png_bytes())
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["content_type"] == "image/png" and body["size"] == len(png_bytes()) and body["message_id"] is None

    sent = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "Вот инструкция", "attachment_ids": [body["id"]]},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    (described,) = sent.json()["attachments"]
    assert described["attachment_id"] == body["id"] and described["filename"] == "скриншот.png"

    downloaded = client.get(described["url"], headers=headers)
    assert downloaded.status_code == 200
    assert downloaded.content == png_bytes()
    assert downloaded.headers["content-type"] == "image/png"
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in downloaded.headers["content-security-policy"]

    with db.transaction() as session:
        stored = session.get(Attachment, body["id"])
        message = session.get(Message, sent.json()["id"])
        assert stored is not None and message is not None and stored.message_id == message.id

    # The same upload cannot ride on a second message.
    again = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "ещё раз", "attachment_ids": [body["id"]]},
        headers=headers,
    )
    assert again.status_code == 400 and again.json()["type"].endswith("/attachment_used")


def test_a_pdf_downloads_as_a_file_not_inline(client, db, make_user, token_for):
    headers = token_for(make_user("operator"))
    conversation_id = _conversation(db)
    uploaded = _upload(client, conversation_id, headers, "счёт.pdf", PDF).json()
    downloaded = client.get(f"/api/v1/attachments/{uploaded['id']}", headers=headers)
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82.pdf" in downloaded.headers["content-disposition"]


def test_refused_uploads_are_clear_4xx(client, db, make_user, token_for):
    headers = token_for(make_user("operator"))
    conversation_id = _conversation(db)
    html = _upload(client, conversation_id, headers, "x.html", b"<html><body><script>alert(1)</script></body></html>")
    assert html.status_code == 415 and html.json()["type"].endswith("/file_type")
    empty = _upload(client, conversation_id, headers, "empty.txt", b"")
    assert empty.status_code == 400 and empty.json()["type"].endswith("/empty_file")
    big = _upload(client, conversation_id, headers, "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert big.status_code == 413 and big.json()["type"].endswith("/file_too_large")
    missing = client.post(f"/api/v1/conversations/{conversation_id}/attachments", headers=headers)
    assert missing.status_code == 422
    with db.transaction() as session:
        assert session.query(Attachment).count() == 0


def test_uploads_may_be_larger_than_json_bodies_but_json_may_not(client, db, make_user, token_for):
    headers = token_for(make_user("operator"))
    conversation_id = _conversation(db)
    five_mb = PDF + b"0" * (5 * 1024 * 1024)
    assert _upload(client, conversation_id, headers, "manual.pdf", five_mb).status_code == 201
    note = client.post(
        f"/api/v1/conversations/{conversation_id}/notes", json={"text": "x" * (5 * 1024 * 1024)}, headers=headers
    )
    assert note.status_code == 413


def test_attachments_belong_to_their_conversation(client, db, make_user, token_for):
    headers = token_for(make_user("operator"))
    inbox_id = inbox(db)
    first = push(db, inbox_id, "a-1", who="c-1").conversation.id
    second = push(db, inbox_id, "b-1", who="c-2").conversation.id
    uploaded = _upload(client, first, headers, "a.txt", b"hello").json()
    sent = client.post(
        f"/api/v1/conversations/{second}/messages",
        json={"text": "x", "attachment_ids": [uploaded["id"]]},
        headers=headers,
    )
    assert sent.status_code == 404


def test_department_isolation_covers_downloads(client, db, make_user, token_for):
    insider, outsider = make_user("operator"), make_user("operator")
    secret_department = department(db, "VIP", members=[insider])
    with db.transaction() as session:
        update_organization(session, Actor.system(), department_isolation=True)
    conversation_id = push(db, inbox(db, secret_department), "v-1").conversation.id
    uploaded = _upload(client, conversation_id, token_for(insider), "contract.pdf", PDF)
    assert uploaded.status_code == 201
    attachment_id = uploaded.json()["id"]
    assert client.get(f"/api/v1/attachments/{attachment_id}", headers=token_for(insider)).status_code == 200
    refused = client.get(f"/api/v1/attachments/{attachment_id}", headers=token_for(outsider))
    assert refused.status_code in (403, 404) and PDF not in refused.content
    assert _upload(client, conversation_id, token_for(outsider), "x.txt", b"hi").status_code in (403, 404)


def test_roles_without_write_cannot_upload(client, db, make_user, token_for):
    conversation_id = _conversation(db)
    refused = _upload(client, conversation_id, token_for(make_user("analyst")), "x.txt", b"hello")
    assert refused.status_code == 403


def test_a_customer_upload_rides_on_their_next_message(db):
    from zabota.attachments.actions import Upload, store_attachment
    from zabota.channels.actions import get_inbox
    from zabota.conversations.actions import InboundMessage, ingest_inbound_message
    from zabota.conversations.models import Conversation

    inbox_id = inbox(db)
    first = push(db, inbox_id, "m-1", who="c-9")
    with db.transaction() as session:
        conversation = session.get_one(Conversation, first.conversation.id)
        actor = Actor("customer", conversation.customer_id)
        upload_id = store_attachment(session, actor, conversation, Upload("чек.pdf", PDF)).id
    with db.transaction() as session:
        result = ingest_inbound_message(
            session,
            get_inbox(session, inbox_id),
            InboundMessage(
                identity_channel=f"api:{inbox_id}", identity_id="c-9", external_id="m-2", attachment_ids=[upload_id]
            ),
        )
        assert result.created and result.conversation.id == first.conversation.id
        assert [a["attachment_id"] for a in result.message.attachments] == [upload_id]
        assert result.conversation.last_message_preview == "чек.pdf"
        stored = session.get_one(Attachment, upload_id)
        assert stored.message_id == result.message.id and stored.uploader_kind == "customer"
