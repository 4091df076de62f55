"""Typo-forgiving procedure search for the portal.

The catalog selector (`catalog.selectors.procedure_search`) is the one search: every word
of the query must appear in `Procedure.search_key`, accents and case ignored. When it finds
nothing, the portal tries to forgive typos ("khai sinhh", "ho kinh doan"):

1. Spelling correction: each query word that is not a word of the catalog is replaced by
   its closest catalog words (difflib), and the selector runs again on the corrected
   query, with the same filters and ordering. The page says what it searched for.
2. Ranking by similarity: if no corrected query matches, procedures are ranked by how
   well their words resemble the query words (the mean of each query word's best difflib
   ratio), keeping those close to at least half of the query words with a mean of at
   least MIN_SCORE.

The vocabulary (distinct words → procedure ids) is built once and kept in memory; it is
rebuilt when the set of active procedures changes (count and highest id, one cheap query)
or after VOCAB_TTL seconds, so 5,000 procedures cost one read of their search keys.
"""

from __future__ import annotations

import difflib
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import LIST_VERSION_FIELDS, ProcedurePage, procedure_search
from motcua.core.text import fold

if TYPE_CHECKING:
    from motcua.catalog.selectors import ListedProcedure

VOCAB_TTL = 600
CUTOFF = 0.75  # difflib ratio below which a catalog word is not a plausible typo fix
LOOSE = 0.6  # the looser ratio used to rank by similarity
MIN_SCORE = 0.5  # mean ratio below which a procedure is not offered as similar
MAX_CANDIDATES = 3  # corrections tried per query word
MAX_QUERIES = 9  # corrected queries run through the selector at most
MAX_RANKED = 200  # similar procedures offered at most


@dataclass
class _Vocab:
    signature: tuple
    built: float
    words: list[str] = field(default_factory=list)
    index: dict[str, set[int]] = field(default_factory=dict)
    bigrams: dict[str, set[str]] = field(default_factory=dict)
    similar_memo: dict[str, list[tuple[float, str]]] = field(default_factory=dict)


_lock = threading.Lock()
_cache: _Vocab | None = None


def _signature() -> tuple:
    agg = Procedure.objects.filter(active=True).aggregate(n=Count("pk"), top=Max("pk"))
    return (agg["n"], agg["top"])


def vocabulary() -> _Vocab:
    global _cache
    sig = _signature()
    cached = _cache
    if cached and cached.signature == sig and time.monotonic() - cached.built < VOCAB_TTL:
        return cached
    index: dict[str, set[int]] = {}
    for pk, key in Procedure.objects.filter(active=True).values_list("pk", "search_key"):
        for word in set(key.split()):
            if len(word) > 1 and not word.isdigit():
                index.setdefault(word, set()).add(pk)
    bigrams: dict[str, set[str]] = {}
    for word in index:
        for gram in _grams(word):
            bigrams.setdefault(gram, set()).add(word)
    vocab = _Vocab(
        signature=sig, built=time.monotonic(), words=sorted(index), index=index, bigrams=bigrams
    )
    with _lock:
        _cache = vocab
    return vocab


