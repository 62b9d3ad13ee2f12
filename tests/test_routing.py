"""The local routing model: BANKING77 intents with calibrated probabilities, and the bank's support scope."""

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from agent.routing import Route, Router, get_router, load_or_train
from agent.routing.embeddings import StaticEmbedder
from agent.routing.router import MODEL_VERSION, read_metadata

pytest_plugins = ["tests.routing_fixtures"]

OUT_OF_SCOPE = [
    "what's the weather in Paris",
    "book me a flight",
    "tell me a joke",
    "what's a good recipe for lasagna",
    "set an alarm for 7am",
]


def test_it_routes_a_card_arrival_question(router: Router) -> None:
    route = router.classify_one("I am still waiting on my card, when will it arrive?")
    assert route.intent == "card_arrival"
    assert route.in_scope


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("My card was stolen yesterday", "lost_or_stolen_card"),
        ("Can I top up with Apple Pay?", "apple_pay_or_google_pay"),
        ("I typed the wrong PIN too many times and now it's blocked", "pin_blocked"),
        ("I need to cancel a transfer I just made", "cancel_transfer"),
        ("The refund I was promised still isn't showing up", "Refund_not_showing_up"),
        ("How old do I have to be to open an account?", "age_limit"),
    ],
)
def test_it_routes_known_questions_to_their_intents(router: Router, text: str, intent: str) -> None:
    route = router.classify_one(text)
    assert (route.intent, route.in_scope) == (intent, True)
    assert route.confidence > 0.5


def test_its_intents_are_exactly_the_banking77_categories(router: Router, banking77_categories) -> None:
    assert sorted(router.intents) == sorted(banking77_categories)
    assert {"Refund_not_showing_up", "reverted_card_payment?"} <= set(router.intents)


def test_its_probabilities_are_in_range_and_consistent(router: Router) -> None:
    texts = ["Why was I charged a fee for withdrawing cash?", "exchange rate?", "book me a flight", ""]
    probabilities = router.intent_probabilities(texts)
    routes = router.classify(texts)
    assert probabilities.shape == (len(texts), 77)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    for route, row in zip(routes[:3], probabilities[:3], strict=True):
        assert route.confidence == pytest.approx(row[router.intents.index(route.intent)])
        assert 0.0 <= route.scope_score <= 1.0


@pytest.mark.parametrize("text", OUT_OF_SCOPE)
def test_it_flags_messages_outside_the_banks_scope(router: Router, text: str) -> None:
    route = router.classify_one(text)
    assert not route.in_scope
    assert route.scope_score < 0.5


def test_it_keeps_credit_card_questions_in_scope(router: Router) -> None:
    assert router.classify_one("what's the interest rate on my credit card").in_scope


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_it_answers_an_empty_message_without_confidence(router: Router, text: str) -> None:
    route = router.classify_one(text)
    assert route.intent in router.intents
    assert (route.confidence, route.in_scope, route.scope_score) == (0.0, False, 0.0)


@pytest.mark.parametrize("text", ["😀😀", "日本語のテキスト", "?", "a" * 50_000, "card " * 5_000])
def test_it_copes_with_odd_messages(router: Router, text: str) -> None:
    route = router.classify_one(text)
    assert route.intent in router.intents
    assert 0.0 <= route.confidence <= 1.0
    assert 0.0 <= route.scope_score <= 1.0


def test_a_batch_routes_like_single_messages(router: Router) -> None:
    texts = ["My card was stolen yesterday", "book me a flight", "", "What exchange rate do you use?"]
    batch, single = router.classify(texts), [router.classify_one(text) for text in texts]
    # the same decisions; the probabilities may differ in the last bits (BLAS sums a batch in another order)
    assert [(r.intent, r.in_scope) for r in batch] == [(r.intent, r.in_scope) for r in single]
    assert [r.confidence for r in batch] == pytest.approx([r.confidence for r in single], abs=1e-9)
    assert [r.scope_score for r in batch] == pytest.approx([r.scope_score for r in single], abs=1e-9)
    assert router.classify([]) == []


