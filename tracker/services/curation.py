"""Upserting the curated content into the database: idempotent, all or nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from tracker.curation.files import CuratedContent, DeadlineSpec, FeedSpec, TrackSpec
from tracker.models import Deadline, Feed, Item, Progress, Skill, Tag, Track
from tracker.services.learner_state import curated_content_bump


@dataclass
class UpsertReport:
    """Rows created, updated, unchanged and deleted, per model."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or sum(self.deleted.values()))

    def lines(self) -> list[str]:
        models = sorted(set(self.created) | set(self.updated) | set(self.unchanged) | set(self.deleted))
        return [
            f"{name:<10} created {self.created[name]:>4}  updated {self.updated[name]:>4}  "
            f"unchanged {self.unchanged[name]:>4}  deleted {self.deleted[name]:>4}"
            for name in models
        ]


def _apply(instance: Model, values: dict[str, Any]) -> list[str]:
    """Sets the fields that differ and returns their names, so unchanged rows are never saved."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def _tags(slugs: set[str]) -> dict[str, Tag]:
    existing = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    missing = [Tag(slug=s) for s in sorted(slugs - existing.keys())]
    for tag in Tag.objects.bulk_create(missing):
        existing[tag.slug] = tag
    return existing


def _set_tags(report: UpsertReport, objs: list[tuple[Model, tuple[str, ...]]], tags: dict[str, Tag]) -> None:
    """Makes each object's tags exactly the given ones, touching only what differs."""
    if not objs:
        return
    through = objs[0][0].tags.through  # type: ignore[attr-defined]
    fk = f"{objs[0][0]._meta.model_name}_id"
    current: dict[int, set[int]] = {}
    for row in through.objects.filter(**{f"{fk}__in": [o.pk for o, _ in objs]}).values_list(fk, "tag_id"):
        current.setdefault(row[0], set()).add(row[1])
    to_add, to_remove = [], []
    for obj, slugs in objs:
        want = {tags[s].pk for s in slugs}
        have = current.get(obj.pk, set())
        to_add += [through(**{fk: obj.pk, "tag_id": t}) for t in sorted(want - have)]
        to_remove += [(obj.pk, t) for t in have - want]
    through.objects.bulk_create(to_add)
    for obj_pk, tag_pk in to_remove:
        through.objects.filter(**{fk: obj_pk, "tag_id": tag_pk}).delete()
    if to_add or to_remove:
        report.updated["tag links"] += len(to_add) + len(to_remove)


def _upsert_track(report: UpsertReport, spec: TrackSpec, tags: dict[str, Tag]) -> Track:
    values = {
        "kind": spec.kind,
        "title": spec.title,
        "title_en": spec.title_en,
        "summary": spec.summary,
        "source_url": spec.source_url,
        "is_published": spec.published,
    }
    track = Track.objects.filter(owner__isnull=True, slug=spec.slug).first()
    if track is None:
        track = Track.objects.create(slug=spec.slug, owner=None, **values)
        report.created["track"] += 1
    elif changed := _apply(track, values):
        track.save(update_fields=[*changed, "updated_at"])
        report.updated["track"] += 1
    else:
        report.unchanged["track"] += 1
    _set_tags(report, [(track, spec.tags)], tags)
    _upsert_items(report, track, spec, tags)
    return track


def _upsert_items(report: UpsertReport, track: Track, spec: TrackSpec, tags: dict[str, Tag]) -> None:
    existing = {item.key: item for item in Item.objects.filter(track=track)}
    wanted = {s.key for s in spec.items}
    new = [
        Item(track=track, key=s.key, kind=s.kind, title=s.title, title_en=s.title_en, position=s.position)
        for s in spec.items
        if s.key not in existing
    ]
    for item in Item.objects.bulk_create(new):
        existing[item.key] = item
    report.created["item"] += len(new)
    created_keys = {i.key for i in new}

    changed_items: list[Item] = []
    fields: set[str] = set()
    for s in spec.items:
        item = existing[s.key]
        values = {
            "parent_id": existing[s.parent_key].pk if s.parent_key else None,
            "position": s.position,
            "depth": s.depth,
            "kind": s.kind,
            "title": s.title,
            "title_en": s.title_en,
            "url": s.url,
            "estimated_minutes": s.minutes,
            "difficulty": s.difficulty,
            "external_id": s.external_id,
        }
        if changed := _apply(item, values):
            changed_items.append(item)
            fields.update(changed)
            if s.key not in created_keys:
                report.updated["item"] += 1
        elif s.key not in created_keys:
            report.unchanged["item"] += 1
    if changed_items:
        Item.objects.bulk_update(changed_items, [*sorted(fields), "updated_at"], batch_size=500)
    _set_tags(report, [(existing[s.key], s.tags) for s in spec.items], tags)

    # Items gone from the file leave the track, unless a learner has progress on them: that history
    # is theirs, so those stay and the curator is told.
    stale = [item for key, item in existing.items() if key not in wanted]
    if stale:
        kept = set(Progress.objects.filter(item__in=stale).values_list("item_id", flat=True).distinct())
        removable = [i.pk for i in stale if i.pk not in kept]
        # Children first would be needed for PROTECT; CASCADE on parent makes one delete enough.
        Item.objects.filter(pk__in=removable).delete()
        report.deleted["item"] += len(removable)
        for item in stale:
            if item.pk in kept:
                report.warnings.append(
                    f"{spec.slug}: item {item.key!r} is no longer in the file but learners have progress on it; kept"
                )


