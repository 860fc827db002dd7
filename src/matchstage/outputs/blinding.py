"""Blind review: the same result with every candidate shown as a pseudonym (``Candidate 07``, ``Candidat·e 07``).

Blinding is presentation only. It takes a finished :class:`MatchResult` and returns another one in which
candidate ids, file and folder names are pseudonyms and labels, and the CV's own words quoted in
explanations and messages lose names, e-mails, phones, addresses, birth dates, ages and photo captions.
Scores are untouched. Every renderer (table, CSV, JSON, and any later one) draws from the blinded result,
so nothing has to be blinded twice.

Pseudonyms are stable. Each candidates folder has a register in the user's data directory (readable by its
owner only) that holds a random secret and, for each candidate ever seen there, the number it was given,
filed under a keyed hash (HMAC-SHA256) of its id rather than the id itself. A candidate keeps its number
on every later run of the same folder, and a new candidate takes the next free number, so adding a CV
renumbers no one. Numbers are drawn in the order of the keyed hashes, not alphabetically: someone holding
the list of applicants cannot line it up with the numbers, and without the secret cannot test a name
against a pseudonym either (a plain hash of a name could be). The mapping back to files is written only
to the key file the user asks for.
"""

from __future__ import annotations

import csv
import dataclasses
import fcntl
import functools
import hashlib
import hmac
import io
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from matchstage.analysis.lemmas import fold
from matchstage.analysis.personal import name_words, strip_personal
from matchstage.analysis.taxonomy import Facet
from matchstage.i18n import N_, _
from matchstage.outputs.report import safe_cell, write_atomically
from matchstage.ranking.results import Duplicate, Flag, MatchResult, OfferResult, Ranked, Skipped
from matchstage.ranking.scoring import FacetScore, Score

# What stands in the place of a removed detail in quoted text.
MASK = "[…]"
KEY_HEADER = (N_("pseudonym"), N_("label"), N_("candidate"), N_("file"))
_REGISTER_FORMAT = 1
_WORD = re.compile(r"[^\W\d_]+")


