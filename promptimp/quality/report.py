"""The outcome of the checks: each Check, the QualityReport, the score and the confidence.

The score maps the verdict onto bands: an acceptable prompt scores 0.7 + 0.3 x the mean of its
weighted checks' values, a junk one 0.4 x that mean. Structural checks (guaranteed by the
template assembly) are reported but weigh nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

ACCEPTABLE_FLOOR = 0.7
JUNK_CEILING = 0.4
Demo = tuple[str, str]
"""(an example's idea, one of its guardrails): what a few-shot program may copy."""


@dataclass(frozen=True)
class Check:
    """One named check: whether it passed, why, and its value in [0, 1]."""

    name: str
    passed: bool
    reason: str
    value: float = -1.0
    structural: bool = False
    """Guaranteed by the template assembly on the embedded path: reported, never weighted."""

    def __post_init__(self) -> None:
        if self.value < 0:
            object.__setattr__(self, "value", 1.0 if self.passed else 0.0)


@dataclass(frozen=True)
class QualityReport:
    """The checks of one prompt, the verdict and the score."""

    checks: tuple[Check, ...]
    acceptable: bool
    score: float
    failures: tuple[Check, ...] = field(default=())

    @property
    def summary(self) -> str:
        """One line: the verdict and the first reasons it failed."""
        if self.acceptable:
            return f"acceptable ({self.score:.2f}): every check passed"
        reasons = "; ".join(check.reason for check in self.failures[:3])
        return f"not acceptable ({self.score:.2f}): {reasons}"


def score_of(checks: Sequence[Check]) -> tuple[bool, float]:
    """The verdict (every check passed) and the banded score of the weighted checks."""
    acceptable = all(check.passed for check in checks)
    weighted = [check.value for check in checks if not check.structural]
    share = sum(weighted) / len(weighted) if weighted else 0.0
    if acceptable:
        return True, ACCEPTABLE_FLOOR + (1 - ACCEPTABLE_FLOOR) * share
    return False, JUNK_CEILING * share


CONFIDENT = 0.9
"""The least confidence of an embedded-model prompt the verdict accepts. Its confidence is the
lower of the checks' score and how far the composer's nearest domain leads the next; below this
the domain is unsure, and in labeled outputs such prompts were nearly all another trade's role
and rules. Chosen on the tune split of data/judgments.jsonl (agreement 54% -> 78% there)."""


def confidence_check(confidence: float) -> Check:
    """Whether an embedded-model prompt's confidence reaches CONFIDENT."""
    sure = confidence >= CONFIDENT
    return Check(
        "confident",
        sure,
        f"confidence {confidence:.2f}: the idea's domain is clear"
        if sure
        else f"confidence {confidence:.2f} (under {CONFIDENT:.2f}): unsure of the idea's domain, "
        "so the role and rules may belong to another trade",
        value=confidence,
    )


def evidence_confidence(
    report: QualityReport, stated: float | None, *, embedded: bool
) -> float | None:
    """The confidence a result shows.

    The embedded model's own number is noise (0.5 or 1.0 whatever it wrote), so there the
    confidence is the quality score: evidence from the checks. A hosted provider's stated
    confidence is kept as it is; the checks are shown beside it.
    """
    return report.score if embedded else stated
