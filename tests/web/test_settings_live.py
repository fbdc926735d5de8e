"""In a real browser: an administrator adds an operator in Settings, who then signs in elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _sign_in(browser, server_url: str, email: str, password: str, language: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=f"{language}-RU")
    page = context.new_page()
    page.goto(f"{server_url}/login?lang={language}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/inbox.*"))
    return page


def test_admin_creates_an_operator_who_signs_in(browser, server_url, db, make_user):
    from zabota.departments.actions import create_department
    from zabota.events.actions import Actor

    admin = make_user("admin", name="Ирина Администратор")
    with db.transaction() as session:
        create_department(session, Actor.system(), name="Поддержка")
        session.merge(admin).language = "en"

    admin_page = _sign_in(browser, server_url, admin.email, "correct-horse-9", "en")
    admin_page.click("a[data-section=settings]")
    expect(admin_page.locator("h1")).to_have_text("Users and roles")
    admin_page.click("details:has(#create-user) > summary")
    form = admin_page.locator("#create-user")
    form.locator("input[name=email]").fill("pavel@example.test")
    form.locator("input[name=name]").fill("Павел Орлов")
    form.locator("input[name=handle]").fill("pavel")
    form.locator("select[name=role]").select_option("operator")
    form.locator("select[name=language]").select_option("ru")
    form.locator("input[name=password]").fill("pavel-password-1")
    form.locator("button[type=submit]").click()
    expect(admin_page.locator(".notice")).to_contain_text("can sign in now")
    expect(admin_page.locator("tr[data-user='pavel@example.test'] [data-role]")).to_have_text("operator")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin_page.click("details:has(#create-user) > summary")
    admin_page.screenshot(path=str(SCREENSHOTS / "settings-en.png"), full_page=True)

    # A wrong form is answered next to the form, in the reader's language.
    form.locator("input[name=email]").fill("pavel@example.test")
    form.locator("input[name=name]").fill("Двойник")
    form.locator("input[name=password]").fill("another-password")
    form.locator("button[type=submit]").click()
    expect(admin_page.locator("[data-form-error=create]")).to_contain_text("already exists")

    # Pavel signs in in his own browser; his interface is in Russian and has no Settings.
    pavel_page = _sign_in(browser, server_url, "pavel@example.test", "pavel-password-1", "ru")
    expect(pavel_page.locator(".topbar .me")).to_contain_text("Павел Орлов")
    expect(pavel_page.locator("a[data-section=settings]")).to_have_count(0)
    pavel_page.click("a[data-section=account]")
    expect(pavel_page.locator("h1")).to_have_text("Учётная запись")

    # The admin deactivates Pavel: his open page is signed out on the next request.
    admin_page.goto(f"{server_url}/settings/users")
    row = admin_page.locator("tr[data-user='pavel@example.test']")
    row.locator("summary").click()
    row.locator("button[data-action=deactivate]").click()
    expect(admin_page.locator("tr[data-user='pavel@example.test'] [data-active]")).to_have_text("deactivated")
    pavel_page.reload()
    expect(pavel_page).to_have_url(re.compile(r".*/login.*"))

    # The same page in Russian.
    admin_page.click("a[data-section=account]")
    admin_page.select_option("select[name=language]", "ru")
    admin_page.click("form[action='/account/language'] button")
    admin_page.goto(f"{server_url}/settings/departments")
    expect(admin_page.locator("h1")).to_have_text("Отделы")
    admin_page.goto(f"{server_url}/settings/users")
    expect(admin_page.locator("h1")).to_have_text("Пользователи и роли")
    admin_page.locator("tr[data-user='pavel@example.test'] summary").click()
    admin_page.screenshot(path=str(SCREENSHOTS / "settings-ru.png"), full_page=True)
