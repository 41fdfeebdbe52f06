"""Ingest: read article files into typed paragraphs, and the text keys used to match them."""
from ingest.corpus import SUPPORTED_SUFFIXES, load_corpus, read_article
from ingest.decode import IngestError, decode_bytes
from ingest.models import Article, CorpusLoad, FileProblem, Paragraph, ParagraphKind
from ingest.parser import extract_wards, parse_article
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
    "SUPPORTED_SUFFIXES", "load_corpus", "read_article", "IngestError", "decode_bytes",
    "Article", "CorpusLoad", "FileProblem", "Paragraph", "ParagraphKind", "extract_wards",
    "parse_article", "canonical_tones", "fold_diacritics", "has_diacritics", "match_key", "nfc",
    "normalize_for_match", "split_sentences", "syllables",
]
