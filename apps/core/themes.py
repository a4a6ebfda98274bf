"""Suggested topics, polarity and criticality, learned from moderated stories.

Only ever suggestions: a person accepts, changes or removes each one. The method is
deliberately plain and inspectable (docs/decisions.md, "Suggested topics"):

- the text as TF-IDF of words and word pairs, and of character n-grams (which catch
  misspellings and word forms);
- topics: linear SVMs, one topic against the rest, classes weighted by their rarity,
  so a topic with forty examples is not drowned by one with a thousand; a positive
  score suggests it (one SVM per topic where stories carry several topics, one over
  all topics where each carries one);
- polarity (good / could be improved) of a topic: one linear SVM over the text and
  the topic, so the same words can lean differently for different topics;
- criticality: a multinomial logistic regression over the scale's values, choosing
  the value with the most probability within one step of it (the figure moderators
  are judged on), and the phrases whose weights drove that choice.

Pure Python and scikit-learn: no database, so the evaluation command can run the same
method on any labelled file.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

POLARITY_GOOD = 1
POLARITY_IMPROVE = -1
# Fewer moderated stories than this and the model would mostly repeat the commonest
# topic: suggest nothing and say so.
MIN_EXAMPLES = 40
# A topic needs this many stories of its own before it is ever suggested.
MIN_TOPIC_EXAMPLES = 3
PHRASES = 5
# Bumped when the stored form changes, so an old stored model is refused, not misread.
FORMAT = 1

# Words too common to explain anything alone ("the", "and"), but not the negations.
_NOT_PHRASES = ENGLISH_STOP_WORDS - {"not", "no", "never", "nobody", "nothing", "none", "cannot"}
# A ranked guess below zero is still offered down to here (a score of about 0.38).
_WEAK = -0.5
_TOPIC_C = 0.3
_POLARITY_C = 0.3
_CRITICALITY_C = 10.0


@dataclass(frozen=True)
class Example:
    """One moderated story: its topics with their polarity, and its criticality."""

    text: str
    topics: Mapping[str, int | None] = field(default_factory=dict)
    criticality: int | None = None
    # The story's overall polarity, where the source has one and no topic carries it
    # (the evaluation command takes it from the sign of a criticality column).
    polarity: int | None = None


@dataclass(frozen=True)
class TopicSuggestion:
    label: str
    score: float
    polarity: int | None


@dataclass(frozen=True)
class Suggestions:
    topics: tuple[TopicSuggestion, ...]
    criticality: int | None
    phrases: tuple[str, ...]


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=40_000
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=80_000,
                ),
            ),
        ]
    )


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, value))))


class ThemeModel:
    """Everything learned in one training: apply with `suggest`, store with `to_bytes`."""

    def __init__(self) -> None:
        self.labels: tuple[str, ...] = ()
        self._features = _features()
        self._topic_weights = np.zeros((0, 0))
        self._topic_bias = np.zeros(0)
        self._polarity: LinearSVC | None = None
        self._criticality: LogisticRegression | None = None
        self._word_count = 0
        self._word_names: np.ndarray = np.array([])
        self.example_count = 0

    # Learning -----------------------------------------------------------------

    @classmethod
    def fit(cls, examples: Sequence[Example], *, seed: int = 0) -> ThemeModel:
        if len(examples) < 2:
            raise ValueError("At least two examples are needed to learn anything.")
        model = cls()
        model.example_count = len(examples)
        matrix = model._features.fit_transform([e.text for e in examples])
        words = model._features.transformer_list[0][1]
        model._word_names = words.get_feature_names_out()
        model._word_count = len(model._word_names)
        model._fit_topics(examples, matrix, seed)
        model._fit_polarity(examples, matrix, seed)
        model._fit_criticality(examples, matrix, seed)
        return model

    def _fit_topics(self, examples: Sequence[Example], matrix: Any, seed: int) -> None:
        """Where stories carry several topics (the platform's tags), one SVM per topic,
        against the stories without it, so a story mixing three topics can score
        positive on all three. Where each story has one (a labelled file), one SVM
        over the topics, one against the rest, so the scores compare across topics."""
        counts = Counter(label for e in examples for label in e.topics)
        labels = sorted(
            label for label, n in counts.items() if MIN_TOPIC_EXAMPLES <= n < len(examples)
        )
        width = matrix.shape[1]
        self.labels = tuple(labels)
        self._topic_weights = np.zeros((0, width))
        self._topic_bias = np.zeros(0)
        if not labels:
            return
        if any(len(e.topics) > 1 for e in examples):
            self._fit_each_topic(examples, matrix, seed)
        elif len(labels) >= 2:
            self._fit_one_topic_each(examples, matrix, seed)
        else:
            self.labels = ()

    def _fit_each_topic(self, examples: Sequence[Example], matrix: Any, seed: int) -> None:
        weights, biases = [], []
        for label in self.labels:
            target = np.array([label in e.topics for e in examples], dtype=int)
            svm = LinearSVC(class_weight="balanced", C=_TOPIC_C, random_state=seed)
            svm.fit(matrix, target)
            weights.append(svm.coef_[0])
            biases.append(svm.intercept_[0])
        self._topic_weights = np.vstack(weights)
        self._topic_bias = np.array(biases)

    def _fit_one_topic_each(self, examples: Sequence[Example], matrix: Any, seed: int) -> None:
        labels = list(self.labels)
        rows = [i for i, e in enumerate(examples) if e.topics and next(iter(e.topics)) in labels]
        svm = LinearSVC(class_weight="balanced", C=_TOPIC_C, random_state=seed)
        svm.fit(matrix[rows], [next(iter(examples[i].topics)) for i in rows])
        if len(labels) == 2:  # scikit-learn keeps one row for two classes: the second's
            self._topic_weights = np.vstack([-svm.coef_[0], svm.coef_[0]])
            self._topic_bias = np.array([-svm.intercept_[0], svm.intercept_[0]])
        else:
            order = [list(svm.classes_).index(label) for label in labels]
            self._topic_weights = svm.coef_[order]
            self._topic_bias = svm.intercept_[order]

    def _polarity_rows(self, examples: Sequence[Example], matrix: Any) -> tuple[Any, np.ndarray]:
        rows: list[int] = []
        topics: list[str | None] = []
        signs: list[int] = []
        for index, example in enumerate(examples):
            if example.polarity in (POLARITY_GOOD, POLARITY_IMPROVE):
                rows.append(index)
                topics.append(None)
                signs.append(example.polarity)
            for label, polarity in example.topics.items():
                if polarity in (POLARITY_GOOD, POLARITY_IMPROVE):
                    rows.append(index)
                    topics.append(label)
                    signs.append(polarity)
        return self._with_topics(matrix[rows], topics), np.array(signs)

    def _with_topics(self, matrix: Any, topics: Sequence[str | None]) -> Any:
        """The text's features, then one column per known topic naming the one asked about."""
        index = {label: i for i, label in enumerate(self.labels)}
        onehot = sparse.lil_matrix((len(topics), len(self.labels)))
        for row, label in enumerate(topics):
            if label in index:
                onehot[row, index[label]] = 1.0
        return sparse.hstack([sparse.csr_matrix(matrix), onehot.tocsr()]).tocsr()

    def _fit_polarity(self, examples: Sequence[Example], matrix: Any, seed: int) -> None:
        features, signs = self._polarity_rows(examples, matrix)
        if len(set(signs.tolist())) < 2:
            return
        self._polarity = LinearSVC(class_weight="balanced", C=_POLARITY_C, random_state=seed)
        self._polarity.fit(features, signs)

    def _fit_criticality(self, examples: Sequence[Example], matrix: Any, seed: int) -> None:
        rows = [i for i, e in enumerate(examples) if e.criticality is not None]
        values = np.array([examples[i].criticality for i in rows])
        if len(set(values.tolist())) < 2:
            return
        self._criticality = LogisticRegression(
            C=_CRITICALITY_C, class_weight="balanced", max_iter=3000, random_state=seed
        )
        self._criticality.fit(matrix[rows], values)

    # Applying -----------------------------------------------------------------

    def topic_scores(self, matrix: Any) -> np.ndarray:
        """One row per text, one column per label: above zero means suggested."""
        if not self.labels:
            return np.zeros((matrix.shape[0], 0))
        return np.asarray(matrix @ self._topic_weights.T) + self._topic_bias

    def polarities(self, matrix: Any, topics: Sequence[str | None]) -> list[int | None]:
        """The polarity of each (row of matrix, topic) pair; None if never learned."""
        if self._polarity is None:
            return [None] * len(topics)
        return [int(v) for v in self._polarity.predict(self._with_topics(matrix, topics))]

    def criticalities(self, matrix: Any) -> list[int | None]:
        if self._criticality is None:
            return [None] * matrix.shape[0]
        probabilities = self._criticality.predict_proba(matrix)
        values = self._criticality.classes_
        scale = np.arange(values.min(), values.max() + 1)
        # The most probability within one step; between equals, the value itself likelier.
        near = np.stack(
            [
                probabilities[:, np.abs(values - v) <= 1].sum(axis=1)
                + 1e-3 * probabilities[:, values == v].sum(axis=1)
                for v in scale
            ],
            axis=1,
        )
        return [int(v) for v in scale[near.argmax(axis=1)]]

    def transform(self, texts: Sequence[str]) -> Any:
        return self._features.transform(list(texts))

    def suggest(self, text: str, *, limit: int = 5, least: int = 2) -> Suggestions:
        """Every topic scoring above zero, best first, up to `limit`; and, where fewer do,
        the next best up to `least` while they are not far below (their lower scores say
        so), because a moderator judges a ranked guess faster than an empty list."""
        matrix = self.transform([text])
        scores = self.topic_scores(matrix)[0]
        ranked = list(np.argsort(-scores))
        order = [
            i for n, i in enumerate(ranked) if scores[i] > 0 or (n < least and scores[i] > _WEAK)
        ]
        order = order[:limit]
        labels = [self.labels[i] for i in order]
        polarities = (
            self.polarities(sparse.vstack([matrix] * len(labels)), labels) if labels else []
        )
        topics = tuple(
            TopicSuggestion(label, round(_sigmoid(float(scores[i])), 3), polarity)
            for i, label, polarity in zip(order, labels, polarities, strict=True)
        )
        criticality = self.criticalities(matrix)[0]
        phrases = self._phrases(matrix, criticality) if criticality is not None else ()
        return Suggestions(topics, criticality, phrases)

    def _phrases(self, matrix: Any, value: int) -> tuple[str, ...]:
        """The words and word pairs of the text that pulled hardest toward `value`."""
        model = self._criticality
        near = np.abs(model.classes_ - value) <= 1 if model is not None else None
        if model is None or near is None or not near.any():
            return ()
        row = np.asarray(matrix[:, : self._word_count].todense())[0]
        coef = model.coef_[:, : self._word_count]
        if len(model.classes_) == 2:  # one row for two values: toward the second
            coef = np.vstack([-coef[0], coef[0]])
        # Toward the values the choice rests on (within one of it), away from the rest.
        pull = row * (coef[near].mean(axis=0) - coef.mean(axis=0))
        best = [i for i in np.argsort(-pull) if pull[i] > 0]
        chosen: list[str] = []
        for i in best:
            phrase = str(self._word_names[i])
            if (
                len(phrase) < 3
                or phrase in _NOT_PHRASES
                or any(phrase in c or c in phrase for c in chosen)
            ):
                continue
            chosen.append(phrase)
            if len(chosen) == PHRASES:
                break
        return tuple(chosen)

    # Storing ------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump((FORMAT, self), buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeModel:
        """A model this code stored (pickled: never load bytes from anywhere else)."""
        try:
            stored_format, model = joblib.load(io.BytesIO(data))  # noqa: S301
        except Exception as exc:  # joblib raises many kinds on damaged bytes
            raise ValueError("The stored model cannot be read: train again.") from exc
        if stored_format != FORMAT or not isinstance(model, cls):
            raise ValueError("The stored model was made by another version: train again.")
        return model


# Evaluation --------------------------------------------------------------------


def _folds(examples: Sequence[Example], folds: int, seed: int) -> list[tuple[Any, Any]]:
    """Stratified by each story's first topic, rare topics pooled, so every fold is alike."""
    firsts = [next(iter(sorted(e.topics)), "") for e in examples]
    counts = Counter(firsts)
    strata = [f if counts[f] >= folds else "\x00rare" for f in firsts]
    index = np.zeros(len(examples))
    if min(Counter(strata).values()) >= folds:
        return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(index, strata))
    return list(KFold(folds, shuffle=True, random_state=seed).split(index))


