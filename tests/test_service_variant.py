"""ImproveService.variant: the same service on changed settings, sharing history and model."""

from promptimp.models import BackendType
from tests.support import ANSWER, REPO, dummy_service

IDEA = "Write a lullaby about a sleepy lighthouse keeper"
USER_ROLE = "Maritime folk songwriter for children's bedtime"


def prompt_of_last_call(service) -> str:
    return "\n".join(m["content"] for m in service.runtime().lm().history[-1]["messages"])


def test_a_variant_without_the_user_trainset_shows_few_shot_no_user_demo(tmp_path):
    service = dummy_service(
        tmp_path / "h.db",
        [ANSWER] * 3,
        DSPY_FEWSHOT_TRAINSET_PATH=str(REPO / "data" / "trainset.jsonl"),
        DSPY_FEWSHOT_USER_TRAINSET_PATH=str(tmp_path / "user.jsonl"),
    )
    first = service.improve(IDEA, backend=BackendType.FEW_SHOT).run
    taught = first.model_copy(update={"id": None, "role": USER_ROLE})
    stored = service.write(lambda store: store.save(taught))
    service.crafting.add_to_trainset(stored.id)

    service.improve(IDEA, backend=BackendType.FEW_SHOT)
    assert USER_ROLE in prompt_of_last_call(service)  # the user example is a demo now

    variant = service.variant(DSPY_FEWSHOT_USER_TRAINSET_PATH="")
    variant.improve(IDEA, backend=BackendType.FEW_SHOT)
    assert USER_ROLE not in prompt_of_last_call(variant)
    assert variant.runtime().lm() is service.runtime().lm()  # the same (fake) model
    assert service.history.total_count() == 4  # the variant stores in the same history
    assert variant.breaker is service.breaker
    kept = service.settings.DSPY_FEWSHOT_USER_TRAINSET_PATH
    assert kept == str(tmp_path / "user.jsonl")  # the service's own settings are unchanged