def _upsert_skills(report: UpsertReport, skills: list[dict[str, Any]], tracks: dict[str, Track]) -> None:
    items_by_ref = {
        f"{t.slug}:{i.key}": i
        for t in tracks.values()
        for i in Item.objects.filter(track=t, key__in=[r.split(":", 1)[1] for s in skills for r in s.get("items", [])])
    }
    existing = {s.key: s for s in Skill.objects.all()}
    for position, raw in enumerate(skills, start=1):
        values = {
            "tier": raw["tier"],
            "title": raw["title"].strip(),
            "title_en": raw["title_en"].strip(),
            "description": raw.get("description", "").strip(),
            "position": position,
        }
        skill = existing.get(raw["key"])
        if skill is None:
            skill = Skill.objects.create(key=raw["key"], **values)
            report.created["skill"] += 1
        elif changed := _apply(skill, values):
            skill.save(update_fields=[*changed, "updated_at"])
            report.updated["skill"] += 1
        else:
            report.unchanged["skill"] += 1
        want_tracks = {tracks[slug].pk for slug in raw.get("tracks", [])}
        if set(skill.tracks.values_list("pk", flat=True)) != want_tracks:
            skill.tracks.set(want_tracks)
        want_items = {items_by_ref[ref].pk for ref in raw.get("items", [])}
        if set(skill.items.values_list("pk", flat=True)) != want_items:
            skill.items.set(want_items)


def _upsert_deadlines(report: UpsertReport, deadlines: list[DeadlineSpec], tracks: dict[str, Track]) -> None:
    existing = {d.key: d for d in Deadline.objects.filter(owner__isnull=True).exclude(key="")}
    for spec in deadlines:
        values = {
            "title": spec.title,
            "title_en": spec.title_en,
            "kind": spec.kind,
            "due_at": spec.due_at,
            "time_zone": spec.time_zone,
            "url": spec.url,
            "track_id": tracks[spec.track].pk if spec.track else None,
        }
        deadline = existing.get(spec.key)
        if deadline is None:
            Deadline.objects.create(key=spec.key, owner=None, **values)
            report.created["deadline"] += 1
        elif changed := _apply(deadline, values):
            deadline.save(update_fields=[*changed, "updated_at"])
            report.updated["deadline"] += 1
        else:
            report.unchanged["deadline"] += 1


@transaction.atomic
def curated_content_upsert(*, content: CuratedContent) -> UpsertReport:
    """Makes the database hold exactly the curated content read from fixtures/.

    One transaction: a failure anywhere leaves the previous content as it was. Running it twice
    changes nothing the second time (the report says so).
    """
    report = UpsertReport()
    all_tags = {t for spec in content.tracks for t in spec.tags} | {
        t for spec in content.tracks for item in spec.items for t in item.tags
    }
    tags = _tags(all_tags)
    tracks = {spec.slug: _upsert_track(report, spec, tags) for spec in content.tracks}
    _upsert_skills(report, content.skills, tracks)
    _upsert_deadlines(report, content.deadlines, tracks)
    _upsert_feeds(report, content.feeds)
    curated_content_bump()
    return report


def _upsert_feeds(report: UpsertReport, feeds: list[FeedSpec]) -> None:
    """Curated feeds by slug. The stored `url` follows the file only when the file's address changes:
    at run time a permanent redirect may have moved it, and seeding again must not undo that. A feed
    learners already follow at the same address becomes the curated one (no second row)."""
    existing = {f.curated_slug: f for f in Feed.objects.filter(curated_slug__in=[s.slug for s in feeds])}
    for spec in feeds:
        feed = existing.get(spec.slug)
        if feed is None:
            feed = Feed.objects.filter(url=spec.url).first()
            if feed is None:
                Feed.objects.create(
                    url=spec.url,
                    curated_url=spec.url,
                    curated_slug=spec.slug,
                    is_curated=True,
                    title=spec.title,
                    site_url=spec.site_url,
                    next_fetch_at=timezone.now(),
                )
                report.created["feed"] += 1
                continue
        values: dict[str, Any] = {
            "curated_slug": spec.slug,
            "is_curated": True,
            "title": spec.title,
            "site_url": spec.site_url,
            "curated_url": spec.url,
        }
        if feed.curated_url != spec.url and not Feed.objects.filter(url=spec.url).exclude(pk=feed.pk).exists():
            values["url"] = spec.url
        if changed := _apply(feed, values):
            feed.save(update_fields=[*changed, "updated_at"])
            report.updated["feed"] += 1
        else:
            report.unchanged["feed"] += 1
