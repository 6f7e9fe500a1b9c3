"""A learner's first days, in a real browser: Debian's chromium, headless, driven by Playwright.

Sign up, enrol, finish today's items inline (htmx), see the heatmap change, lower the parallel limit and
see the plan change, import the markdown plan of seed 004 and see its tracks. Along the way every page is
photographed at desktop and phone widths, light and dark, English and Chinese, under
test-artifacts/screenshots/ (gitignored) for a person to look at, and checked with axe-core against
WCAG 2.1 A and AA in both colour schemes and both languages: any violation fails the test, and the
report names the page, the scheme, the rule and every node.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from tests.factories import DeadlineFactory, ExerciseFactory, ItemFactory, SkillFactory, SubmissionFactory, TrackFactory
from tests.frontend.browser.accessibility import Audit
from tracker.models import Exercise, SubmissionCaseResult, Tag, User

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "test-artifacts" / "screenshots"
SEED = ROOT.parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
PASSWORD = "a-long-pass-phrase-42"


def curated_content() -> None:
    cuda = Tag.objects.create(slug="cuda")
    book = TrackFactory(
        slug="cuda-book", kind="book", title="CUDA C编程权威指南", title_en="Professional CUDA C Programming"
    )
    book.tags.add(cuda)
    chapter = ItemFactory(
        track=book,
        key="ch01",
        kind="chapter",
        position=0,
        title="第1章 基于CUDA的异构并行计算",
        title_en="Chapter 1: Heterogeneous parallel computing",
        estimated_minutes=0,
    )
    for n, (zh, en) in enumerate(
        [
            ("并行计算", "Parallel computing"),
            ("异构计算", "Heterogeneous computing"),
            ("CUDA 编程结构", "The CUDA programming structure"),
        ],
        start=1,
    ):
        ItemFactory(
            track=book, parent=chapter, key=f"ch01-{n}", position=n, title=zh, title_en=en, estimated_minutes=20
        )
    course = TrackFactory(
        slug="dl-course", kind="course", title="深度学习专项课程", title_en="Deep Learning Specialization"
    )
    for n in range(1, 4):
        ItemFactory(
            track=course,
            key=f"w{n}",
            kind="lecture",
            position=n,
            title=f"第{n}周",
            title_en=f"Week {n}",
            estimated_minutes=25,
        )
    leet = TrackFactory(
        slug="leetcode-arrays", kind="problem_set", title="LeetCode 数组专题", title_en="LeetCode: arrays"
    )
    for n, (title, diff) in enumerate(
        [("Two Sum", "easy"), ("3Sum", "medium"), ("Trapping Rain Water", "hard")], start=1
    ):
        ItemFactory(track=leet, key=f"p{n}", kind="problem", difficulty=diff, position=n, title=title, title_en=title)
    for tier, (zh, en) in zip(
        ("T3", "T3", "T2", "T1", "T0"),
        [
            ("CUDA 编程", "CUDA programming"),
            ("TensorRT 部署", "TensorRT deployment"),
            ("模型量化", "Quantisation"),
            ("TVM", "TVM"),
            ("图模型", "Graphical models"),
        ],
        strict=True,
    ):
        skill = SkillFactory(tier=tier, title=zh, title_en=en)
        skill.tracks.add(book)
    DeadlineFactory(owner=None, key="mlsys", title="MLSys 投稿截止", title_en="MLSys submission", kind="conference")
    # Long lines in the statement's code, the editor and the grader's output: on a phone none of them may
    # become a sideways-scrolling region that the keyboard cannot reach.
    long = "x: np.ndarray, w: np.ndarray, stride: int, padding: int, groups: int, dilation: int"
    exercise = ExerciseFactory(
        slug="vector-add",
        title="Vector addition",
        difficulty="medium",
        track=book,
        statement_md=f"Add `a` and `b`:\n\n```\ndef solve({long}) -> np.ndarray\n```\n",
        starter=f"def solve({long}):\n    raise NotImplementedError\n",
    )
    exercise.tags.add(cuda, Tag.objects.create(slug="numpy"), Tag.objects.create(slug="elementwise"))


def graded_submission(username: str) -> int:
    """A finished submission with one case of each kind, so the exercise page shows verdicts and a table."""
    exercise = Exercise.objects.get(slug="vector-add")
    submission = SubmissionFactory(
        user=User.objects.get(username=username),
        exercise=exercise,
        code=exercise.starter,
        status="done",
        verdict="WA",
        score=5,
        max_score=10,
        time_ms=12,
        memory_kb=2048,
    )
    for position, (case, visible, verdict) in enumerate([("1", True, "AC"), ("2", True, "WA"), ("3", False, "TLE")]):
        SubmissionCaseResult.objects.create(
            submission=submission,
            case=case,
            position=position,
            visible=visible,
            verdict=verdict,
            points=5 if verdict == "AC" else 0,
            max_points=5,
            message="expected [2.0], got [3.0]; " * 12 if verdict == "WA" else "",
        )
    return submission.pk


DONE = "#today button[id^='done-']"


def finish_all(page: object) -> None:
    """Clicks Done until nothing is left to do today; each click swaps #today in place."""
    for _ in range(20):
        left = page.locator(DONE).count()  # type: ignore[attr-defined]
        if not left:
            return
        marker = page.evaluate("document.getElementById('today').dataset.seen = 'old'")  # type: ignore[attr-defined]
        del marker
        page.locator(DONE).first.click()  # type: ignore[attr-defined]
        # Functions, not expressions: Playwright evals an expression in the page, which the CSP forbids.
        page.wait_for_function("() => document.getElementById('today').dataset.seen !== 'old'")  # type: ignore[attr-defined]
    raise AssertionError("today's items did not run out after 20 clicks")


