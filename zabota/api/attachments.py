"""Uploading files to a conversation and downloading them, for operators and integrations."""

from __future__ import annotations

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import AttachmentOut
from zabota.attachments.actions import Upload, file_response_headers, get_attachment, read_upload, store_attachment
from zabota.auth.roles import Permission
from zabota.conversations.actions import access_conversation

router = APIRouter(tags=["attachments"])


@router.post("/conversations/{conversation_id}/attachments", response_model=AttachmentOut, status_code=201)
def upload(
    conversation_id: int,
    session: DbSession,
    file: UploadFile = File(description="The file; its type is read from its bytes."),
    principal: Principal = require(Permission.CONVERSATIONS_WRITE),
) -> AttachmentOut:
    """Upload a file to send with a reply (`attachment_ids` of POST …/messages)."""
    conversation = access_conversation(session, principal.user, conversation_id)
    upload = Upload(file.filename or "", read_upload(file.file))
    return AttachmentOut.model_validate(store_attachment(session, principal.actor, conversation, upload))


@router.get("/attachments/{attachment_id}", response_class=Response, responses={200: {"content": {"*/*": {}}}})
def download(
    attachment_id: int, session: DbSession, principal: Principal = require(Permission.CONVERSATIONS_READ)
) -> Response:
    attachment = get_attachment(session, attachment_id)
    access_conversation(session, principal.user, attachment.conversation_id)
    return Response(attachment.data, media_type=attachment.content_type, headers=file_response_headers(attachment))
