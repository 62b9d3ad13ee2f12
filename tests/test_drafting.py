from agent.drafting import extract_answer, grounding_of, is_usable, with_citation, without_citation
from agent.state import Passage

ARTICLE = Passage(
    article_id=1,
    title="How do I change my PIN?",
    intent="change_pin",
    text=(
        "You can change your PIN at any Lumen Bank partner ATM under PIN services. "
        "The app cannot show or change your PIN. "
        "If your PIN is blocked after 3 wrong attempts, unblock it in the app under Cards > Unblock PIN."
    ),
    score=1.0,
    version=1,
)


def test_the_extract_starts_with_the_articles_answer_and_adds_the_sentence_the_question_is_about():
    answer = extract_answer("my PIN got blocked after wrong attempts", ARTICLE)
    assert answer.startswith("You can change your PIN at any Lumen Bank partner ATM")
    assert answer.endswith("Cards > Unblock PIN.")
    assert "The app cannot show" not in answer


def test_an_extract_is_fully_grounded():
    grounding = grounding_of(extract_answer("how do i change my pin", ARTICLE), (ARTICLE,))
    assert grounding.supported_share == 1.0 and is_usable(grounding)


def test_a_draft_with_an_invented_number_is_not_usable():
    grounding = grounding_of("You can change your PIN at any partner ATM within 24 hours.", (ARTICLE,))
    assert grounding.unsupported_numbers == ("24",)
    assert not is_usable(grounding)


def test_a_draft_mostly_in_other_words_is_not_usable():
    grounding = grounding_of(
        "Use a credit card with a physical wallet in your car to generate a new one.", (ARTICLE,)
    )
    assert not is_usable(grounding)


def test_the_citation_is_added_and_removed_by_code():
    cited = with_citation("Answer.", (ARTICLE,))
    assert cited == "Answer.\n\nSource: How do I change my PIN?"
    assert without_citation(cited) == "Answer."


def test_a_passage_is_cited_with_its_section_and_link_and_several_articles_are_all_cited():
    from dataclasses import replace

    section = replace(ARTICLE, heading="Forgotten PIN", url="https://help.lumenbank.example/pin")
    other = replace(ARTICLE, article_id=99, title="Card limits", heading="", url="")
    cited = with_citation("Answer.", (section, other))
    assert cited == (
        "Answer.\n\nSources: How do I change my PIN? › Forgotten PIN (https://help.lumenbank.example/pin); "
        "Card limits"
    )
    assert without_citation(cited) == "Answer."
