"""Which files in a candidates folder are candidates' documents, and which are ignored.

A file directly in the folder is one candidate (its id is the file name); a subfolder is one candidate
(its id is the folder name) whose documents are read together. Anything else is listed as ignored,
never dropped silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from matchstage.reading.readers import CANDIDATE_SUFFIXES

# Files that operating systems and mail clients leave behind; ignored like any non-document.
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store", "icon\r"}


@dataclass(frozen=True)
class Candidate:
    id: str
    files: tuple[Path, ...]


@dataclass(frozen=True)
class CandidateFolder:
    root: Path
    candidates: tuple[Candidate, ...]
    ignored: tuple[Path, ...]

    def relative(self, path: Path) -> str:
        # The files were listed from the root, so their paths start with it: string slicing is enough (and,
        # for ten thousand files, much cheaper than relative_to).
        text, root = str(path), str(self.root) + os.sep
        if text.startswith(root):
            return text[len(root):].replace(os.sep, "/")
        return path.relative_to(self.root).as_posix()


def _is_candidate_document(path: Path) -> bool:
    return (
        path.is_file()
        and not path.name.startswith((".", "~$"))
        and path.name.lower() not in _SYSTEM_FILES
        and path.suffix.lower() in CANDIDATE_SUFFIXES
    )


def scan_candidates(root: Path) -> CandidateFolder:
    """List the candidates in ``root`` and the files that are not candidates' documents."""
    candidates: list[Candidate] = []
    ignored: list[Path] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if entry.is_dir():
            files = sorted((p for p in entry.rglob("*") if p.is_file()), key=lambda p: str(p).lower())
            documents = tuple(p for p in files if _is_candidate_document(p) and not _hidden_below(p, entry))
            ignored.extend(p for p in files if p not in documents)
            if documents:
                candidates.append(Candidate(entry.name, documents))
        elif _is_candidate_document(entry):
            candidates.append(Candidate(entry.name, (entry,)))
        elif entry.is_file() or entry.is_symlink():
            ignored.append(entry)
    return CandidateFolder(root, tuple(candidates), tuple(ignored))


def _hidden_below(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)
