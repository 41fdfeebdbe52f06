"""Incremental updates: ``add_files`` / ``remove_articles`` change the corpus folder and the
index together, embed only new text, report every file, and never lose or duplicate articles.

Each test works on a copy of the seed corpus and of the session's seed index (so only the new
articles' text is embedded)."""
from __future__ import annotations

import shutil
import threading
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from index.build import corpus_fingerprint, current_generation, read_manifest, staleness
from index.hybrid import HybridIndex
from index.update import add_files, check_article_id, remove_articles
from ingest.corpus import load_corpus
from ingest.models import Article
from tests.ingest.documents import HTML_PAGE, make_docx, make_pdf
from tests.ingest.test_decode import cp1258

from .test_build import DONG_SON, NEW_ARTICLE, NEW_ID, NEW_QUESTION, THANH_MIEU, copy_corpus, copy_index

SEED_QUESTION = "Thu nhập bình quân của phường Đông Sơn đến năm 2030?"


class RememberingEmbedder:
    """The real embedder, remembering the passages it embedded: several tests add the same new
    articles to fresh copies of the seed index, and the model need not see them twice. The
    build's own cache (what ``report.build.embedded`` counts) is not affected."""

    def __init__(self, embedder):
        self._inner = embedder
        self.model_id = embedder.model_id
        self.dimension = embedder.dimension
        self._seen: dict[str, np.ndarray] = {}

    def embed_queries(self, texts):
        return self._inner.embed_queries(texts)

    def embed_passages(self, texts, show_progress: bool = False):
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._inner.embed_passages(missing, show_progress=show_progress)))
        return np.stack([self._seen[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)


@pytest.fixture(scope="module")
def model(embedder):
    return RememberingEmbedder(embedder)


@pytest.fixture()
def env(seeds_index, seeds_dir, tmp_path):
    corpus = copy_corpus(seeds_dir, tmp_path / "corpus")
    index_dir = copy_index(seeds_index, tmp_path / "index")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return corpus, index_dir, incoming


def new_file(folder: Path, name: str = f"{NEW_ID}.txt", text: str = NEW_ARTICLE) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def as_full_rebuild(corpus: Path) -> dict[str, Article]:
    """What a full rebuild of the folder would serve."""
    return {a.article_id: a for a in load_corpus(corpus).articles}


def test_adding_one_article_embeds_only_its_text_and_it_is_found(env, model, seeds_index):
    corpus, index_dir, incoming = env
    report = add_files(corpus, index_dir, model, [new_file(incoming)])

    [outcome] = report.outcomes
    assert (outcome.status, outcome.article_id) == ("added", NEW_ID)
    assert NEW_ID in outcome.message and str(incoming / f"{NEW_ID}.txt") in outcome.message
    assert report.ok and report.build is not None
    assert report.build.embedded == 3 + 6  # three paragraphs, six sentences: nothing else
    assert report.build.reused == len(seeds_index.paragraphs) + len(seeds_index.sentences)
    assert (corpus / f"{NEW_ID}.txt").read_text(encoding="utf-8") == NEW_ARTICLE
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]  # no temporary left

    index = HybridIndex.load(index_dir, model)
    assert index.articles == as_full_rebuild(corpus)  # the same as rebuilding from the folder
    assert staleness(index_dir, corpus, model.model_id) is None
    top = index.search(NEW_QUESTION, k=1)[0]
    assert top.paragraph.article_id == NEW_ID and "3,2 tỷ đồng" in top.paragraph.text
    assert index.search(SEED_QUESTION, k=1)[0].paragraph.article_id == DONG_SON

    again = add_files(corpus, index_dir, model, [new_file(incoming)])
    assert [o.status for o in again.outcomes] == ["unchanged"] and again.build is None
    assert current_generation(index_dir) == index.generation


def test_same_id_new_content_replaces_the_article(env, model):
    corpus, index_dir, incoming = env
    add_files(corpus, index_dir, model, [new_file(incoming)])
    changed = NEW_ARTICLE.replace("3,2 tỷ đồng", "3,5 tỷ đồng")
    report = add_files(corpus, index_dir, model, [new_file(incoming, text=changed)])
    assert [o.status for o in report.outcomes] == ["updated"]
    index = HybridIndex.load(index_dir, model)
    assert len(index.articles) == 6
    texts = " ".join(p.text for p in index.articles[NEW_ID].paragraphs)
    assert "3,5 tỷ đồng" in texts and "3,2 tỷ đồng" not in texts
    assert report.build.embedded == 1 + 1  # the changed paragraph and its sentence

    # the same id in another format replaces the file too: no "a.txt" beside "a.docx"
    docx_path = incoming / f"{NEW_ID}.docx"
    docx_path.write_bytes(make_docx())
    swapped = add_files(corpus, index_dir, model, [docx_path])
    assert [o.status for o in swapped.outcomes] == ["updated"]
    assert sorted(p.name for p in corpus.glob(f"{NEW_ID}.*")) == [f"{NEW_ID}.docx"]
    assert HybridIndex.load(index_dir, model).articles == as_full_rebuild(corpus)


def test_bad_files_are_reported_every_good_file_is_added_nothing_is_lost(env, model, seeds_dir):
    corpus, index_dir, incoming = env
    before = HybridIndex.load(index_dir, model)
    files = {
        "rong.txt": b"",
        "anh.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "cut.pdf": make_pdf()[:700],
        "copy.txt": (seeds_dir / f"{THANH_MIEU}.txt").read_bytes(),  # a seed under another name
        "w1258.txt": cp1258(NEW_ARTICLE),
        "tin.html": HTML_PAGE.encode("utf-8"),
        "nq.docx": make_docx(),
        "bc.pdf": make_pdf(),
        "ten co dau cach.txt": b"Tieu de\n\nNoi dung.",
    }
    paths = []
    for name, data in files.items():
        (incoming / name).write_bytes(data)
        paths.append(incoming / name)
    with open(incoming / "lon.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    paths.append(incoming / "lon.txt")

    report = add_files(corpus, index_dir, model, paths, max_bytes=10 * 1024 * 1024)

    status = {Path(o.path).name: o.status for o in report.outcomes}
    assert status == {"rong.txt": "rejected", "anh.txt": "rejected", "cut.pdf": "rejected",
                      "copy.txt": "rejected", "w1258.txt": "added", "tin.html": "added",
                      "nq.docx": "added", "bc.pdf": "added", "ten co dau cach.txt": "rejected",
                      "lon.txt": "rejected"}
    message = {Path(o.path).name: o.message for o in report.outcomes}
    for name, text in message.items():
        assert name in text
    assert "trống" in message["rong.txt"] and "PNG" in message["anh.txt"]
    assert "cắt cụt" in message["cut.pdf"] and "quá lớn" in message["lon.txt"]
    assert THANH_MIEU in message["copy.txt"]  # names the article it repeats
    assert "Windows-1258" in message["w1258.txt"]
    assert "khoảng trắng" in message["ten co dau cach.txt"]
    assert not report.ok

    index = HybridIndex.load(index_dir, model)
    assert set(index.articles) == set(before.articles) | {"w1258", "tin", "nq", "bc"}
    for aid, article in before.articles.items():  # nothing already indexed lost or changed
        assert index.articles[aid].content_hash == article.content_hash
    assert index.articles == as_full_rebuild(corpus)
    assert sorted(p.name for p in corpus.iterdir()) == sorted(
        [p.name for p in seeds_dir.glob("*.txt")] + ["w1258.txt", "tin.html", "nq.docx", "bc.pdf"])
    assert index.articles["bc"].paragraphs[-2].page == 2
    assert index.search("Phường Quang Trung thu ngân sách năm 2025 đạt bao nhiêu?", k=3)[0].paragraph.article_id \
        in {"bc", "nq"}


def test_a_duplicate_alone_changes_nothing(env, model, seeds_dir):
    corpus, index_dir, incoming = env
    gen = current_generation(index_dir)
    dup = incoming / "ban-sao.txt"
    shutil.copy(seeds_dir / f"{DONG_SON}.txt", dup)
    report = add_files(corpus, index_dir, model, [dup])
    assert [o.status for o in report.outcomes] == ["rejected"] and report.build is None
    assert DONG_SON in report.outcomes[0].message
    assert current_generation(index_dir) == gen and not (corpus / "ban-sao.txt").exists()


@pytest.mark.parametrize("bad", ["", "../x", "a/b", "a\\b", ".an", "a..b", "có dấu cách", "x" * 121])
def test_unsafe_ids_are_refused(bad):
    assert check_article_id(bad)


@pytest.mark.parametrize("good", ["004_bbba2ad5a4ca9edc", "nghi-quyet.12", "bài_viết-mới"])
def test_safe_ids_pass(good):
    assert check_article_id(good) is None


def test_removing_articles(env, model):
    corpus, index_dir, incoming = env
    add_files(corpus, index_dir, model, [new_file(incoming)])
    report = remove_articles(corpus, index_dir, model, [NEW_ID, THANH_MIEU, "../seeds", "khong-co", NEW_ID])
    assert [(o.path, o.status) for o in report.outcomes] == [
        (NEW_ID, "removed"), (THANH_MIEU, "removed"), ("../seeds", "rejected"), ("khong-co", "rejected"),
        (NEW_ID, "rejected")]
    assert report.build is not None and report.build.embedded == 0 and report.build.articles == 4
    assert not (corpus / f"{NEW_ID}.txt").exists() and not (corpus / f"{THANH_MIEU}.txt").exists()
    index = HybridIndex.load(index_dir, model)
    assert set(index.articles) == set(as_full_rebuild(corpus)) and len(index.articles) == 4
    assert all(p.article_id not in (NEW_ID, THANH_MIEU) for p in index.paragraphs)

    nothing = remove_articles(corpus, index_dir, model, ["khong-co"])
    assert nothing.build is None and not nothing.ok


def test_a_corpus_ahead_of_the_index_is_caught_up(env, model):
    """A crash after the file was copied, before the swap: the next update reads the folder."""
    corpus, index_dir, incoming = env
    shutil.copy(new_file(incoming), corpus / f"{NEW_ID}.txt")
    assert staleness(index_dir, corpus, model.model_id)
    report = add_files(corpus, index_dir, model, [incoming / f"{NEW_ID}.txt"])
    assert [o.status for o in report.outcomes] == ["added"]  # new to the index
    assert report.build is not None
    assert read_manifest(index_dir)["corpus_hash"] == corpus_fingerprint(corpus)
    assert NEW_ID in HybridIndex.load(index_dir, model).articles


def test_concurrent_updates_are_serialised_and_none_is_lost(env, model):
    corpus, index_dir, incoming = env
    first = new_file(incoming)
    second = new_file(incoming, "901_tan_lap_2.txt", NEW_ARTICLE.replace("Tân Lập", "Tân Hưng"))
    reports = []
    threads = [threading.Thread(target=lambda p=p: reports.append(add_files(corpus, index_dir, model, [p])))
               for p in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.outcomes[0].status for r in reports) == ["added", "added"]
    index = HybridIndex.load(index_dir, model)
    assert {NEW_ID, "901_tan_lap_2"} <= set(index.articles) and len(index.articles) == 7
    assert len(list(index_dir.glob("gen-*"))) == 1


def test_open_index_fills_the_managed_corpus_from_the_seeds(seeds_index, seeds_dir, model, tmp_path):
    """A fresh clone: no HOIDAP_CORPUS_DIR, so the corpus is data_dir/corpus, copied from seeds/
    on first use; the copy has the seeds' names and bytes, so a seed index stays up to date."""
    from index.service import open_index
    from settings import Settings

    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    assert settings.corpus_dir == tmp_path / "data" / "corpus" and settings.corpus_seed_dir == seeds_dir
    assert Settings(corpus_dir=seeds_dir).corpus_seed_dir is None  # a named folder is never filled
    copy_index(seeds_index, settings.index_dir)
    index = open_index(settings.corpus_dir, settings.index_dir, model, seed_dir=settings.corpus_seed_dir,
                       show_progress=False)
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == sorted(p.name for p in seeds_dir.iterdir())
    assert index.generation.name == seeds_index.generation.name  # not rebuilt
    assert not [p for p in settings.corpus_dir.parent.iterdir() if p.name.startswith(".")]  # no temp left
    # from now on it is its own folder: changing it leaves the shipped seeds alone
    report = add_files(settings.corpus_dir, settings.index_dir, model, [new_file(tmp_path)])
    assert report.outcomes[0].status == "added" and not (seeds_dir / f"{NEW_ID}.txt").exists()


def test_a_file_name_with_decomposed_letters_becomes_an_nfc_id(env, model):
    corpus, index_dir, incoming = env
    nfd_name = unicodedata.normalize("NFD", "bài-mới.txt")
    path = new_file(incoming, nfd_name, " date 2025-12-01 Tin ngắn\n\nPhường Hàm Rồng trồng 300 cây xanh.\n")
    report = add_files(corpus, index_dir, model, [path])
    assert [(o.status, o.article_id) for o in report.outcomes] == [("added", "bài-mới")]
    assert [p.name for p in corpus.glob("b*")] == ["bài-mới.txt"]
    index = HybridIndex.load(index_dir, model)
    assert index.articles["bài-mới"].paragraphs[0].article_id == "bài-mới"
    assert index.articles == as_full_rebuild(corpus)
