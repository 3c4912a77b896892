"""When identity resolution reuses its trained linkage model, and when it trains it again.

Training is most of a resolution's time: at demo scale about 4.5 of 5 seconds, most of it estimating u
from three million random pairs, while scoring the blocked pairs with a trained model takes under half a
second. The model's m and u probabilities describe the population of accounts, which a day barely
changes (the demo adds about 0.2 % of accounts a day). So, as Splink recommends for a model in
production, the trained model is saved (on the bridge's materialization, as its ``model`` metadata) and
reused, and trained again when it may no longer describe the accounts:

* there is no earlier model, or it was trained by other code (the comparisons or the training changed);
* the number of accounts changed by more than ``RETRAIN_WHEN_ACCOUNTS_CHANGE_BY`` since it was trained;
* it was trained more than ``RETRAIN_AFTER`` ago;
* a run asks for it (the identity assets' ``retrain`` setting).

The match threshold is not part of the model: it is chosen again from each run's own probabilities.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

# Keys Vision adds to Splink's saved model (what it was trained on, what it could not learn); Splink's
# settings are the rest.
VISION_MODEL_KEY_PREFIX = "vision_"
RETRAIN_WHEN_ACCOUNTS_CHANGE_BY = 0.05
RETRAIN_AFTER = timedelta(days=7)

_ACCOUNTS = f"{VISION_MODEL_KEY_PREFIX}trained_on_accounts"
_TRAINED_AT = f"{VISION_MODEL_KEY_PREFIX}trained_at"
_CODE_VERSION = f"{VISION_MODEL_KEY_PREFIX}code_version"


@dataclass(frozen=True)
class ModelChoice:
    """The trained model to reuse (None: train one) and why, in words for the bridge's metadata."""

    model: dict | None
    reason: str


def choose_model(
    previous: dict | None, accounts: int, code_version: str, now: datetime, retrain: bool = False
) -> ModelChoice:
    """Reuse ``previous`` (a model ``stamped`` before) for ``accounts`` accounts, or train a new one."""
    if retrain:
        return ModelChoice(None, "trained in this run: the run asked for it (retrain)")
    if not previous or _ACCOUNTS not in previous or _TRAINED_AT not in previous:
        return ModelChoice(None, "trained in this run: no earlier model was recorded")
    if previous.get(_CODE_VERSION) != code_version:
        return ModelChoice(None, "trained in this run: the identity code changed since the last model")
    trained_on, trained_at = int(previous[_ACCOUNTS]), datetime.fromisoformat(previous[_TRAINED_AT])
    change = abs(accounts - trained_on) / max(trained_on, 1)
    if change > RETRAIN_WHEN_ACCOUNTS_CHANGE_BY:
        return ModelChoice(
            None,
            f"trained in this run: {accounts:,} accounts against the {trained_on:,} the last model was trained "
            f"on ({change:.1%} apart, more than {RETRAIN_WHEN_ACCOUNTS_CHANGE_BY:.0%})",
        )
    if now - trained_at > RETRAIN_AFTER:
        return ModelChoice(
            None,
            f"trained in this run: the last model was trained on {trained_at:%Y-%m-%d}, over {RETRAIN_AFTER.days} days ago",
        )
    return ModelChoice(
        previous,
        f"reused: trained at {trained_at:%Y-%m-%d %H:%M} UTC on {trained_on:,} accounts ({change:.1%} from today's "
        f"{accounts:,})",
    )


def stamped(model: dict, accounts: int, code_version: str, now: datetime) -> dict:
    """``model`` as trained now, on ``accounts`` accounts by ``code_version``: what ``choose_model`` reads."""
    return {**model, _ACCOUNTS: accounts, _TRAINED_AT: now.isoformat(), _CODE_VERSION: code_version}
