"""Ingest: read article files into typed paragraphs, and the text keys used to match them."""
from ingest.corpus import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    Document,
    ensure_corpus,
    load_corpus,
    read_article,
    read_document,
)
from ingest.decode import IngestError, decode_bytes
from ingest.models import Article, CorpusLoad, FileProblem, Paragraph, ParagraphKind
from ingest.parser import article_from_blocks, extract_wards, parse_article
from ingest.text import (
    canonical_tones,
    fold_diacritics,
    has_diacritics,
    match_key,
    nfc,
    normalize_for_match,
    split_sentences,
    syllables,
)

__all__ = [
    "DEFAULT_MAX_BYTES", "SUPPORTED_SUFFIXES", "Document", "ensure_corpus", "load_corpus",
    "read_article", "read_document", "IngestError", "decode_bytes", "article_from_blocks",
    "Article", "CorpusLoad", "FileProblem", "Paragraph", "ParagraphKind", "extract_wards",
    "parse_article", "canonical_tones", "fold_diacritics", "has_diacritics", "match_key", "nfc",
    "normalize_for_match", "split_sentences", "syllables",
]