def test_a_saved_router_loads_with_identical_predictions(router: Router, tmp_path: Path) -> None:
    texts = ["I am still waiting on my card", "what's the weather in Paris", "", "refund please"]
    router.save(tmp_path / "router")
    reloaded = Router.load(tmp_path / "router")
    assert reloaded.classify(texts) == router.classify(texts)
    np.testing.assert_array_equal(reloaded.intent_probabilities(texts), router.intent_probabilities(texts))


def test_a_saved_router_is_numpy_and_json_only(router: Router, tmp_path: Path) -> None:
    router.save(tmp_path / "router")
    files = list((tmp_path / "router").iterdir())
    assert {path.suffix for path in files} <= {".npy", ".npz", ".json", ".txt"}
    for path in files:
        if path.suffix in {".npy", ".npz"}:
            np.load(path, allow_pickle=False)  # raises if anything in it needs unpickling
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
    assert read_metadata(tmp_path / "router")["model_version"] == MODEL_VERSION


def test_the_process_shares_one_router() -> None:
    routers: list[Router] = []
    threads = [threading.Thread(target=lambda: routers.append(get_router())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(routers) == 4
    assert all(router is get_router() for router in routers)


def test_it_trains_on_any_corpora() -> None:
    texts = [f"where is my new card {n}" for n in range(6)] + [
        f"how do I change my pin {n}" for n in range(6)
    ]
    labels = ["card_arrival"] * 6 + ["change_pin"] * 6
    out_of_scope = [f"play song number {n}" for n in range(6)] + [f"weather on day {n}" for n in range(6)]
    router = Router.fit(texts, labels, ["what is my balance"] * 3, out_of_scope)
    route = router.classify_one("has my new card shipped")
    assert isinstance(route, Route)
    assert route.intent == "card_arrival"
    assert router.intents == ["card_arrival", "change_pin"]


def test_it_trains_a_missing_model_and_then_reuses_it(tiny_data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    trained = load_or_train(model_dir, tiny_data_dir)
    saved_at = (model_dir / "router.json").stat().st_mtime_ns
    reused = load_or_train(model_dir, tiny_data_dir)
    assert (model_dir / "router.json").stat().st_mtime_ns == saved_at
    assert reused.metadata == trained.metadata
    assert reused.classify_one("my card has not arrived") == trained.classify_one("my card has not arrived")


def test_it_retrains_when_the_training_data_changes(tiny_data_dir: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    before = load_or_train(model_dir, tiny_data_dir).metadata["fingerprint"]
    with (tiny_data_dir / "banking77" / "train.csv").open("a", encoding="utf-8") as rows:
        rows.write("Where is my card?,card_arrival\n")
    after = load_or_train(model_dir, tiny_data_dir).metadata["fingerprint"]
    assert after != before
    assert read_metadata(model_dir)["fingerprint"] == after


def test_static_embeddings_are_unit_vectors_or_zero_for_unknown_text() -> None:
    embedder = StaticEmbedder.load()
    vectors = embedder.embed(["my card is lost", "", "😀"])
    assert vectors.shape == (3, embedder.dimensions)
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vectors[1:].any()


def test_the_word_piece_tokenizer_spells_unseen_words_from_pieces() -> None:
    tokenizer = StaticEmbedder.load().tokenizer
    # the same pieces as Hugging Face's BertWordPiece tokenizer for all-MiniLM-L6-v2
    assert _pieces(tokenizer, "Topupping café-card!") == ["top", "##up", "##ping", "cafe", "-", "card", "!"]


def _pieces(tokenizer, text: str) -> list[str]:
    by_id = {index: piece for piece, index in tokenizer.ids.items()}
    return [by_id[index] for index in tokenizer.token_ids(text)]
