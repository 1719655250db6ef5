"""Near-duplicate fingerprints in the store and the reprint links made from them.

Every stored article with enough text has a MinHash fingerprint (``fingerprints``) and
its LSH buckets (``minhash_bands``). When an article is stored, the articles of *other*
outlets sharing a bucket are candidates; those whose estimated similarity reaches the
threshold form a cluster with it, and every member is linked to the cluster's earliest
known original (``reprint_links``): the earliest publication day; on the same day an
article that names no source before one that does (``is_reprint``), then the earlier
time, then the one stored first. A member whose 来源 names another member's outlet (as
that outlet calls itself, ``outlets.names``) is never the original. An existing link is
moved only to an earlier original. All of it runs inside the article's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, delete, insert, or_, select, update

from crawler.dedupe import Fingerprint, similarity
from crawler.dedupe.fingerprint import LSH_BANDS
from crawler.store.outlets import outlet_names
from crawler.store.schema import articles, fingerprints, minhash_bands, reprint_links

METHOD = "minhash-jaccard"
_SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Member:
    """What choosing an original needs to know of one article."""

    id: int
    outlet: str
    source: str | None
    is_reprint: bool
    published_utc: datetime | None
    first_seen: datetime
    fingerprint: Fingerprint

    def key(self) -> tuple[Any, ...]:
        """Sort key: the earliest original sorts first (see the module docstring)."""
        day = self.published_utc.astimezone(_SHANGHAI).date() if self.published_utc else None
        return (day is None, day or date.min, self.is_reprint, self.published_utc or _NEVER,
                self.first_seen, self.id)


def save_fingerprint(conn: Connection, article_id: int, fp: Fingerprint | None, *, new: bool = False) -> None:
    """Replace the article's fingerprint and LSH buckets (none when ``fp`` is None);
    ``new``: the article was inserted in this transaction, it has none to replace."""
    if not new:
        conn.execute(delete(minhash_bands).where(minhash_bands.c.article_id == article_id))
        conn.execute(delete(fingerprints).where(fingerprints.c.article_id == article_id))
    if fp is None:
        return
    # Parameters, not .values(): the statement is then compiled once (a tenth of the writer's time).
    conn.execute(insert(fingerprints), {"article_id": article_id, "scheme": fp.scheme,
                                        "signature": fp.to_bytes(), "shingles": fp.shingles})
    conn.execute(insert(minhash_bands),
                 [{"band": band, "bucket": bucket, "article_id": article_id}
                  for band, bucket in fp.buckets()])


def _members(conn: Connection, ids: list[int]) -> dict[int, Member]:
    query = (
        select(articles.c.id, articles.c.outlet, articles.c.source, articles.c.is_reprint,
               articles.c.published_utc, articles.c.first_seen, fingerprints.c.signature,
               fingerprints.c.shingles, fingerprints.c.scheme)
        .join(fingerprints, fingerprints.c.article_id == articles.c.id)
        .where(articles.c.id.in_(ids))
    )
    out = {}
    for row in conn.execute(query):
        try:
            fp = Fingerprint.from_bytes(row.signature, row.shingles, row.scheme)
        except ValueError:
            continue  # another scheme's signature: made again when that article is stored again
        out[row.id] = Member(row.id, row.outlet, row.source, bool(row.is_reprint), row.published_utc,
                             row.first_seen, fp)
    return out


def _candidates(conn: Connection, article_id: int, outlet: str, fp: Fingerprint) -> list[int]:
    """Articles of other outlets sharing an LSH bucket with ``fp``.

    One equality per band, OR-ed: SQLite searches its (band, bucket) key for each, where a
    row-value ``IN`` made it scan every band row of the store for every article stored
    (quadratic in the store's size; docs/performance.md). Articles of the same outlet are
    never linked (the cluster is made of other outlets), so they are left out here.
    """
    params: dict[str, object] = {"outlet": outlet, "article_id": article_id}
    for band, bucket in fp.buckets():
        params[f"bucket_{band}"] = bucket
    return sorted(conn.execute(_candidates_query(), params).scalars())


@lru_cache(maxsize=1)
def _candidates_query() -> Select[tuple[int]]:
    """The statement of :func:`_candidates`, built once (building it per article cost more
    than running it): parameters ``bucket_0`` … ``bucket_{LSH_BANDS-1}``, ``outlet``, ``article_id``."""
    return (select(minhash_bands.c.article_id).distinct()
            .join(articles, articles.c.id == minhash_bands.c.article_id)
            .where(or_(*(and_(minhash_bands.c.band == band,
                              minhash_bands.c.bucket == bindparam(f"bucket_{band}"))
                         for band in range(LSH_BANDS))))
            .where(articles.c.outlet != bindparam("outlet"))
            .where(minhash_bands.c.article_id != bindparam("article_id")))


def _original(members: list[Member], names: dict[str, list[str]]) -> Member:
    """The cluster's earliest known original."""
    def copies_another(m: Member) -> bool:
        return bool(m.source) and any(m.source in names.get(o.outlet, ())
                                      for o in members if o.outlet != m.outlet)
    eligible = [m for m in members if not copies_another(m)] or members
    return min(eligible, key=Member.key)


@dataclass(frozen=True)
class Linked:
    """What linking did for one stored article."""

    original_id: int | None      # the original the article is linked to as a copy, if any
    similarity: float | None
    written: int = 0             # links made or moved (of this article or of others in its cluster)


def link_reprints(conn: Connection, article_id: int, fp: Fingerprint | None, threshold: float,
                  now: datetime, *, outlet: str, new: bool = False) -> Linked:
    """Save the fingerprint and link the cluster it falls in (see the module docstring).

    ``outlet``: the article's, as just written; ``new``: the article was inserted in this
    transaction (no fingerprint or link to replace).
    """
    save_fingerprint(conn, article_id, fp, new=new)
    if fp is None:
        return Linked(None, None) if new else Linked(*_link_of(conn, article_id))
    candidates = _candidates(conn, article_id, outlet, fp)
    if not candidates:  # nothing of another outlet shares a bucket: no cluster to (re)link
        return Linked(None, None) if new else Linked(*_link_of(conn, article_id))
    found = _members(conn, [article_id, *candidates])
    me = found.get(article_id)
    if me is None:
        return Linked(None, None)
    written = 0
    cluster = [me] + [m for i, m in found.items()
                      if i != article_id and m.outlet != me.outlet
                      and similarity(fp, m.fingerprint) >= threshold]
    if len(cluster) > 1:
        original = _original(cluster, outlet_names(conn, sorted({m.outlet for m in cluster})))
        for member in cluster:
            if member.id != original.id and member.outlet != original.outlet:
                written += _link(conn, member, original, similarity(member.fingerprint, original.fingerprint),
                                 threshold, now)
    return Linked(*_link_of(conn, article_id), written=written)


def _link(conn: Connection, copy: Member, original: Member, score: float, threshold: float,
          now: datetime) -> int:
    """Link ``copy`` to ``original`` unless it is linked to an earlier one already; 1 if written."""
    if score < threshold:
        return 0
    current = conn.execute(select(reprint_links.c.original_id)
                           .where(reprint_links.c.copy_id == copy.id)).scalar_one_or_none()
    if current == original.id:
        conn.execute(update(reprint_links).where(reprint_links.c.copy_id == copy.id)
                     .values(similarity=score))
        return 0
    if current is not None:
        other = _members(conn, [current]).get(current)
        if other is not None and other.key() <= original.key():
            return 0
        conn.execute(update(reprint_links).where(reprint_links.c.copy_id == copy.id).values(
            original_id=original.id, similarity=score, method=METHOD, linked_at=now))
        return 1
    conn.execute(insert(reprint_links).values(copy_id=copy.id, original_id=original.id, similarity=score,
                                              method=METHOD, linked_at=now))
    return 1


def _link_of(conn: Connection, article_id: int) -> tuple[int | None, float | None]:
    row = conn.execute(select(reprint_links.c.original_id, reprint_links.c.similarity)
                       .where(reprint_links.c.copy_id == article_id)).first()
    return (row.original_id, row.similarity) if row else (None, None)


def link_dict(conn: Connection, url: str) -> dict[str, Any] | None:
    """The reprint link of the article at ``url``: its original's url, outlet, title, similarity."""
    copy = articles.alias("copy")
    query = (
        select(articles.c.url, articles.c.outlet, articles.c.title, articles.c.published_at,
               reprint_links.c.similarity, reprint_links.c.method, reprint_links.c.linked_at)
        .select_from(reprint_links.join(copy, copy.c.id == reprint_links.c.copy_id)
                     .join(articles, articles.c.id == reprint_links.c.original_id))
        .where(copy.c.url == url)
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return {"original_url": row["url"], "original_outlet": row["outlet"], "original_title": row["title"],
            "original_published_at": row["published_at"], "similarity": row["similarity"],
            "method": row["method"], "linked_at": row["linked_at"]}


def copies_of(conn: Connection, url: str) -> list[dict[str, Any]]:
    """The copies linked to the article at ``url`` as their original, by url."""
    original = articles.alias("original")
    query = (
        select(articles.c.url, articles.c.outlet, reprint_links.c.similarity)
        .select_from(reprint_links.join(original, original.c.id == reprint_links.c.original_id)
                     .join(articles, articles.c.id == reprint_links.c.copy_id))
        .where(original.c.url == url).order_by(articles.c.url)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