def default_register_dir() -> Path:
    """``$XDG_DATA_HOME/matchstage/pseudonyms`` (``~/.local/share/...``): kept apart from the cache, which
    ``matchstage cache clear`` empties, because pseudonyms must outlive it."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "matchstage" / "pseudonyms"


def pseudonym(number: int) -> str:
    """``Candidate 07`` in English, ``Candidat·e 07`` in French (inclusive writing, as the French samples)."""
    return _("Candidate {number:02d}").format(number=number)


@dataclass(frozen=True)
class Pseudonyms:
    """The numbers of one folder's candidates, and the secret that orders whatever else must not be
    listed alphabetically."""

    numbers: Mapping[str, int]
    secret: bytes

    def digest(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def of(self, candidate_id: str) -> str:
        return pseudonym(self.numbers[candidate_id])


class PseudonymRegister:
    """Where a folder's pseudonym numbers are kept between runs (``path``), or nowhere (``path=None``:
    numbers are drawn afresh, in random order, on every call)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    @classmethod
    def for_folder(cls, candidates_dir: Path, directory: Path | None = None) -> PseudonymRegister:
        """The register of ``candidates_dir``, named by a hash of its absolute path (so that the register's
        file name does not carry the folder's name either)."""
        name = hashlib.sha256(str(candidates_dir.resolve()).encode("utf-8")).hexdigest()[:24]
        return cls((directory or default_register_dir()) / f"{name}.json")

    def assign(self, candidate_ids: Iterable[str]) -> Pseudonyms:
        """Numbers for ``candidate_ids``: the registered one for each known candidate, the next free ones
        for newcomers (in the order of their keyed hashes); the register is updated on disk."""
        ids = sorted(set(candidate_ids))
        if self.path is None:
            return _extend(secrets.token_bytes(32), {}, ids)[0]
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = os.open(self.path.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two runs on one folder must not draw the same number
            secret, known = self._load()
            result, updated = _extend(secret, known, ids)
            if updated != known or not self.path.exists():
                data = {"format": _REGISTER_FORMAT, "secret": secret.hex(), "numbers": updated}
                write_atomically(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n", mode=0o600)
            return result
        finally:
            os.close(lock)

    def _load(self) -> tuple[bytes, dict[str, int]]:
        assert self.path is not None
        if not self.path.exists():
            return secrets.token_bytes(32), {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return bytes.fromhex(data["secret"]), {str(k): int(v) for k, v in data["numbers"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BlindingError(_("{path}: the pseudonym register is damaged ({error}); delete it to draw new "
                                  "pseudonyms").format(path=self.path, error=exc)) from None


class BlindingError(Exception):
    """Blinding cannot go on (a damaged register)."""


def _extend(secret: bytes, known: dict[str, int], ids: Sequence[str]) -> tuple[Pseudonyms, dict[str, int]]:
    def digest(candidate_id: str) -> str:
        return hmac.new(secret, candidate_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    updated = dict(known)
    following = max(updated.values(), default=0) + 1
    for candidate_id in sorted((i for i in ids if digest(i) not in updated), key=digest):
        updated[digest(candidate_id)] = following
        following += 1
    return Pseudonyms({i: updated[digest(i)] for i in ids}, secret), updated


@dataclass(frozen=True)
class KeyEntry:
    """One line of the key: which candidate and file a label of the blinded outputs stands for."""

    pseudonym: str
    label: str
    candidate: str
    file: str


@dataclass(frozen=True)
class Blinded:
    result: MatchResult
    key: tuple[KeyEntry, ...]


def owner(path: str) -> str:
    """The candidate a file of the candidates folder belongs to: the file itself, or its top folder."""
    return path.split("/", 1)[0]


def candidate_ids(result: MatchResult) -> set[str]:
    """Every candidate a result mentions, ranked or not (a candidate whose files were all skipped too)."""
    ids = {r.candidate for o in result.offers for r in o.ranking}
    ids |= {owner(s.path) for s in result.skipped}
    ids |= {owner(d.path) for d in result.duplicates} | {owner(f.path) for f in result.flags}
    return ids


class Redactor:
    """Takes personal details out of quoted text and messages: the patterns of :func:`strip_personal`,
    the name words of the candidate concerned in any case, and other candidates' name words when written
    with a capital, as names are (a lower-case «ingénieur» stays although a file is named
    ``CV_..._ingenieur.pdf``)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.names = {i: name_words(i, []) for i in ids}
        self.everyone = set().union(*self.names.values()) if self.names else set()

    def __call__(self, text: str, candidate: str | None = None) -> str:
        own = self.names.get(candidate, set()) if candidate is not None else set()
        clean, _removed = strip_personal(text, mask=MASK)

        def word(match: re.Match[str]) -> str:
            found = match.group(0)
            folded = fold(found)
            if folded in own or (found[0].isupper() and folded in self.everyone):
                return MASK
            return found

        clean = _WORD.sub(word, clean)
        return re.sub(rf"(?:{re.escape(MASK)}\s*)+(?={re.escape(MASK)})", "", " ".join(clean.split())) or MASK


def blind(result: MatchResult, pseudonyms: Pseudonyms) -> Blinded:
    """``result`` with pseudonyms and labels in place of candidates and files, and the key to them."""
    redact = Redactor(pseudonyms.numbers)
    files: dict[str, set[str]] = {cid: set() for cid in pseudonyms.numbers}
    for offer in result.offers:
        for entry in offer.ranking:
            files[entry.candidate].update(entry.files)
    for path in [s.path for s in result.skipped] + [d.path for d in result.duplicates]:
        files[owner(path)].add(path)

    # Real names -> what the outputs show: a folder's name becomes its candidate's pseudonym, a file's
    # path (which is also the id of a candidate made of one file) its document label.
    labels: dict[str, str] = {cid: pseudonyms.of(cid) for cid in files}
    order: dict[str, tuple[int, int]] = {}
    key: list[KeyEntry] = []
    for cid in sorted(files, key=lambda c: pseudonyms.numbers[c]):
        name = pseudonyms.of(cid)
        for index, path in enumerate(sorted(files[cid], key=str.lower), start=1):
            label = _("{pseudonym}, document {number} ({suffix})").format(
                pseudonym=name, number=index, suffix=PurePosixPath(path).suffix.lower() or "-")
            labels[path] = label
            order[label] = (pseudonyms.numbers[cid], index)
            key.append(KeyEntry(name, label, cid, path))
    ignored = []
    for index, path in enumerate(sorted(result.ignored, key=pseudonyms.digest), start=1):
        label = _("ignored file {number} ({suffix})").format(number=index,
                                                             suffix=PurePosixPath(path).suffix.lower() or "-")
        labels[path] = label
        ignored.append(label)
        key.append(KeyEntry("", label, "", path))

    replace = _replacer(labels)

    def message(text: str, path: str) -> str:
        return redact(replace(text), owner(path))

    def by_label(label: str) -> tuple[int, int, str]:
        return (*order.get(label, (0, 0)), label)

    skipped = sorted((Skipped(labels[s.path], s.reason, message(s.message, s.path)) for s in result.skipped),
                     key=lambda s: by_label(s.path))
    duplicates = sorted((Duplicate(labels[d.path], labels.get(d.same_as, redact(replace(d.same_as))))
                         for d in result.duplicates), key=lambda d: by_label(d.path))
    flags = sorted((Flag(labels[f.path], f.code, message(f.message, f.path)) for f in result.flags),
                   key=lambda f: (by_label(f.path), f.code))
    offers = tuple(OfferResult(o.offer, _blind_ranking(o.ranking, labels, pseudonyms, redact)) for o in result.offers)
    blinded = dataclasses.replace(result, offers=offers, skipped=tuple(skipped), ignored=tuple(ignored),
                                  duplicates=tuple(duplicates), flags=tuple(flags), blind=True)
    return Blinded(blinded, tuple(key))


def blind_run(result: MatchResult, candidates_dir: Path, register_dir: Path | None = None) -> Blinded:
    """Blind ``result`` with the pseudonyms registered for ``candidates_dir`` (drawing new ones as needed)."""
    register = PseudonymRegister.for_folder(candidates_dir, register_dir)
    return blind(result, register.assign(candidate_ids(result)))


def _replacer(labels: Mapping[str, str]) -> Callable[[str], str]:
    """Replace every real path or candidate id standing as a whole in a text by its label, longest first."""
    if not labels:
        return lambda text: text
    names = "|".join(re.escape(name) for name in sorted(labels, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{names})(?!\w)")
    return lambda text: pattern.sub(lambda m: labels[m.group(0)], text)


def _blind_ranking(ranking: Sequence[Ranked], labels: Mapping[str, str], pseudonyms: Pseudonyms,
                   redact: Redactor) -> tuple[Ranked, ...]:
    # Candidates with equal scores were ordered by id, that is alphabetically by name: they are put in the
    # order of their pseudonyms instead, so that the order of a tie tells nothing.
    entries = sorted(ranking, key=lambda r: (-r.score.score, pseudonyms.numbers[r.candidate]))
    return tuple(
        Ranked(position, pseudonyms.of(r.candidate), tuple(labels[f] for f in r.files),
               _blind_score(r.score, functools.partial(redact, candidate=r.candidate)))
        for position, r in enumerate(entries, start=1)
    )


def _blind_score(score: Score, redact: Callable[[str], str]) -> Score:
    """The same score whose explanations, worked out when first read, quote the CV without personal details."""

    def explain() -> Mapping[Facet, FacetScore]:
        return {
            facet: dataclasses.replace(
                fs, matched=tuple(dataclasses.replace(m, words=redact(m.words)) if m.words else m for m in fs.matched))
            for facet, fs in score.facets.items()
        }

    return dataclasses.replace(score, explain=explain)


def key_csv(key: Sequence[KeyEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_(column) for column in KEY_HEADER])
    for entry in key:
        writer.writerow([safe_cell(v) for v in (entry.pseudonym, entry.label, entry.candidate, entry.file)])
    return buffer.getvalue()


def write_key(key: Sequence[KeyEntry], path: Path) -> None:
    """The pseudonym-to-file key as CSV (UTF-8 with BOM), written atomically and readable by its owner only."""
    write_atomically(path, key_csv(key), bom=True, mode=0o600)
