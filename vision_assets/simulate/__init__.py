"""The landing-zone simulator: what Vision's four businesses would export, day by day.

There is no real export to connect to here, so this writes what one would look like: for Books, Flicks,
Music and Mart, each day's customers, catalog, orders (Books and Mart), engagement, memberships, billing
and reviews, one folder per business line, table and day under the landing root, each finished with a
``_SUCCESS`` marker (see :mod:`vision_assets.landing.layout`) and matching its contract
(:mod:`vision_assets.landing.contracts`).

The shape is what the warehouse must cope with: skewed popularity (a few hits, a long tail), weekly and
seasonal rhythm, churn, price changes, refunds, customers weighted by population, and people holding
accounts in several businesses under differently typed names and emails. Who is who really (the ground
truth the identity tests measure against) is written to a separate folder that only tests read.

The same arguments give byte-identical files; ``scale`` grows people and events linearly.
"""

from vision_assets.simulate.engine import SimulationReport, simulate

__all__ = ["SimulationReport", "simulate"]
