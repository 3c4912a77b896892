"""EASE and the item neighbourhoods on hand-made frames with known answers, and on bad input."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from vision_assets.recommendations.collaborative import (
    EaseModel,
    EaseRecommender,
    _ease_weights,
    _mirror_upper_triangle,
    similar_items,
)

from .conftest import interactions


def test_a_customer_who_bought_a_and_b_gets_c(bought_a_b_then_c):
    recommendations = EaseRecommender(l2=1.0).fit(bought_a_b_then_c).recommend(["target"], k=3)
    assert recommendations["item"].iloc[0] == "C"
    assert recommendations["rank"].iloc[0] == 1
    assert not recommendations["item"].isin(["A", "B"]).any()  # already bought


def test_scopes_restrict_each_list_to_their_items(bought_a_b_then_c):
    model = EaseRecommender(l2=1.0).fit(bought_a_b_then_c)
    recommendations = model.recommend(
        ["target", "u5"], k=5, scopes={"abc": ["A", "B", "C"], "de": ["D", "E"]}
    )
    lists = recommendations.groupby(["user", "scope"])["item"].apply(list).to_dict()
    assert lists[("target", "abc")] == ["C"]
    assert ("target", "de") not in lists  # nothing links A and B to D or E: no positive score, no row
    assert set(recommendations["scope"]) <= {"abc", "de"}


def test_ease_weights_equal_the_closed_form():
    rng = np.random.default_rng(3)
    values = sp.csr_matrix((rng.random((40, 12)) < 0.3).astype(np.float32))
    gram = (values.T @ values).toarray().astype(np.float64) + 5.0 * np.eye(12)
    inverse = np.linalg.inv(gram)
    expected = -inverse / np.diag(inverse)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(_ease_weights(values, 5.0), expected, rtol=1e-4, atol=1e-6)


def test_edlae_adds_the_dropout_share_of_each_items_own_gram_diagonal_to_its_penalty():
    """Emphasized denoising (Steck 2020) in full rank: EASE with the penalty λ + p/(1-p) diag(XᵀX)."""
    rng = np.random.default_rng(4)
    values = sp.csr_matrix((rng.random((60, 10)) < 0.3).astype(np.float32))
    gram = (values.T @ values).toarray().astype(np.float64)
    inverse = np.linalg.inv(gram + np.diag(5.0 + 0.25 / 0.75 * np.diag(gram)))
    expected = -inverse / np.diag(inverse)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(_ease_weights(values, 5.0, dropout=0.25), expected, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError):
        EaseRecommender(dropout=1.0)


def test_mirroring_works_across_blocks():
    upper = np.triu(np.arange(100, dtype=np.float32).reshape(10, 10))
    _mirror_upper_triangle(upper, block=3)
    np.testing.assert_array_equal(upper, np.triu(upper) + np.triu(upper, 1).T)


def test_only_the_most_used_items_enter_the_model(bought_a_b_then_c):
    model = EaseRecommender(l2=1.0, max_items=3).fit(bought_a_b_then_c)
    # A, B and C have 5, 5 and 4 customers; E has 3, D has 2
    assert list(model.items) == ["A", "B", "C"]


def test_bad_input_is_defined():
    empty = EaseRecommender().fit(interactions([]))
    assert empty.recommend(["anyone"]).empty
    single_user = EaseRecommender().fit(interactions([("only", "A"), ("only", "B")]))
    assert single_user.recommend(["only"]).empty  # everything is already seen
    one_item = EaseRecommender().fit(interactions([("u1", "A"), ("u2", "A"), ("u2", "B")]))
    assert one_item.recommend(["u1"])["item"].tolist() == ["B"]
    assert one_item.recommend(["stranger"]).empty  # the caller falls back to popularity
    with pytest.raises(ValueError):
        EaseRecommender(l2=0)
    with pytest.raises(RuntimeError):
        EaseRecommender().recommend(["u1"])


def test_duplicated_interactions_change_nothing_but_the_weights(bought_a_b_then_c):
    doubled = pd.concat([bought_a_b_then_c, bought_a_b_then_c], ignore_index=True)
    once = EaseRecommender(l2=1.0).fit(bought_a_b_then_c).recommend(["target", "u7"], k=3)
    twice = EaseRecommender(l2=1.0).fit(doubled).recommend(["target", "u7"], k=3)
    assert twice[["user", "item", "rank"]].equals(once[["user", "item", "rank"]])
    assert not twice.duplicated(["user", "scope", "item"]).any()


def test_a_stored_model_reads_back_exactly_and_recommends_the_same(bought_a_b_then_c):
    fitted = EaseRecommender(l2=1.0).fit(bought_a_b_then_c)
    rows = fitted.model.to_rows()
    assert list(rows["item"]) == list(fitted.items) and list(rows["position"]) == list(range(len(rows)))
    assert (rows["weights"].map(len) == 4 * len(rows)).all()  # one float32 per item
    stored = EaseModel.from_rows(rows.sample(frac=1.0, random_state=1))  # row order does not matter
    np.testing.assert_array_equal(stored.weights, fitted.model.weights)
    np.testing.assert_array_equal(stored.customers, [5, 5, 4, 2, 3])  # A, B, C, D, E
    users = ["target", "u5", "u7", "stranger"]
    from_store = stored.recommend(stored.history_of(bought_a_b_then_c), users, k=3)
    pd.testing.assert_frame_equal(from_store, fitted.recommend(users, k=3))


def test_a_stored_model_scores_the_history_it_is_given():
    """Later days' customers and items: a new customer is scored, what they engaged with since training is
    excluded, an item the model never saw is ignored, and one nobody engaged with since keeps its column."""
    model = EaseRecommender(l2=1.0).fit(
        interactions([("u1", "A"), ("u1", "B"), ("u2", "A"), ("u2", "B"), ("u3", "B"), ("u3", "C")])
    ).model
    later = interactions([("new", "A"), ("new", "brand-new"), ("u3", "B")])
    history = model.history_of(later)
    assert list(history.items) == list(model.items)
    assert history.users.tolist() == ["new", "u3"]
    assert (history.values.toarray() > 0).tolist() == [[True, False, False], [False, True, False]]
    recommended = model.recommend(history, ["new", "u3", "u1"], k=2)
    assert recommended[recommended["user"] == "new"]["item"].iloc[0] == "B"
    assert "u1" not in set(recommended["user"])  # no history in these interactions
    with pytest.raises(ValueError, match="history_of"):
        model.recommend(EaseRecommender(l2=1.0).fit(later).history, ["new"])


def test_a_damaged_stored_model_fails_instead_of_recommending(bought_a_b_then_c):
    rows = EaseRecommender(l2=1.0).fit(bought_a_b_then_c).model.to_rows()
    with pytest.raises(ValueError, match="positions"):
        EaseModel.from_rows(rows.iloc[1:])
    with pytest.raises(ValueError, match="values"):
        EaseModel.from_rows(rows.assign(weights=rows["weights"].map(lambda stored: stored[:-4])))
    empty = EaseRecommender().fit(interactions([])).model
    assert EaseModel.from_rows(empty.to_rows()).weights.shape == (0, 0)


def test_similar_items_are_those_bought_by_the_same_customers(bought_a_b_then_c):
    neighbours = similar_items(bought_a_b_then_c, k=2)
    of = neighbours.groupby("item")["similar_item"].apply(list).to_dict()
    assert set(of["C"]) == {"A", "B"}
    assert of["D"] == ["E"]
    assert not (neighbours["item"] == neighbours["similar_item"]).any()
    pair = neighbours[(neighbours["item"] == "A") & (neighbours["similar_item"] == "C")].iloc[0]
    # 4 shared customers, 5 and 4 customers each, shrinkage 10
    assert pair["similarity"] == pytest.approx(4 / (np.sqrt(5 * 4) + 10))
    assert pair["shared_customers"] == 4


def test_an_item_with_a_single_customer_has_no_neighbours():
    frame = interactions([("u1", "A"), ("u1", "B"), ("u2", "A"), ("u2", "B"), ("u2", "lonely")])
    neighbours = similar_items(frame)
    assert "lonely" not in set(neighbours["item"]) | set(neighbours["similar_item"])
    assert similar_items(interactions([])).empty
