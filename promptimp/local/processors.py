"""Logits processors for llama.cpp decoding: no repeated or copied word runs, no duplicate
strings, and an answer closed within its token budget.

Pure Python: each processor works on a model's token texts (`TokenWords`, token pieces) and the
score array llama.cpp hands it, so it is tested on a made-up vocabulary.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NO_REPEAT_PENALTY = 30.0
CLOSING_RESERVE = 100
"""Tokens kept for finishing a JSON answer: past max_tokens minus this, closing is favoured."""
CLOSING_BONUS = 100.0
CLOSERS = (b'"', b"]", b"}")
"""How the tokens that end a JSON string, list or object begin (after any spaces)."""


def plain(text: str) -> str:
    """`text` lower-cased without accents, every other character than a letter or digit a space."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )


def _words_of(text: str) -> str:
    """The words of `text` as `plain` gives them, one space apart."""
    return " ".join(plain(text).split())


@dataclass(frozen=True)
class TokenWords:
    """Each token's text as `plain` gives it, and the tokens indexed by their first letters.

    `continuing` holds the tokens that begin with a letter or digit (they extend the word being
    written), `starting` those that begin with a space or punctuation (they begin a new word),
    each keyed by the letters and digits up to the token's next space.
    """

    texts: list[str]
    continuing: dict[str, list[int]]
    starting: dict[str, list[int]]

    @classmethod
    def of(cls, pieces: Sequence[bytes]) -> TokenWords:
        texts = [plain(piece.decode("utf-8", "ignore")) for piece in pieces]
        continuing: dict[str, list[int]] = {}
        starting: dict[str, list[int]] = {}
        for token, text in enumerate(texts):
            index = continuing if text[:1].isalnum() else starting
            if words := text.split():
                index.setdefault(words[0], []).append(token)
        return cls(texts, continuing, starting)


class GenerationProcessor:
    """Base of the logits processors here: hands each call the tokens generated since the last.

    llama.cpp calls a processor with every token so far; the first call sees only the prompt.
    """

    start: int | None = None

    def new_tokens(self, input_ids: Any) -> list[int]:
        """The tokens added since the previous call (none on the first)."""
        if self.start is None:
            self.start = len(input_ids)
        new = input_ids[self.start :].tolist()
        self.start = len(input_ids)
        return new


class NoRepeatWords(GenerationProcessor):
    """A logits processor against repeating a run of `n` words, or copying one from `source`.

    Words compare whatever their case, accents, punctuation or the tokens that spell them. Once
    the last n-1 words match the start of an earlier run, every token that would begin or
    continue that run's next word, or glue it onto the last word, is pushed down, and the
    `closers` (tokens ending a JSON string or list) are favoured by half as much.
    """

    def __init__(
        self,
        vocabulary: TokenWords,
        n: int,
        source: str = "",
        penalty: float = NO_REPEAT_PENALTY,
        closers: Sequence[int] = (),
    ) -> None:
        self.vocabulary = vocabulary
        self.closers = list(closers)
        self.n = n
        self.penalty = penalty
        self.followers: dict[tuple[str, ...], set[str]] = {}
        self.words: list[str] = []
        self.partial = ""
        self._read(plain(source) + " ")
        self.words = []

    def _read(self, text: str) -> None:
        for char in text:
            if char != " ":
                self.partial += char
            elif self.partial:
                self.words.append(self.partial)
                self.partial = ""
                if len(self.words) >= self.n:
                    run = tuple(self.words[-self.n :])
                    self.followers.setdefault(run[:-1], set()).add(run[-1])

    def _forbidden_after(self, words: list[str]) -> set[str]:
        if len(words) < self.n - 1:
            return set()
        return self.followers.get(tuple(words[len(words) - self.n + 1 :]), set())

    def _push_down(self, scores: Any, index: dict[str, list[int]], word: str) -> None:
        for end in range(1, len(word) + 1):
            if tokens := index.get(word[:end]):
                scores[tokens] -= self.penalty

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        vocabulary = self.vocabulary
        for token in self.new_tokens(input_ids):
            self._read(vocabulary.texts[token])
        if self.partial:
            within = {  # forbidden words this partial one is on its way to
                word
                for word in self._forbidden_after(self.words)
                if word.startswith(self.partial) and word != self.partial
            }
            after = self._forbidden_after([*self.words, self.partial])
            for word in within:
                self._push_down(scores, vocabulary.continuing, word[len(self.partial) :])
            for word in after:
                self._push_down(scores, vocabulary.starting, word)
                self._push_down(scores, vocabulary.continuing, word)  # nor glued on
            forbidden = within or after
        else:
            forbidden = self._forbidden_after(self.words)
            for word in forbidden:
                self._push_down(scores, vocabulary.starting, word)
                self._push_down(scores, vocabulary.continuing, word)
        if forbidden and self.closers:  # ending the string reads better than a forced word
            scores[self.closers] += self.penalty / 2
        return scores


class DistinctStrings(GenerationProcessor):
    """A logits processor that keeps a JSON string from ending as a copy of an earlier one.

    Prose cannot hold quotes, so the text between two quotes is one string. While the string
    being written has the same words (as `plain` gives them) as one already finished, the
    `closers` are pushed down, so no guardrail ends up twice in one list.
    """

    def __init__(
        self, pieces: Sequence[bytes], closers: Sequence[int], penalty: float = NO_REPEAT_PENALTY
    ) -> None:
        self.pieces = pieces
        self.closers = list(closers)
        self.penalty = penalty
        self.finished: set[str] = set()
        self.current: str | None = None

    def _read(self, text: str) -> None:
        for char in text:
            if char != '"':
                if self.current is not None:
                    self.current += char
            elif self.current is None:
                self.current = ""
            else:
                self.finished.add(_words_of(self.current))
                self.current = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        for token in self.new_tokens(input_ids):
            self._read(self.pieces[token].decode("utf-8", "ignore"))
        if self.current is not None and _words_of(self.current) in self.finished:
            scores[self.closers] -= self.penalty
        return scores


class CloseWithinBudget(GenerationProcessor):
    """A logits processor that, near the token budget, favours tokens closing a string or list.

    Under a JSON grammar the answer is then finished (with short values) instead of cut off.
    """

    def __init__(self, closers: list[int], budget: int) -> None:
        self.closers = closers
        self.threshold = max(budget - CLOSING_RESERVE, 0)
        self.generated = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        self.generated += len(self.new_tokens(input_ids))
        if self.generated >= self.threshold:
            scores[self.closers] += CLOSING_BONUS
        return scores
