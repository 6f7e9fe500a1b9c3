"""What the daily e-mail says (Today's content, in the learner's language), what deadline reminders say,
and what sending costs in queries."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

import pytest
from django.core import mail

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    FeedPostFactory,
    FeedSubscriptionFactory,
    ItemFactory,
    ProgressFactory,
    TrackFactory,
    make_learner,
)
from tests.tracker.reminders.conftest import Queue
from tracker.models import PlanEntry, ReadingQueueEntry, ReminderDelivery, ReviewCard, StudyProfile, User
from tracker.selectors.reminders import reminder_digests
from tracker.selectors.today import today_bundle
from tracker.services.reminders import reminders_dispatch, reminders_send
from tracker.services.users import ProfileError, deadline_reminder_days_set

UTC = dt.UTC
BEFORE = dt.datetime(2026, 3, 2, 6, tzinfo=UTC)  # a Monday
TICK = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TODAY = dt.date(2026, 3, 2)


def fill_day(user: User, *, n_tracks: int = 2) -> dict[str, object]:
    """Today's items in `n_tracks` tracks, a review due, an overdue item, reading, a new post, deadlines."""
    tracks = []
    for n in range(n_tracks):
        track = TrackFactory(title=f"CUDA 编程 {n}", title_en=f"CUDA programming {n}")
        enrollment = EnrollmentFactory(user=user, track=track, priority=n + 1)
        for position in range(2):
            item = ItemFactory(
                track=track, title=f"第{n}-{position}节 共享内存", title_en=f"Shared memory {n}-{position}"
            )
            PlanEntry.objects.create(
                user=user, item=item, enrollment=enrollment, date=TODAY, position=position, minutes=30
            )
        tracks.append(track)
    reviewed = ItemFactory(track=tracks[0], title_en="Warp shuffles")
    ReviewCard.objects.create(user=user, item=reviewed, due=TICK - dt.timedelta(hours=3))
    missed = ItemFactory(track=tracks[0], title_en="Bank conflicts")
    PlanEntry.objects.create(
        user=user, item=missed, date=TODAY - dt.timedelta(days=2), status=PlanEntry.Status.MISSED, minutes=20
    )
    ReadingQueueEntry.objects.create(user=user, title="TensorRT best practices", url="https://example.org/trt")
    subscription = FeedSubscriptionFactory(user=user)
    FeedPostFactory(feed=subscription.feed, title="Quantising LLMs to INT4", published_at=TICK - dt.timedelta(hours=5))
    ProgressFactory(user=user, item=ItemFactory(track=tracks[0]), done_at=TICK - dt.timedelta(days=1))
    ProgressFactory(user=user, item=ItemFactory(track=tracks[0]), done_at=TICK - dt.timedelta(days=2))
    soon = DeadlineFactory(owner=user, title="论文截止", title_en="Paper due", due_at=TICK + dt.timedelta(days=3))
    later = DeadlineFactory(owner=user, title_en="Far away", due_at=TICK + dt.timedelta(days=20))
    # These entries are today's plan, as the nightly re-plan left it: the e-mail does not re-plan.
    StudyProfile.objects.filter(user=user).update(plan_built_on=TODAY)
    return {"tracks": tracks, "soon": soon, "later": later}


@pytest.mark.django_db
def test_the_daily_email_shows_todays_items_reviews_overdue_reading_posts_deadlines_and_streak(
    queue: Queue, settings, time_machine
):
    time_machine.move_to(BEFORE, tick=False)
    settings.SITE_URL = "https://brainqueue.example"
    user = make_learner(now=BEFORE, hour=7)
    fill_day(user)
    time_machine.move_to(TICK, tick=False)
    assert queue.tick(TICK) == 1
    (message,) = mail.outbox
    text = message.body
    html = message.alternatives[0].content
    assert message.subject == "Brainqueue · 2026-03-02: 4 new, 1 to review"
    assert message.to == [user.email]
    assert parseaddr(message.from_email)[1] == "noreply@brainqueue.localhost"
    for part in (text, html):
        assert "CUDA programming 0" in part and "CUDA programming 1" in part
        assert "Shared memory 0-0" in part and "Shared memory 1-1" in part
        assert "Warp shuffles" in part  # review due
        assert "Bank conflicts" in part  # missed earlier
        assert "TensorRT best practices" in part  # today's reading
        assert "Quantising LLMs to INT4" in part  # a new blog post
        assert "Paper due" in part and "Far away" not in part  # deadlines within 7 days only
        assert "Current streak: 2 study days." in part  # Sunday and Saturday; today still open
        assert "https://brainqueue.example/" in part  # the dashboard's Today
    # Items in track order (priority), and the link to Today is absolute.
    assert text.index("CUDA programming 0") < text.index("CUDA programming 1")
    assert 'href="https://brainqueue.example/"' in html
    # The deadline three days away has its 7-day reminder in the same e-mail: both rows carry its Message-ID.
    assert set(ReminderDelivery.objects.filter(user=user).values_list("kind", "status")) == {
        ("daily", "sent"),
        ("deadline_7d", "sent"),
    }
    delivery = ReminderDelivery.objects.get(user=user, kind="daily")
    assert message.extra_headers["Message-ID"] == delivery.message_id
    assert delivery.message_id.endswith("@brainqueue.example>")


