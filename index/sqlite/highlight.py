"""Snippets for matches FTS5's snippet() cannot mark: inflections and designations.

The stems and designation keys live in shadow columns, so when a document matched through them
the words to mark are found here: each word of the text is compared (folded) with the query's
exact words, prefixes and fuzzy expansions, and (stemmed in the document's language) with the
query words' stems. The snippet is the window of SNIPPET_WORDS words around the first match,
escaped, with <mark> around the matching words.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from index.analysis import WORD, designation_key, fold, stem, stem_language, words
from index.query import Near, Query, Term
from index.snippets import ELLIPSIS, SNIPPET_WORDS, leading_snippet, strip_sentinels

_BEFORE = 8  # words of context shown before the first match


class Highlighter:
    def __init__(self, query: Query, fuzzy_words: Callable[[Term], list[str]]) -> None:
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        self.stemmable: set[str] = set()
        self.designations: set[str] = set()
        for node in query.text_nodes():
            if isinstance(node, Near):
                for word in node.words:
                    self._add_word(word, stemmed=True)
            elif node.mode == "prefix":
                self.prefixes.append(fold(node.text))
            elif node.mode == "fuzzy":
                self.exact.update(fold(word) for word in fuzzy_words(node))
            else:
                self._add_word(node.text, stemmed=node.mode == "word")
                key = designation_key(node.text) if node.mode == "word" else None
                if key:
                    self.designations.add(key)

    def _add_word(self, text: str, stemmed: bool) -> None:
        for word in words(text):
            self.exact.add(fold(word))
            if stemmed:
                self.stemmable.add(word)

    def snippet(self, text: str, language: str) -> str:
        text = strip_sentinels(text)
        code = stem_language(language)
        stems = {stem(word, code) for word in self.stemmable} if code else set()
        spans = [match.span() for match in WORD.finditer(text)]
        marked = [self._matches(text[start:end], code, stems) for start, end in spans]
        marked = self._mark_designations(text, spans, marked)
        if not any(marked):
            return leading_snippet(text)
        first = marked.index(True)
        begin = max(0, first - _BEFORE)
        end = min(len(spans), begin + SNIPPET_WORDS)
        parts: list[str] = [ELLIPSIS] if begin else []
        position = spans[begin][0]
        for index in range(begin, end):
            start, stop = spans[index]
            parts.append(html.escape(text[position:start], quote=True))
            word = html.escape(text[start:stop], quote=True)
            parts.append(f"<mark>{word}</mark>" if marked[index] else word)
            position = stop
        if end < len(spans):
            parts.append(ELLIPSIS)
        else:
            parts.append(html.escape(text[position:].rstrip(), quote=True))
        return "".join(parts)

    def _matches(self, word: str, code: str | None, stems: set[str]) -> bool:
        folded = fold(word)
        if folded in self.exact or any(folded.startswith(prefix) for prefix in self.prefixes):
            return True
        return bool(code and stems and stem(word.lower(), code) in stems)

    def _mark_designations(self, text: str, spans: list[tuple[int, int]], marked: list[bool]) -> list[bool]:
        """Mark "AK-47"/"AK 47" (two words) where the query named the designation "ak47"."""
        if not self.designations:
            return marked
        for index in range(len(spans)):
            for width in (1, 2, 3):
                if index + width > len(spans):
                    break
                start, stop = spans[index][0], spans[index + width - 1][1]
                if designation_key(text[start:stop]) in self.designations:
                    for covered in range(index, index + width):
                        marked[covered] = True
        return marked