def _grams(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


def similar(word: str, vocab: _Vocab) -> list[tuple[float, str]]:
    """Catalog words close to `word` as (difflib ratio, word), best first, memoized.

    Only words sharing a letter pair with `word` are compared, which keeps a query cheap
    on a catalog of thousands of distinct words."""
    found = vocab.similar_memo.get(word)
    if found is not None:
        return found
    pool: set[str] = set()
    for gram in _grams(word):
        pool |= vocab.bigrams.get(gram, set())
    found = []
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    for candidate in pool:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= LOOSE and matcher.quick_ratio() >= LOOSE:
            ratio = matcher.ratio()
            if ratio >= LOOSE:
                found.append((ratio, candidate))
    found.sort(key=lambda item: (-item[0], item[1]))
    found = found[:10]
    if len(vocab.similar_memo) < 10_000:
        vocab.similar_memo[word] = found
    return found


def vocabulary_clear() -> None:
    global _cache
    with _lock:
        _cache = None


@dataclass
class SearchResult:
    page: ProcedurePage
    corrected: str | None = None  # the query actually searched, when it differs
    fuzzy: bool = False  # ranked by similarity, no exact match


class _Filters(TypedDict):
    field: str | None
    level: str | None
    agency: str | None


def _close(word: str, vocab: _Vocab) -> list[str]:
    if word in vocab.index:
        return [word]
    return [w for ratio, w in similar(word, vocab) if ratio >= CUTOFF][:MAX_CANDIDATES]


def search(
    *,
    q: str = "",
    field: str | None = None,
    level: str | None = None,
    agency: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    filters: _Filters = {"field": field or None, "level": level or None, "agency": agency or None}
    page = procedure_search(q=q, limit=limit, offset=offset, **filters)
    words = fold(q).split()
    if page.count or not words:
        return SearchResult(page=page)
    vocab = vocabulary()
    options = [_close(w, vocab) or [w] for w in words]
    # 1. Corrected queries, most likely first (the product keeps difflib's order).
    tried = 0
    for combo in itertools.product(*options):
        if list(combo) == words or not _together(combo, vocab):
            continue
        tried += 1
        if tried > MAX_QUERIES:
            break
        corrected = " ".join(combo)
        page = procedure_search(q=corrected, limit=limit, offset=offset, **filters)
        if page.count:
            return SearchResult(page=page, corrected=corrected)
    # 2. Rank by similarity of words.
    ranked = _rank(words, vocab)
    if not ranked:
        return SearchResult(page=ProcedurePage(count=0, items=[]))
    ids = [pk for pk, _ in ranked[:MAX_RANKED]]
    if any(filters.values()):
        keep = set(_filtered(ids, filters).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in keep]
    chosen = ids[offset : offset + limit]
    by_pk = {p.pk: p for p in _load(chosen)}
    items = [by_pk[pk] for pk in chosen if pk in by_pk]
    return SearchResult(page=ProcedurePage(count=len(ids), items=items), fuzzy=True)


def _together(combo: tuple[str, ...], vocab: _Vocab) -> bool:
    """Some procedure has every word of the combination (checked in memory, so only
    promising corrections reach the database)."""
    sets = sorted((vocab.index.get(w, set()) for w in combo), key=len)
    if not sets[0]:
        return False
    common = set(sets[0])
    for other in sets[1:]:
        common &= other
        if not common:
            return False
    return True


def _rank(words: list[str], vocab: _Vocab) -> list[tuple[int, float]]:
    """(procedure id, score), best first: the score is the mean over the query words of the
    best difflib ratio of a word of the procedure (0 when none is close); procedures close
    to fewer than half the query words, or scoring under MIN_SCORE, are left out."""
    totals: dict[int, float] = {}
    hits: dict[int, int] = {}
    for word in words:
        best: dict[int, float] = {}
        for ratio, candidate in similar(word, vocab):
            for pk in vocab.index[candidate]:
                if ratio > best.get(pk, 0):
                    best[pk] = ratio
        for pk, ratio in best.items():
            totals[pk] = totals.get(pk, 0) + ratio
            hits[pk] = hits.get(pk, 0) + 1
    needed = (len(words) + 1) // 2
    ranked = [
        (pk, total / len(words))
        for pk, total in totals.items()
        if hits[pk] >= needed and total / len(words) >= MIN_SCORE
    ]
    return sorted(ranked, key=lambda item: (-item[1], item[0]))


def _filtered(ids: list[int], filters: _Filters) -> QuerySet[Procedure]:
    """The selector's field / level / agency filters, on the ranked ids."""
    qs = Procedure.objects.filter(pk__in=ids)
    if filters.get("field"):
        qs = qs.filter(field__code=filters["field"])
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    agency = filters.get("agency")
    if agency:
        by = (
            Q(agencies__agency_id=int(agency))
            if str(agency).isdigit()
            else Q(agencies__agency__code=agency)
        )
        qs = qs.filter(by)
    return qs


def _load(ids: list[int]) -> list[ListedProcedure]:
    day = timezone.localdate()
    current = ProcedureVersion.objects.filter(effective_from__lte=day).exclude(effective_to__lt=day)
    return list(
        Procedure.objects.filter(pk__in=ids)
        .select_related("field")
        .prefetch_related(
            Prefetch(
                "versions",
                # with their limits: the list offers online submission only with one
                queryset=current.only(*LIST_VERSION_FIELDS)
                .prefetch_related("time_limits")
                .order_by("-effective_from", "-number"),
                to_attr="current_versions",
            )
        )
    )
