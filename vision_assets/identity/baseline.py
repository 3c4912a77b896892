"""The rule Vision resolved identities with before the linkage model, kept as the benchmark's baseline.

Two accounts were one customer when they shared a normalised email (unless that mailbox was typed
under two different names) or the same normalised full name in the same country, region and city,
directly or through a chain of accounts.
"""

import pandas as pd

from vision_assets.identity.clusters import cluster_accounts
from vision_assets.identity.normalize import normalize_email, split_person_name


def resolve_by_exact_rule(accounts: pd.DataFrame) -> pd.DataFrame:
    """account_key and customer_key by the exact-match rule, for the same ``accounts`` as ``resolve``."""
    frame = accounts[["account_key", "business_line", "customer_name", "email", "country_code", "region", "city",
                      "signed_up_at"]].copy()
    frame["email_key"] = frame["email"].map(lambda email: normalize_email(email) if isinstance(email, str) else None)
    frame["name_key"] = frame["customer_name"].map(
        lambda name: " ".join(part for part in split_person_name(name) if part) if isinstance(name, str) else None
    )
    names_per_email = frame.dropna(subset=["email_key", "name_key"]).groupby("email_key")["name_key"].nunique()
    frame.loc[frame["email_key"].isin(names_per_email[names_per_email > 1].index), "email_key"] = None
    place = frame["country_code"].str.upper() + "|" + frame["region"].str.lower() + "|" + frame["city"].str.strip().str.lower()
    frame["place_name_key"] = (frame["name_key"] + "|" + place).where(frame["name_key"].notna() & place.notna(), None)
    links = []
    for key in ("email_key", "place_name_key"):
        keyed = frame.dropna(subset=[key])
        first = keyed.groupby(key)["account_key"].transform("first")
        joined = keyed.loc[keyed["account_key"] != first, ["account_key"]].assign(account_key_r=first)
        links.append(joined.rename(columns={"account_key": "account_key_l"}))
    pairs = pd.concat(links, ignore_index=True).assign(match_probability=1.0)
    return cluster_accounts(frame, pairs)[["account_key", "customer_key"]]