@pytest.mark.django_db
def test_the_email_content_matches_todays_page(queue: Queue):
    user = make_learner(now=BEFORE, hour=7)
    fill_day(user)
    bundle = today_bundle(user=user, now=TICK)
    digest = reminder_digests(profiles=[user.study_profile], dates={user.pk: TODAY}, now=TICK)[user.pk]
    assert [d.track for d in digest.tracks] == [d.track for d in bundle.tracks]
    assert [e.pk for d in digest.tracks for e in d.entries] == [e.pk for d in bundle.tracks for e in d.entries]
    assert digest.reviews_due == bundle.reviews_due
    assert digest.overdue == bundle.overdue
    assert digest.reading == bundle.reading
    assert digest.current_streak == bundle.current_streak
    assert set(digest.deadlines) <= set(bundle.deadlines)


@pytest.mark.django_db
def test_a_chinese_learner_gets_the_email_in_chinese(queue: Queue):
    user = make_learner(now=BEFORE, hour=7, language="zh-hans")
    fill_day(user, n_tracks=1)
    assert queue.tick(TICK) == 1
    (message,) = mail.outbox
    assert message.subject == "Brainqueue · 2026-03-02：2 项新内容，1 项待复习"
    for part in (message.body, message.alternatives[0].content):
        assert "你的学习日" in part and "待复习" in part and "之前错过的" in part and "今日阅读" in part
        assert "CUDA 编程 0" in part and "共享内存" in part  # the curriculum's original titles
        assert "论文截止" in part and "还有 3 天" in part
        assert "当前连续学习：2 天。" in part
        assert "一键退订" in part or "退订" in part
        assert "Hello" not in part and "Reviews due" not in part
    assert 'lang="zh-Hans"' in message.alternatives[0].content


@pytest.mark.django_db
def test_an_empty_day_still_gets_a_short_email_with_the_link_to_today(queue: Queue):
    make_learner(now=BEFORE, hour=7)
    assert queue.tick(TICK) == 1
    assert "Nothing planned for today" in mail.outbox[0].body


@pytest.mark.django_db
def test_deadline_reminders_go_out_7_days_and_1_day_before_once_each(queue: Queue):
    user = make_learner(now=BEFORE, hour=7, rest_weekdays=[5, 6])
    due = dt.datetime(2026, 3, 10, 15, tzinfo=UTC)  # a Tuesday
    DeadlineFactory(owner=user, title_en="MLSys camera-ready", due_at=due)
    sent: dict[dt.date, str] = {}
    for day in range(2, 12):
        before = len(mail.outbox)
        queue.tick(dt.datetime(2026, 3, day, 7, 0, tzinfo=UTC))
        if len(mail.outbox) > before:
            sent[dt.date(2026, 3, day)] = mail.outbox[-1].subject
    kinds = dict(ReminderDelivery.objects.filter(user=user).exclude(kind="daily").values_list("kind", "local_date"))
    assert kinds == {"deadline_7d": dt.date(2026, 3, 3), "deadline_1d": dt.date(2026, 3, 9)}
    # On study days the reminder is part of the daily e-mail, leading it.
    day_7 = next(m for m in mail.outbox if "2026-03-03" in m.subject)
    assert day_7.body.index("Deadline reminders") < day_7.body.index("Nothing planned for today")
    assert "MLSys camera-ready" in day_7.body and "in 7 days" in day_7.body
    assert "due tomorrow" in next(m for m in mail.outbox if "2026-03-09" in m.subject).body
    # Saturday and Sunday (rest days) got no e-mail, and each day at most one.
    assert dt.date(2026, 3, 7) not in sent and dt.date(2026, 3, 8) not in sent
    assert len(mail.outbox) == len(sent)


@pytest.mark.django_db
def test_a_deadline_reminder_on_a_rest_day_comes_alone(queue: Queue):
    user = make_learner(now=BEFORE, hour=7, rest_weekdays=[0])  # Mondays off
    DeadlineFactory(owner=user, title_en="Exam", due_at=TICK + dt.timedelta(hours=20))
    assert queue.tick(TICK) == 1
    (message,) = mail.outbox
    assert message.subject == "Deadline reminder: Exam (2026-03-03)"
    assert "due tomorrow" in message.body and "List-Unsubscribe" in message.extra_headers
    assert list(ReminderDelivery.objects.values_list("kind", flat=True)) == ["deadline_1d"]


