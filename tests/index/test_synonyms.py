"""The domain thesaurus: a text with one phrase of a group stands for every phrase of it."""
from __future__ import annotations

from index.synonyms import Thesaurus
from index.lexical import syllable_terms


def test_a_phrase_brings_the_terms_of_its_equivalents():
    t = Thesaurus((("thu hút", "mời gọi"), ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất")))
    terms = t.equivalents("Phường chú trọng thu hút các dự án FDI.")
    assert set(syllable_terms("mời gọi")) <= terms
    assert not set(syllable_terms("sổ đỏ")) & terms
    assert set(syllable_terms("sổ đỏ")) <= t.equivalents("việc cấp giấy chứng nhận quyền sử dụng đất còn chậm")


def test_phrases_match_whole_syllables_with_or_without_tone_marks():
    t = Thesaurus((("thu hút", "mời gọi"),))
    assert t.equivalents("moi goi dau tu") == t.equivalents("mời gọi đầu tư") != frozenset()
    assert t.equivalents("thu hútt") == frozenset()          # not the syllable "hút"
    assert t.equivalents("") == frozenset()


def test_every_shipped_group_has_distinct_phrases():
    from index.synonyms import GROUPS

    for group in GROUPS:
        assert len(group) >= 2 and len(set(group)) == len(group), group


def test_the_expansion_names_only_the_equivalents_not_already_asked():
    t = Thesaurus((("thu hút", "mời gọi", "kêu gọi đầu tư"),))
    assert t.expansion("Phường mời gọi dự án nào?") == "thu hút kêu gọi đầu tư"
    assert t.expansion("thu nhập bình quân") == ""
