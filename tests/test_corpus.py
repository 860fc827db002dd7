"""The 79 real-world difficult PDFs of ../shared/corpora/pdfs, as a candidates folder: every file is
ranked or skipped with a reason, no exception escapes, and the run ends within a time bound."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.reading.documents import SkipReason
from matchstage.reading.readers.ocr import ocr_missing
from tests.factories import OFFER

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "pdfs"
TIME_BOUND_S = 120


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpora/pdfs is not beside the repository")
def test_corpus_run_accounts_for_every_file(tmp_path: Path) -> None:
    (tmp_path / "offre.txt").write_text(OFFER, encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["match", str(tmp_path / "offre.txt"), str(CORPUS), "--no-cache",
                                      "--format", "json", "--jobs", "2"])
    elapsed = time.monotonic() - started
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    ranked = [f for entry in data["offers"][0]["ranking"] for f in entry["files"]]
    skipped = [s["path"] for s in data["skipped"]]
    ignored = data["ignored"]
    every = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    assert sorted(ranked + skipped + ignored) == every  # each file exactly once
    assert ignored == ["MANIFEST.tsv"]
    for skip in data["skipped"]:
        assert SkipReason(skip["reason"])
        assert skip["message"].startswith(skip["path"] + ": ")
    counts = Counter(s["reason"] for s in data["skipped"])
    print(f"\ncorpus: {len(ranked)} ranked, skipped by reason {dict(sorted(counts.items()))}, {elapsed:.1f} s")
    assert {"encrypted", "scanned", "corrupt", "empty", "not-a-pdf", "too-large"} <= counts.keys()
    assert elapsed < TIME_BOUND_S


OCR = not ocr_missing()
# What each reading outcome should be, from MANIFEST.tsv; files left out have no single right answer
# (damaged files pypdf partly recovers, garbled CJK text, forms).
EXPECTED_READING = {
    **dict.fromkeys(["sf__libreoffice-writer-password.pdf", "pm__aes-256-r6.pdf", "pm__rc4-40.pdf",
                     "pm__aes-128-m.pdf", "pp__password-example.pdf", "pj__saslprep-r6.pdf", "pj__issue6010_2.pdf"],
                    "encrypted"),
    # Scans: read by OCR where tesseract (French) is installed; the largest pages may run out of time.
    **dict.fromkeys(["om__francais.pdf", "om__c02-22.pdf", "pm__pdf-with-jbig2.pdf"], "ocr" if OCR else "scanned"),
    **dict.fromkeys(["om__linn.pdf", "om__multipage.pdf"], {"ocr", "timeout"} if OCR else "scanned"),
    "sf__imagemagick-CCITTFaxDecode.pdf": "scanned",  # a 16-pixel fax image: OCR finds no text in it
    **dict.fromkeys(["pp__empty.pdf", "qp__empty.pdf", "pj__empty_protected.pdf"], "empty"),
    **dict.fromkeys(["qp__bad1.pdf", "qp__bookmarks-3.pdf", "qp__issue-335a.pdf"], "not-a-pdf"),
    **dict.fromkeys(["pj__freeculture.pdf", "pp__chelsea_pdta.pdf", "sf__GeoTopo-komprimiert.pdf"], "too-large"),
    **dict.fromkeys(["om__invalid.pdf", "pj__bug1020226.pdf", "pj__Pages-tree-refs.pdf", "pj__REDHAT-1531897-0.pdf",
                     "pj__PDFBOX-3148-2-fuzzed.pdf", "pj__poppler-85140-0.pdf", "pm__simple1.pdf",
                     "pm__issue-1113-evil-xobjects.pdf", "sf__unreadablemetadata.pdf"], "corrupt"),
    **dict.fromkeys(["pj__bomb_giant.pdf"], {"too-large", "timeout", "corrupt"}),
    **dict.fromkeys(["sf__minimal-document.pdf", "sf__002-trivial-libre-office-writer.pdf", "pj__french_diacritics.pdf",
                     "pj__copy_paste_ligatures.pdf", "pp__2023-06-20-PV.pdf", "pj__tracemonkey.pdf",
                     "pp__federal-register-2020-17221.pdf", "sf__google-doc-document.pdf", "pp__word365_structure.pdf",
                     "sf__crazyones-pdfa.pdf", "sf__multicolumn.pdf"],
                    "text"),
    **dict.fromkeys(["pj__issue12810.pdf", "pj__issue12295.pdf"], {"text", "timeout"}),
}
READ_TIMEOUT_S = 10.0
READ_BOUND_S = 150


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpora/pdfs is not beside the repository")
def test_read_many_over_the_corpus_gives_every_file_one_outcome_in_time() -> None:
    from matchstage.reading.documents import Document, ReadLimits
    from matchstage.reading.extraction import read_many

    paths = sorted(CORPUS.glob("*.pdf"))
    started = time.monotonic()
    results = list(read_many(paths, ReadLimits(timeout_s=READ_TIMEOUT_S), jobs=2))
    elapsed = time.monotonic() - started
    assert Counter(path for path, _ in results) == Counter(paths)
    outcome = {path.name: ("ocr" if r.ocr else "text") if isinstance(r, Document) else r.reason.value
               for path, r in results}
    counts = Counter(outcome.values())
    print(f"\nread_many over {len(paths)} PDFs: {dict(sorted(counts.items()))}, {elapsed:.1f} s")
    wrong = {name: (outcome[name], want) for name, want in EXPECTED_READING.items()
             if outcome[name] not in ({want} if isinstance(want, str) else want)}
    assert wrong == {}
    for path, result in results:
        if not isinstance(result, Document):
            assert result.message(path.name).startswith(f"{path.name}: ")
    assert elapsed < READ_BOUND_S
