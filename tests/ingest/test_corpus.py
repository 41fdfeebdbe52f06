"""Loading a folder: the seeds load, every bad file is one problem naming it, none blocks others."""
from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from ingest.corpus import SUPPORTED_SUFFIXES, load_corpus, read_article
from ingest.decode import IngestError
from ingest.models import ParagraphKind

from .test_decode import cp1258

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_the_seed_folder_loads_cleanly():
    loaded = load_corpus(SEEDS)
    assert [a.article_id for a in loaded.articles] == SEED_IDS
    assert loaded.problems == []
    assert sum(len(a.paragraphs) for a in loaded.articles) == 10 + 8 + 29 + 16 + 7


def test_read_article_uses_the_stem_and_the_path(tmp_path):
    path = tmp_path / "bai.md"
    path.write_bytes(codecs.BOM_UTF8 + (SEEDS / f"{SEED_IDS[4]}.txt").read_bytes().replace(b"\n", b"\r\n"))
    a = read_article(path)
    assert a.article_id == "bai" and a.source == str(path)
    assert a.byline == "Thu Hương (CTV)"
    assert all(a.text[p.start:p.end] == p.text for p in a.paragraphs)
    assert "\r" not in a.text


@pytest.fixture()
def messy_folder(tmp_path: Path) -> tuple[Path, set[str]]:
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, tmp_path / seed.name)
    sample = (SEEDS / f"{SEED_IDS[4]}.txt").read_text(encoding="utf-8")
    bad = {
        "empty.txt": b"",
        "blank.md": b"  \n\n\t\n",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "legacy.txt": b"Ph\xf6\xf4\xf8ng \xd1o\xe2ng S\xf4n t\xf4\xfb ch\xf6\xf9c \xd1a\xefi h\xf4\xefi\n" * 9,  # VNI
        "latin1.txt": "Thông báo: café déjà vu".encode("latin-1"),
        "title_only.txt": " date 2025-11-17 Chỉ có tiêu đề\n\n".encode("utf-8"),
        "report.pdf": b"%PDF-1.7\n",  # cut short
        "notes.docx": b"PK\x03\x04 not really a Word file",
        "big.txt": b"x" * 150_000,
        "README": b"notes",
        "zz_copy.md": sample.encode("utf-8"),  # same content as a seed under another name
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / ".hidden.txt").write_bytes(b"\x00\x01")
    (tmp_path / "subdir").mkdir()
    (tmp_path / "subdir" / "inner.txt").write_bytes(b"")
    (tmp_path / "utf16.TXT").write_bytes(sample.replace("Đông Sơn", "Quang Trung").encode("utf-16"))
    (tmp_path / "w1258.txt").write_bytes(cp1258(sample.replace("Đông Sơn", "Hàm Rồng")))
    return tmp_path, set(bad)


def test_bad_files_never_stop_the_good_ones(messy_folder):
    folder, bad_files = messy_folder
    loaded = load_corpus(folder, max_bytes=100_000)
    assert [a.article_id for a in loaded.articles] == SEED_IDS + ["utf16", "w1258"]
    by_file = {}
    for problem in loaded.problems:
        name = Path(problem.path).name
        assert name not in by_file, f"two problems for {name}"
        assert name in problem.message
        by_file[name] = problem.message
    assert set(by_file) == bad_files
    assert "trống" in by_file["empty.txt"] and "trống" in by_file["blank.md"]
    assert "PNG" in by_file["image.txt"]
    assert "TCVN3" in by_file["legacy.txt"] and "UTF-8" in by_file["latin1.txt"]
    assert "cắt cụt" in by_file["report.pdf"]
    assert ".docx" in by_file["notes.docx"]
    assert "quá lớn" in by_file["big.txt"] and "146 KB" in by_file["big.txt"]
    assert "không có đoạn nội dung nào" in by_file["title_only.txt"]
    assert "không được hỗ trợ" in by_file["README"]
    assert SEED_IDS[4] in by_file["zz_copy.md"]
    assert [p.path for p in loaded.problems] == sorted(p.path for p in loaded.problems)
    # read, but worth a word in the report
    assert [(Path(n.path).name, "Windows-1258" in n.message) for n in loaded.notices] == [("w1258.txt", True)]
    w1258 = next(a for a in loaded.articles if a.article_id == "w1258")
    assert w1258.wards == ("phường Hàm Rồng",)


def test_utf16_article_parses_like_the_seed(messy_folder):
    folder, _ = messy_folder
    article = next(a for a in load_corpus(folder).articles if a.article_id == "utf16")
    assert article.wards == ("phường Quang Trung",)
    assert article.paragraphs[-1].kind is ParagraphKind.BYLINE


def test_same_stem_twice_is_one_problem(tmp_path):
    seed = SEEDS / f"{SEED_IDS[0]}.txt"
    shutil.copy(seed, tmp_path / "bai.md")
    (tmp_path / "bai.txt").write_text(seed.read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    loaded = load_corpus(tmp_path)
    assert [a.source for a in loaded.articles] == [str(tmp_path / "bai.md")]
    assert len(loaded.problems) == 1 and "bai.txt" in loaded.problems[0].message


def test_missing_folder_and_file_instead_of_folder(tmp_path):
    with pytest.raises(IngestError) as info:
        load_corpus(tmp_path / "khong-co")
    assert "khong-co" in info.value.message
    with pytest.raises(IngestError):
        load_corpus(SEEDS / f"{SEED_IDS[0]}.txt")
    with pytest.raises(IngestError):
        read_article(tmp_path)
    with pytest.raises(IngestError):
        read_article(tmp_path / "khong-co.txt")


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
