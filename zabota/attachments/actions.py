"""Accepting, checking and handing out attachments.

The type is decided by the file's own bytes, never by the name or the type the client sends,
and only types that a browser cannot run are accepted (no HTML, SVG or scripts), so a stored
file can never become cross-site scripting when an operator opens it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import quote

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.attachments.models import Attachment
from zabota.config import get_settings
from zabota.conversations.models import Conversation
from zabota.errors import DomainError, NotFound, TooLarge, UnsupportedType
from zabota.events.actions import Actor, record_event

MAX_PER_MESSAGE = 10

# Content types we accept, by what the bytes say they are; each is safe to serve to a browser.
BINARY_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "audio/mpeg",
    "audio/ogg",
    "video/mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
}
OFFICE_BY_EXTENSION = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT_BY_EXTENSION = {".csv": "text/csv", ".txt": "text/plain", ".log": "text/plain", ".json": "text/plain"}
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def clean_filename(name: str) -> str:
    """A name that is safe in a Content-Disposition header and on any disk it is saved to."""
    name = unicodedata.normalize("NFC", name).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 250 - len(extension)] + dot + extension) if dot and len(extension) < 10 else name[:255]
    return name or "file"


def detect_content_type(filename: str, data: bytes) -> str | None:
    """What the bytes are, if it is a type we accept; None otherwise."""
    extension = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        mime = str(kind.mime)
        if mime == "application/zip" and extension in OFFICE_BY_EXTENSION:
            return OFFICE_BY_EXTENSION[extension]
        if mime == "application/x-cfb":  # old Office formats share one container
            return "application/vnd.ms-excel" if extension == ".xls" else "application/msword"
        return mime if mime in BINARY_TYPES else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text or re.search(r"<\s*(html|script|svg|iframe|body)\b", text[:4096], re.IGNORECASE):
        return None
    return TEXT_BY_EXTENSION.get(extension, "text/plain")


def store_attachment(session: Session, actor: Actor, conversation: Conversation, upload: Upload) -> Attachment:
    """Keep an uploaded file for a later message in this conversation."""
    limit = get_settings().attachment_max_bytes
    filename = clean_filename(upload.filename)
    if not upload.data:
        raise DomainError("The file {filename} is empty.", filename=filename, code="empty_file")
    if len(upload.data) > limit:
        raise TooLarge(
            "The file {filename} is larger than the {limit} MB limit.",
            filename=filename,
            limit=round(limit / 1_048_576, 1),
            code="file_too_large",
        )
    content_type = detect_content_type(filename, upload.data)
    if content_type is None:
        raise UnsupportedType(
            "Files of this type cannot be attached: {filename}. Images, PDF, office documents, text, "
            "audio, video and zip archives can.",
            filename=filename,
            code="file_type",
        )
    attachment = Attachment(
        conversation_id=conversation.id,
        filename=filename,
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        data=upload.data,
        uploader_kind="customer" if actor.kind == "customer" else "user",
        uploader_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    record_event(
        session,
        "attachment.uploaded",
        actor,
        "attachment",
        attachment.id,
        {"filename": filename, "content_type": content_type, "size": attachment.size},
        conversation_id=conversation.id,
    )
    return attachment


def get_attachment(session: Session, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Attachment {attachment_id} does not exist.", attachment_id=attachment_id)
    return attachment


def describe(attachment: Attachment) -> dict[str, Any]:
    """What a message keeps about a stored file (in Message.attachments)."""
    return {
        "attachment_id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": f"/api/v1/attachments/{attachment.id}",
    }


def claim_for_message(session: Session, conversation: Conversation, attachment_ids: Sequence[int]) -> list[Attachment]:
    """The uploads a new message carries: uploaded to this conversation and not sent yet."""
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_PER_MESSAGE:
        raise DomainError("A message may carry at most {limit} files.", limit=MAX_PER_MESSAGE, code="too_many_files")
    if not ids:
        return []
    found = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}
    for attachment_id in ids:
        attachment = found.get(attachment_id)
        if attachment is None or attachment.conversation_id != conversation.id:
            raise NotFound("Attachment {attachment_id} does not exist.", attachment_id=attachment_id)
        if attachment.message_id is not None:
            raise DomainError(
                "Attachment {attachment_id} was already sent; upload it again.",
                attachment_id=attachment_id,
                code="attachment_used",
            )
    return [found[i] for i in ids]


def is_inline(attachment: Attachment) -> bool:
    return attachment.content_type in INLINE_TYPES


def read_upload(stream: BinaryIO) -> bytes:
    """At most one byte over the limit: enough to refuse a too-large file without reading it all."""
    return stream.read(get_settings().attachment_max_bytes + 1)


def file_response_headers(attachment: Attachment) -> dict[str, str]:
    """Headers that keep a downloaded file inert: no sniffing, no scripts, images inline only."""
    disposition = "inline" if is_inline(attachment) else "attachment"
    return {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=3600",
    }
