"""Identity resolution: one customer across Vision Books, Flicks, Music and Mart.

``resolve(accounts)`` is the pure entry point, usable on any table of accounts; the warehouse's
``marts.bridge_customer_account`` is a thin asset around it (see ``vision_assets.identity.assets``).
"""

from vision_assets.identity.resolution import Resolution, resolve, resolve_identities

__all__ = ["Resolution", "resolve", "resolve_identities"]