@pytest.mark.django_db
def test_deadline_reminder_days_are_chosen_per_learner(queue: Queue):
    only_day_before = make_learner(now=BEFORE, hour=7)
    deadline_reminder_days_set(user=only_day_before, days=[1])
    none = make_learner(now=BEFORE, hour=7)
    deadline_reminder_days_set(user=none, days=[])
    with pytest.raises(ProfileError):
        deadline_reminder_days_set(user=none, days=[3])
    for user in (only_day_before, none):
        DeadlineFactory(owner=user, due_at=TICK + dt.timedelta(days=6))
    queue.tick(TICK)
    assert not ReminderDelivery.objects.exclude(kind="daily").exists()


@pytest.mark.django_db
def test_public_deadlines_of_tracks_the_learner_studies_are_reminded(queue: Queue):
    user = make_learner(now=BEFORE, hour=7)
    studied, other = TrackFactory(), TrackFactory()
    EnrollmentFactory(user=user, track=studied)
    DeadlineFactory(owner=None, track=studied, title_en="Course final", due_at=TICK + dt.timedelta(days=5))
    DeadlineFactory(owner=None, track=other, title_en="Someone else's", due_at=TICK + dt.timedelta(days=5))
    queue.tick(TICK)
    assert list(ReminderDelivery.objects.exclude(kind="daily").values_list("deadline__title_en", flat=True)) == [
        "Course final"
    ]


def _send_batch_of(n: int, queue: Queue) -> None:
    users = [make_learner(now=BEFORE, hour=7) for _ in range(n)]
    for user in users:
        fill_day(user, n_tracks=2)
        DeadlineFactory(owner=user, due_at=TICK + dt.timedelta(days=1))
    reminders_dispatch(now=TICK)


@pytest.mark.django_db
@pytest.mark.parametrize("learners", [2, 8])
def test_sending_costs_a_fixed_number_of_queries_plus_one_per_email(
    queue: Queue, django_assert_max_num_queries, learners: int
):
    _send_batch_of(learners, queue)
    ((ids, token),) = queue.batches
    # 1 take-over; 1 rows with user, profile and deadline; 12 for the digests (today's entries, reviews,
    # problem re-solves due, concept questions due, overdue, reading, subscriptions, new posts, deadlines,
    # finished items, review ratings, vacations); then 1 update per e-mail (marked sent).
    with django_assert_max_num_queries(14 + learners):
        assert reminders_send(delivery_ids=ids, token=token, now=TICK) == learners
    assert len(mail.outbox) == learners


@pytest.mark.django_db
def test_the_dispatcher_costs_a_fixed_number_of_queries(queue: Queue, django_assert_max_num_queries):
    for _ in range(6):
        user = make_learner(now=BEFORE, hour=7)
        DeadlineFactory(owner=user, due_at=TICK + dt.timedelta(days=1))
    # profiles without a time, due profiles, vacations, own and public deadlines, the claims' insert,
    # the profiles' update, stale claims, the claimed rows; and the savepoint and its release (the test's
    # transaction). The same whatever the number of learners.
    with django_assert_max_num_queries(11):
        assert reminders_dispatch(now=TICK) == 12


@pytest.mark.django_db
def test_the_html_part_escapes_what_learners_and_feeds_wrote_and_the_text_part_does_not(queue: Queue):
    user = make_learner(now=BEFORE)
    track = TrackFactory(title="<b>Kernels</b> & more", title_en="<b>Kernels</b> & more")
    enrollment = EnrollmentFactory(user=user, track=track, priority=1)
    PlanEntry.objects.create(user=user, item=ItemFactory(track=track), enrollment=enrollment, date=TODAY)
    StudyProfile.objects.filter(user=user).update(plan_built_on=TODAY)

    reminders_dispatch(now=TICK)
    queue.run(now=TICK)

    (message,) = mail.outbox
    html = message.alternatives[0].content
    assert "&lt;b&gt;Kernels&lt;/b&gt; &amp; more" in html
    assert "<b>Kernels</b>" not in html
    assert "== <b>Kernels</b> & more ==" in message.body


def test_every_string_of_the_reminder_templates_has_a_chinese_translation():
    from pathlib import Path

    from django.template import engines

    from tracker.emails import REMINDERS_ENGINE

    root = Path(__file__).resolve().parents[3] / "tracker" / "jinja2" / "emails"
    po = (Path(__file__).resolve().parents[3] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    env = engines[REMINDERS_ENGINE].env  # type: ignore[attr-defined]
    # A call with placeholders is extracted as (msgid, None, ...): one None per keyword argument.
    found = {
        message if isinstance(message, str) else message[0]
        for path in root.iterdir()
        for _, _, message in env.extract_translations(path.read_text())
    }
    assert len(found) == 26
    missing = sorted(m for m in found if f'msgid "{m}"\nmsgstr ""\n' in po or f'msgid "{m}"' not in po)
    assert not missing, f"add these to locale/zh_Hans/LC_MESSAGES/django.po: {missing}"
