def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_push_reply_and_read_back(client, make_user, token_for, api_inbox):
    inbox, inbox_headers = api_inbox()
    operator = make_user("operator")
    payload = {"external_id": "m-1", "customer": {"identifier": "u-1", "name": "Анна"}, "text": "Где мой заказ?"}
    pushed = client.post(f"/api/v1/inboxes/{inbox.id}/messages", json=payload, headers=inbox_headers)
    assert pushed.status_code == 201, pushed.text
    conversation_id = pushed.json()["conversation_id"]
    listed = client.get("/api/v1/conversations?status=open", headers=token_for(operator))
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["items"]] == [conversation_id]
    replied = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": "Уже в пути!"}, headers=token_for(operator)
    )
    assert replied.status_code == 201, replied.text
    messages = client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=token_for(operator)).json()
    assert [m["text"] for m in messages["items"]] == ["Где мой заказ?", "Уже в пути!"]
