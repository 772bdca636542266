"""Would a person paste this prompt as it is? Named checks, a verdict and a score.

`check_prompt` reads an improved prompt's parts against the idea and context and returns a
QualityReport: every check with whether it passed and a reason a person can read, the verdict
`acceptable` (every check passed) and a `score` in [0, 1]. The standard it follows is the
labeling standard in QUALITY.md: a specific expert role from the idea's trade, an imperative
directive that covers the idea, 3-5 whole-sentence guardrails about this task, no noise (digit
runs, file names, domains, URLs, key: value lists, glued words, slugs, the program's own
words, echoes of injection-like ideas), the idea's language and real words.

Checks that the template assembly guarantees on the embedded path (the parts are present and
well formed, the prompt holds them) are `structural`: reported, and a failure still makes the
prompt unacceptable, but they carry no weight in the score, so a score cannot be earned by
parts that cannot fail.

The score maps the verdict onto bands: an acceptable prompt scores 0.7 + 0.3 x the mean of its
checks' values (graded checks, such as the share of the idea's key terms the directive covers,
add nuance), a junk one 0.4 x that mean. Free of DSPy and of eval/, and fast (word
frequencies from the offline `wordfreq` package, cached).

Modules, by job: `lexicon` (word lists, stop words, key terms, word frequencies, language),
`patterns` (the noise patterns), `framing` (the request behind injection-like framing and
the rules a person states), `trades` (profession and idea words per trade), `objects`
(what a rule or request is about and the idea words that call for it), `sentences`
(instruction, statement, cut-off and loop forms), `reading` (what the checks read), one module
of checks per part (`role`, `directive`, `guardrails`, `noise`, `language`, `structure`),
`report` (Check, QualityReport, score, confidence) and `prompt` (check_prompt, check_run).
"""

from promptimp.quality.framing import request_of, stated_rules_of
from promptimp.quality.lexicon import (
    IMPERATIVES,
    IMPERATIVES_EN,
    IMPERATIVES_ES,
    STEM_CHARS,
    STOP_WORDS,
    correct_spelling,
    coverage,
    is_real_word,
    key_terms,
    language_of,
    plain,
    prefixes,
    spellings,
    stem,
    words,
)
from promptimp.quality.prompt import check_prompt, check_run, weighed_confidence
from promptimp.quality.report import (
    ACCEPTABLE_FLOOR,
    CONFIDENT,
    JUNK_CEILING,
    Check,
    Demo,
    QualityReport,
    evidence_confidence,
    score_of,
)

__all__ = [
    "ACCEPTABLE_FLOOR",
    "CONFIDENT",
    "IMPERATIVES",
    "IMPERATIVES_EN",
    "IMPERATIVES_ES",
    "JUNK_CEILING",
    "STEM_CHARS",
    "STOP_WORDS",
    "Check",
    "Demo",
    "QualityReport",
    "check_prompt",
    "check_run",
    "correct_spelling",
    "coverage",
    "evidence_confidence",
    "is_real_word",
    "key_terms",
    "language_of",
    "plain",
    "prefixes",
    "request_of",
    "score_of",
    "spellings",
    "stated_rules_of",
    "stem",
    "weighed_confidence",
    "words",
]