def shoot(page: object, name: str) -> None:
    """The page as it is now, whole, at the current viewport size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def shoot_all(context: object, base: str, pages: dict[str, str], suffix: str, audit: Audit | None = None) -> None:
    """Photographs each page; with an audit, also checks it with axe-core in the light and the dark scheme."""
    page = context.new_page()  # type: ignore[attr-defined]
    for name, path in pages.items():
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("main").count() == 1, path
        shoot(page, f"{name}-{suffix}")
        if audit is not None:
            audit.check(page, f"{path} ({suffix})")
    page.close()


def test_a_new_learner_signs_up_studies_and_plans(browser, live_server) -> None:
    curated_content()
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Every page below is checked with axe-core, light and dark, English and Chinese; all that is found
    # is reported at the end, page by page.
    audit = Audit()

    # Sign up: the visitor is sent to sign in, and from there to a new account.
    page.goto(base + "/")
    assert "/accounts/login/" in page.url
    shoot(page, "login-desktop")
    audit.check(page, "/accounts/login/ (desktop)")
    page.get_by_role("link", name="Create an account").click()
    audit.check(page, "/accounts/signup/ (desktop)")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("Time zone").select_option("UTC")
    shoot(page, "signup-desktop")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(base + "/")
    assert page.get_by_text("Welcome to Brainqueue").is_visible()
    assert page.get_by_role("heading", name="Nothing to study yet").is_visible()
    shoot(page, "today-empty-desktop")
    audit.check(page, "/ with nothing to study (desktop)")

    # Enrol in two tracks from the catalogue; a search narrows it without a reload.
    page.get_by_role("link", name="Browse tracks").click()
    page.get_by_label("Search").fill("CUDA")
    page.wait_for_function("() => document.querySelectorAll('#catalogue .catalogue > li').length === 1")
    audit.check(page, "/tracks/ searched (desktop)")
    page.get_by_role("button", name="Enrol · Professional CUDA C Programming").click()
    assert page.get_by_text("Enrolled in Professional CUDA C Programming").is_visible()
    page.goto(base + "/tracks/")
    page.get_by_role("button", name="Enrol · Deep Learning Specialization").click()
    assert page.get_by_text("Enrolled in Deep Learning Specialization").is_visible()

    # The progress heatmap before any study: no green square.
    page.goto(base + "/progress/")
    assert page.locator(".heat-scroll svg rect.hm0").count() >= 365
    assert page.locator(".heat-scroll svg rect:not(.hm0)").count() == 0

    # Today: finish every item inline; htmx swaps the day in place, no page load.
    page.goto(base + "/")
    assert page.locator(DONE).count() >= 2
    page.locator("#today details.more").first.evaluate("details => { details.open = true; }")
    audit.check(page, "/ with items to do, a note form open (desktop)")
    page.evaluate("window.notReloaded = true")
    finish_all(page)
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_text("all done. See you tomorrow!").is_visible()
    # Undo takes one back, inline too (the day is re-planned around it).
    page.locator("#today button[id^='undo-']").first.click()
    page.wait_for_selector("text=is back on your list")
    assert page.locator(DONE).count() >= 1
    finish_all(page)
    assert page.evaluate("window.notReloaded") is True
    shoot(page, "today-done-desktop")

    # The heatmap now has today's square.
    page.goto(base + "/progress/")
    assert page.locator(".heat-scroll svg rect:not(.hm0)").count() == 1
    assert "items done" in (page.locator(".heat-scroll svg rect:not(.hm0) title").text_content() or "")

    # My plan: two tracks in two slots; a limit of one leaves one slot and a waiting track.
    page.goto(base + "/plan/")
    assert page.get_by_text("Slot 2").first.is_visible()
    page.get_by_label("Tracks at once").fill("1")
    page.get_by_role("button", name="Save and re-plan").click()
    page.wait_for_selector("text=Up to 1 tracks at once")
    assert page.locator(".lane-head", has_text="Slot 2").count() == 0
    assert page.get_by_text("waiting for a free slot").is_visible()
    # Moving the waiting track up gives it the slot.
    page.locator("button[id^='up-']:not([disabled])").first.click()
    page.wait_for_selector("text=moved up; your plan was re-made")
    shoot(page, "plan-week-desktop")
    audit.check(page, "/plan/ after a move (desktop)")

    # Under the CSP: the exercise editor (CodeMirror from a static file) keeps the form's textarea in step,
    # and Swagger UI (drf-spectacular-sidecar, nonce on its start-up script) shows the API.
    page.goto(base + "/exercises/vector-add/")
    page.locator(".CodeMirror textarea").focus()  # its input field, as a Tab into the editor reaches it
    page.keyboard.type("# typed in the editor")
    # CodeMirror reads its hidden input on the next event-loop turn, then copies itself into the textarea.
    page.wait_for_function("() => document.getElementById('code').value.includes('# typed in the editor')")
    page.goto(base + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.get_by_role("heading", name=re.compile("Brainqueue API")).is_visible()

    # Import seed 004's markdown plan and see its tracks.
    if SEED.exists():
        page.goto(base + "/settings/")
        page.get_by_role("link", name="Import a markdown plan").click()
        page.set_input_files("input[type=file]", str(SEED))
        page.get_by_role("button", name=re.compile("Import")).click()
        assert page.get_by_role("heading", name="Imported").is_visible()
        page.goto(base + "/tracks/")
        assert page.get_by_role("link", name="LeetCode 每日一题/专题").first.is_visible()
    elif os.environ.get("CI") == "true":
        pytest.fail(f"seed 004 is missing at {SEED}")

    # Sign-in and security on Settings: the address awaits verification, this browser is listed, and the
    # two-factor page shows the QR code to scan.
    page.goto(base + "/settings/")
    assert page.get_by_text("not verified: no reminders are sent until it is").is_visible()
    assert page.locator("table.devices").get_by_text("this browser").is_visible()
    page.get_by_role("link", name="Turn it on with an authenticator app").click()
    assert page.locator("main .auth.card").count() == 1
    # allauth turns two-factor on only for a verified address: verify it (the link is in the outbox).
    EmailAddress.objects.filter(email="ada@example.org").update(verified=True)
    page.goto(base + "/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:  # a sensitive change asks for the password again
        assert page.locator("main .auth.card").count() == 1
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile("/accounts/2fa/totp/activate/"))
    assert page.locator("main img").count() >= 1  # the QR code
    page.goto(base + "/tracks/")

    assert errors == []
    # Photographs of every page, as the learner now sees them.
    page.goto(base + "/tracks/")
    track_path = page.locator("a.track-title").first.get_attribute("href")
    submission = graded_submission("ada")
    pages = {
        "today": "/",
        "tracks": "/tracks/",
        "track": track_path or "/tracks/",
        "plan-week": "/plan/",
        "plan-month": "/plan/?view=month",
        "progress": "/progress/",
        "reading": "/reading/",
        "skills": "/skills/",
        "deadlines": "/deadlines/",
        "settings": "/settings/",
        "import": "/plan/markdown/",
        "account-email": "/accounts/email/",
        "password-change": "/accounts/password/change/",
        "two-factor": "/accounts/2fa/",
        "two-factor-totp": "/accounts/2fa/totp/activate/",
        "feeds": "/feeds/",
        "exercises": "/exercises/",
        "exercise": f"/exercises/vector-add/?submission={submission}",
    }
    cookies = context.cookies()
    for suffix, options in {
        "desktop": {"viewport": DESKTOP},
        "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
        "phone-dark": {"viewport": PHONE, "is_mobile": True, "color_scheme": "dark"},
        "desktop-dark": {"viewport": DESKTOP, "color_scheme": "dark"},
    }.items():
        other = browser.new_context(**options)  # type: ignore[attr-defined]
        other.add_cookies(cookies)
        # The two light contexts check both schemes; the dark ones are photographs only.
        shoot_all(other, base, pages, suffix, audit if "dark" not in suffix else None)
        other.close()
    # In Chinese, through the language switcher.
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_selector("html[lang='zh-Hans']")
    zh = browser.new_context(viewport=PHONE, is_mobile=True)  # type: ignore[attr-defined]
    zh.add_cookies(context.cookies())
    shoot_all(zh, base, pages, "phone-zh", audit)
    zh.close()
    zh_dark = browser.new_context(viewport=DESKTOP, color_scheme="dark")  # type: ignore[attr-defined]
    zh_dark.add_cookies(context.cookies())
    shoot_all(
        zh_dark, base, {"today": "/", "plan-week": "/plan/", "exercise": pages["exercise"]}, "desktop-dark-zh", audit
    )
    zh_dark.close()
    context.close()
    assert len(audit.checked) >= 3 * len(pages) * 2, audit.checked
    assert not audit.found, audit.report()