def cross_validate(
    examples: Sequence[Example],
    *,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Train on all folds but one and judge on that one, in turn: the figures of the
    method on data it has not seen."""
    if folds < 2 or len(examples) < folds:
        raise ValueError(f"Need at least {folds} examples for {folds} folds.")
    truth: list[set[str]] = []
    ranked: list[list[str]] = []
    chosen: list[set[str]] = []
    signs: list[tuple[int, int]] = []
    values: list[tuple[int, int]] = []
    for number, (train, test) in enumerate(_folds(examples, folds, seed), start=1):
        model = ThemeModel.fit([examples[i] for i in train], seed=seed)
        held = [examples[i] for i in test]
        matrix = model.transform([e.text for e in held])
        scores = model.topic_scores(matrix)
        for example, row in zip(held, scores, strict=True):
            order = [model.labels[i] for i in np.argsort(-row)]
            truth.append(set(example.topics))
            ranked.append(order)
            chosen.append({model.labels[i] for i in range(len(row)) if row[i] > 0})
        sign_rows = [i for i, e in enumerate(held) if e.polarity is not None]
        predicted_signs = (
            model.polarities(matrix[sign_rows], [None] * len(sign_rows)) if sign_rows else []
        )
        for i, predicted_sign in zip(sign_rows, predicted_signs, strict=True):
            true_sign = held[i].polarity
            if true_sign is not None and predicted_sign is not None:
                signs.append((true_sign, predicted_sign))
        for example, value in zip(held, model.criticalities(matrix), strict=True):
            if example.criticality is not None and value is not None:
                values.append((example.criticality, value))
        if progress:
            progress(number, folds)
    figures = _topic_figures(truth, ranked, chosen)
    figures["stories"] = len(examples)
    figures["folds"] = folds
    figures["seed"] = seed
    if signs:
        true_signs, predicted = zip(*signs, strict=True)
        figures["polarity_macro_f1"] = round(
            float(f1_score(true_signs, predicted, average="macro", zero_division=0)), 4
        )
        figures["polarity_rows"] = len(signs)
    if values:
        figures["criticality_within_1"] = round(
            sum(abs(t - p) <= 1 for t, p in values) / len(values), 4
        )
        figures["criticality_exact"] = round(sum(t == p for t, p in values) / len(values), 4)
        figures["criticality_rows"] = len(values)
    return figures


def _topic_figures(
    truth: list[set[str]], ranked: list[list[str]], chosen: list[set[str]]
) -> dict[str, Any]:
    """Single-label data (every story one topic): the first suggestion is the answer.
    Multi-label: each topic is suggested when its score is positive."""
    labels = sorted(set().union(*truth))
    top3 = sum(bool(t & set(r[:3])) for t, r in zip(truth, ranked, strict=True)) / len(truth)
    first = [r[0] if r else "" for r in ranked]
    accuracy = sum(f in t for f, t in zip(first, truth, strict=True)) / len(truth)
    if all(len(t) == 1 for t in truth):
        actual = [next(iter(t)) for t in truth]
        precision, recall, f1, support = precision_recall_fscore_support(
            actual, first, labels=labels, zero_division=0
        )
        macro = float(f1_score(actual, first, labels=labels, average="macro", zero_division=0))
        accuracy = float(accuracy_score(actual, first))
    else:
        wanted = np.array([[label in t for label in labels] for t in truth], dtype=int)
        given = np.array([[label in c for label in labels] for c in chosen], dtype=int)
        precision, recall, f1, support = precision_recall_fscore_support(
            wanted, given, zero_division=0
        )
        macro = float(np.mean(f1))
    per_label = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return {
        "accuracy": round(float(accuracy), 4),
        "macro_f1": round(float(macro), 4),
        "top3": round(top3, 4),
        "per_label": per_label,
    }
